"""Serving the app for real on 127.0.0.1: in the test process, or as `rag serve`."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from rag.settings import Settings
from tests.utils.cli import RAG, rag_env


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """Run `app` under uvicorn on 127.0.0.1:`port` until the block ends; yield its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def serve_env(settings: Settings) -> dict[str, str]:
    """The environment for a `rag serve` over these settings' corpus and data folder.

    The rate limit is raised so that tests asking in loops are not turned away.
    """
    return rag_env(settings.corpus_dir, settings.data_dir, {"RAG_RATE_LIMIT": "100000/minute"})


@contextmanager
def rag_serve(
    env: dict[str, str], folder: Path, workers: int = 1, ready: str = "/health"
) -> Iterator[RagServer]:
    """`rag serve` in its own process with environment `env` (see `serve_env`); stopped after.

    It is up once `ready` answers 2xx. Its output goes to `folder/serve.log`; a server
    that never answers fails the test with the log.
    """
    from tests.conftest import free_port, wait_for_http

    port = free_port()
    log = folder / "serve.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [RAG, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(f"{url}{ready}", proc, log, 180)
            yield RagServer(url, proc, log)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@dataclass(frozen=True)
class RagServer:
    """A running `rag serve`: its URL, process and log file."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path
