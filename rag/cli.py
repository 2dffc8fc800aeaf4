"""The `rag` command: a root app that knows none of its edges.

Subcommands come from the `rag.commands` entry-point group, so `ingest`, `api` and
`eval` each plug their commands in without `rag` importing them.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.logging import RichHandler

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
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(show_path=False, rich_tracebacks=False)],
    )


def load_commands(root: typer.Typer) -> None:
    """Let every installed `rag.commands` plugin add its subcommands to `root`."""
    for ep in entry_points(group="rag.commands"):
        ep.load()(root)


def main() -> None:
    """Console-script entry point."""
    load_commands(app)
    app()
