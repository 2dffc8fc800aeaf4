"""Damage done to an embedded Chroma folder on purpose, to test that it is noticed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def lose_vectors(folder: Path) -> None:
    """Break an embedded index on disk: the vectors go, the records stay.

    Chroma rebuilds its graph from the write log when the graph files are missing, so
    both go: what is left names chunks that no vector search can find.
    """
    with sqlite3.connect(folder / "chroma.sqlite3") as db:
        db.execute("DELETE FROM embeddings_queue")
    for segment in folder.glob("*-*-*-*-*"):
        if segment.is_dir():
            shutil.rmtree(segment)
