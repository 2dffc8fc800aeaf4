"""The `rag` command: a root app that knows none of its edges.

Subcommands come from the `rag.commands` entry-point group, so `ingest`, `api` and
`eval` each plug their commands in without `rag` importing them.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.console import Console

from rag import logs, wording
from rag.types import TOP_K_HELP

app = typer.Typer(
    name="rag",
    help="Question answering over research papers, every answer cited to paper and page.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log debug detail to stderr.")
    ] = False,
) -> None:
    """Question answering over research papers, every answer cited to paper and page."""
    logs.setup(logging.DEBUG if verbose else logging.WARNING)


def load_commands(root: typer.Typer) -> None:
    """Let every installed `rag.commands` plugin add its subcommands to `root`."""
    for ep in entry_points(group="rag.commands"):
        ep.load()(root)


def main() -> None:
    """Console-script entry point."""
    load_commands(app)
    app()


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in quotes.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the Answer as JSON instead of formatted text.")
    ] = False,
    paper: Annotated[
        list[str] | None,
        typer.Option("--paper", help="Only search this paper id (repeat for several)."),
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", help=TOP_K_HELP)] = 5,
) -> None:
    """Answer a question from the indexed papers, with numbered sources."""
    from rag.errors import RagError
    from rag.pipeline import Pipeline

    console = Console()
    try:
        answer = Pipeline().ask(question, papers=paper, top_k=top_k)
    except RagError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
        return
    style = "" if answer.answered else "yellow"
    console.print(answer.answer, style=style, markup=False)
    if answer.sources:
        console.print(f"\n{answer.sources_heading}", style="bold")
    for c in answer.sources:
        where = f"p. {c.printed_page}" + (f", {c.section}" if c.section else "")
        console.print(f"[{c.n}] {c.title} ({where})", markup=False)
    if answer.unsupported:
        dropped = wording.DROPPED_UNSUPPORTED.format(count=len(answer.unsupported))
        console.print(f"\n{dropped}", markup=False)
    took = wording.ANSWERED_BY.format(backend=answer.backend, ms=answer.timings_ms["total"])
    console.print(f"\n{took}", style="dim", markup=False)
    if answer.fallback_reason:
        console.print(f"({answer.fallback_reason})", style="dim", markup=False)


@app.command("settings")
def settings_command(
    section: Annotated[
        str | None, typer.Option("--section", "-s", help="Only this section, e.g. retrieval.")
    ] = None,
) -> None:
    """Print every RAG_* setting with its default and meaning, as README's markdown tables."""
    from rag.settings import Section
    from rag.settings_table import markdown_table

    if section is not None and section not in list(Section):
        raise typer.BadParameter(f"the sections: {', '.join(Section)}", param_hint="--section")
    typer.echo(markdown_table(Section if section is None else [Section(section)]))


@app.command("cite")
def cite_command(
    paper_id: Annotated[str, typer.Argument(metavar="ID", help="Paper id, as in papers.toml.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="bibtex, ris or csl-json.")] = "bibtex",
) -> None:
    """Print an indexed paper's citation, from what papers.toml says about it."""
    from rag.citations import cite
    from rag.errors import NoIndexError, RagError
    from rag.settings import get_settings
    from rag.store import ChunkStore

    try:
        store = ChunkStore.open(get_settings())
        papers = store.papers()
        if not papers:
            raise NoIndexError(store.index_name)
        record = papers.get(paper_id)
        if record is None:
            raise RagError(
                f"no paper with id {paper_id!r}", fix=f"indexed: {', '.join(sorted(papers))}"
            )
        typer.echo(cite(record, fmt), nl=False)
    except RagError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
