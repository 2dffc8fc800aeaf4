"""Log set-up shared by the CLI and the API's worker processes."""

from __future__ import annotations

import logging

from rag.settings import get_settings


def setup(level: int) -> None:
    """Rich, coloured lines on a terminal; plain ones (RAG_LOG_FORMAT) anywhere else.

    rich's layout work costs a server about half a millisecond per line, for nothing
    when the lines end up in a file.
    """
    from rich.console import Console
    from rich.logging import RichHandler

    console = Console(stderr=True)
    if console.is_terminal:
        handlers = [RichHandler(console=console, show_path=False)]
        logging.basicConfig(level=level, format="%(message)s", handlers=handlers)
    else:
        logging.basicConfig(level=level, format=get_settings().log_format)
