"""Running the `rag` command as a user does: a real process with RAG_* settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RAG = str(Path(sys.executable).parent / "rag")


def rag_env(corpus: Path, data: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment pointed at a corpus and data folder, plus `env`."""
    return {
        **os.environ,
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_DATA_DIR": str(data),
        "COLUMNS": "200",
        **(env or {}),
    }


def run_rag(
    args: list[str], corpus: Path, data: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`rag ARGS` over this corpus and data folder, output captured, a failing exit kept."""
    return subprocess.run(
        [RAG, *args],
        capture_output=True,
        text=True,
        env=rag_env(corpus, data, env),
        timeout=300,
        check=False,
    )
