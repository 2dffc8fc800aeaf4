"""Scale-out: two `rag serve` workers against one `chroma run` server answer alike."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from tests.conftest import free_port, wait_for_http

QUESTION = "How far is Vladivostok from the North Korean border?"
AT_ONCE = 8
MIN_ROUNDS = 4
# uvicorn serves from the first worker that is up; the second may still be loading its
# model on a busy machine, so ask for this long before saying it never answered.
PATIENCE_S = 180


@pytest.fixture
def server_settings(
    chroma_server: str, corpus: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> Settings:
    """The corpus ingested through the Chroma server into a collection of its own."""
    settings = Settings(
        _env_file=None,
        corpus_dir=corpus,
        data_dir=tmp_path / "data",
        chroma_url=chroma_server,
        collection=f"scale{os.getpid()}",
    )
    assert not ingest(None, settings, embedder=embedder).failed
    return settings


@pytest.fixture
def two_workers(server_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`rag serve --workers 2` in its own process, configured only through RAG_* variables."""
    port = free_port()
    env = {
        **os.environ,
        "RAG_CHROMA_URL": str(server_settings.chroma_url),
        "RAG_COLLECTION": server_settings.collection,
        "RAG_CORPUS_DIR": str(server_settings.corpus_dir),
        "RAG_DATA_DIR": str(server_settings.data_dir),
        "RAG_RATE_LIMIT": "10000/minute",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "rag"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/health", proc, log, 120)
        yield url
        proc.terminate()
        proc.wait(timeout=30)


def ask(url: str) -> tuple[str, dict[str, Any]]:
    """One question on a fresh connection: which worker answered, and the answer less timings."""
    response = httpx.post(f"{url}/ask", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    body.pop("timings_ms")
    return response.headers["x-worker-pid"], body


def test_two_workers_on_one_chroma_server_answer_alike(two_workers: str) -> None:
    answers: dict[str, list[dict[str, Any]]] = {}
    with ThreadPoolExecutor(AT_ONCE) as pool:
        deadline = time.monotonic() + PATIENCE_S
        rounds = 0
        while rounds < MIN_ROUNDS or (len(answers) < 2 and time.monotonic() < deadline):
            for pid, body in pool.map(ask, [two_workers] * AT_ONCE):
                answers.setdefault(pid, []).append(body)
            rounds += 1
    assert len(answers) >= 2, f"only worker(s) {sorted(answers)} answered"
    every = [body for bodies in answers.values() for body in bodies]
    assert every[0]["answered"] and every[0]["citations"]
    assert all(body == every[0] for body in every)
