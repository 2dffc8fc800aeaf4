"""Log set-up shared by the CLI and the API's worker processes."""

from __future__ import annotations

import logging

# Logs going to a file or a collector: plain lines with a timestamp and the logger's name.
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(level: int) -> None:
    """Rich, coloured lines on a terminal; plain ones anywhere else.

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
        logging.basicConfig(level=level, format=PLAIN_FORMAT)
