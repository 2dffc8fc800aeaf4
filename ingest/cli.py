"""`rag ingest`: index the corpus with a progress bar and a summary table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from ingest.indexer import IngestReport, ingest
from ingest.indexer import Progress as IngestProgress
from rag.errors import RagError
from rag.settings import get_settings

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
) -> None:
    """Index papers: clean, chunk, embed and store them; unchanged papers are skipped."""
    settings = get_settings()
    console = Console(stderr=True)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("Embedding chunks", total=None)
            report = ingest(
                paths or None,
                settings,
                reset=reset,
                prune=prune,
                progress=IngestProgress(
                    start=lambda total: bar.update(task, total=total),
                    advance=lambda n: bar.advance(task, n),
                ),
            )
    except RagError as exc:
        console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    Console().print(summary_table(report))
    for failed in report.failed:
        console.print(f"[bold red]failed:[/] {failed.file}: {failed.error}")
    if report.failed:
        raise typer.Exit(1)


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
