"""`rag ingest`: index the corpus with a progress bar and a summary table.

Exit codes: 0 everything indexed; 1 some files failed, each named with its reason (the
others are indexed); 2 the run could not start (bad settings, a broken `papers.toml`,
an index it cannot reach); 3 `--check` found chunks the index cannot find by their
own vector; 70 (EX_SOFTWARE) an unexpected crash, its traceback logged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ingest.indexer import IngestReport, ProgressHooks, ingest
from ingest.library import recover
from rag.errors import RagError
from rag.index_check import self_check
from rag.settings import Settings, get_settings
from rag.store import ChunkStore

log = logging.getLogger(__name__)

EXIT_FILES_FAILED = 1
EXIT_ERROR = 2
EXIT_CHECK_FAILED = 3
# sysexits.h EX_SOFTWARE: an internal error, told apart from files the run refused.
EXIT_CRASH = 70

STATUS_STYLE = {
    "added": "green",
    "updated": "cyan",
    "unchanged": "dim",
    "failed": "bold red",
    "removed": "yellow",
}


def ingest_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to index (.pdf, .txt, .md). Default: the corpus folder "
            "(RAG_CORPUS_DIR, `corpus/`).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Delete the whole index first and rebuild it from scratch."),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Remove indexed papers whose files are no longer in the corpus."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Afterwards look sampled chunks up by their own vector (RAG_SELF_CHECK_SAMPLE) "
            f"and exit {EXIT_CHECK_FAILED} if the index misses any.",
        ),
    ] = False,
    library: Annotated[
        Path | None,
        typer.Option(
            "--library",
            help="A reference manager's export (BibTeX .bib or CSL-JSON .json) whose entries "
            "describe the papers (matched by file, DOI or title); one in the corpus folder "
            "is read anyway. papers.toml still wins.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes that parse papers while this one embeds (a big library: 2-4).",
        ),
    ] = 1,
) -> None:
    """Index papers: clean, chunk, embed and store them; unchanged papers are skipped.

    Uploads or deletes that a killed server left half-done are settled first. A run
    stopped at any point (Ctrl-C, a kill) loses only the paper it was embedding: run it
    again and it goes on with the rest.
    """
    settings = get_settings()
    console = Console(stderr=True)
    try:
        for line in recover(settings):
            console.print(f"[yellow]recovered:[/] {escape(line)}")
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            "eta",
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            papers = bar.add_task("Papers", total=None)
            chunks = bar.add_task("Embedding", total=None, visible=False)

            def paper(name: str, total: int) -> None:
                bar.reset(chunks, total=total, description=escape(name), visible=True)

            report = ingest(
                paths or None,
                settings,
                reset=reset,
                prune=prune,
                library=library,
                jobs=jobs,
                progress=ProgressHooks(
                    papers=lambda total: bar.update(papers, total=total),
                    paper=paper,
                    advance=lambda n: bar.advance(chunks, n),
                    finished=lambda: bar.advance(papers, 1),
                ),
            )
    except RagError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_ERROR) from exc
    except Exception as exc:
        log.exception("rag ingest crashed")
        console.print(
            f"[bold red]error:[/] rag ingest stopped on an unexpected error "
            f"({type(exc).__name__}: {escape(str(exc))}); its traceback is in the log above. "
            "Papers finished before it stay indexed."
        )
        raise typer.Exit(EXIT_CRASH) from exc
    Console().print(summary_table(report))
    for failed in report.failed:
        console.print(f"[bold red]failed:[/] {escape(failed.file)}: {escape(failed.error or '')}")
    if check and not _check(settings, console):
        raise typer.Exit(EXIT_CHECK_FAILED)
    if report.failed:
        raise typer.Exit(EXIT_FILES_FAILED)


def _check(settings: Settings, console: Console) -> bool:
    """Run the index self-check and say what it found; whether the index passed."""
    store = ChunkStore.open(settings)
    result = self_check(store, store.papers(), settings.self_check_sample)
    if result.error:
        console.print(f"[bold red]index check failed:[/] {escape(result.error)}")
    elif result.missing:
        console.print(
            f"[bold red]index check failed:[/] {len(result.missing)} of {result.sampled} "
            f"sampled chunks not found by their own vector, e.g. {result.missing[0]}; "
            "rebuild with `rag ingest --reset`"
        )
    else:
        console.print(f"index check: all {result.sampled} sampled chunks found by their own vector")
    return result.ok


def summary_table(report: IngestReport) -> Table:
    """The per-paper table printed after a run."""
    table = Table(
        title=f"Index {report.index}: {report.papers} papers, {report.chunks} chunks",
        title_justify="left",
    )
    for column in ("paper", "title", "pages", "chunks", "status", "seconds"):
        table.add_column(
            column, justify="right" if column in ("pages", "chunks", "seconds") else "left"
        )
    for r in sorted(report.results, key=lambda r: r.file):
        table.add_row(
            r.paper_id or r.file,
            r.title or "",
            str(r.pages),
            str(r.chunks),
            f"[{STATUS_STYLE[r.status]}]{r.status}[/]",
            f"{r.seconds:.1f}",
        )
    return table


def register(app: typer.Typer) -> None:
    """Entry point of the `rag.commands` group."""
    app.command("ingest")(ingest_command)
