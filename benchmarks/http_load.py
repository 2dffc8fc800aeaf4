"""`rag serve` measured from outside: cold start, `/ask` under load, and peak memory.

The server is a real `rag serve` process on 127.0.0.1 over a finished index. It is
configured through a `.env` file in its working folder (the way `rag.settings` reads
settings), with the rate limit raised so the load is not answered 429.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from benchmarks.stats import Latency, summarise
from rag.settings import Settings

# High enough that the benchmark's single client address is never limited.
BENCH_RATE_LIMIT = "1000000/minute"
START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Server:
    """A started server: its URL, seconds from launch to a ready `/health`, memory sampler."""

    url: str
    cold_start_s: float
    rss: PeakRss


class PeakRss:
    """Samples the resident memory of a process and its children until stopped."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                family = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in family))
            except psutil.NoSuchProcess:
                return
            time.sleep(self.every_s)

    def stop(self) -> int:
        """Stop sampling (again is harmless); the peak in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak


@contextmanager
def serve(
    settings: Settings,
    workdir: Path,
    port: int,
    start_timeout_s: float = START_TIMEOUT_S,
    workers: int = 1,
) -> Iterator[Server]:
    """Start `rag serve` over `settings`' index, wait for `/health`, stop it afterwards.

    The server gets the index, the model cache and the query runtime of `settings`. It
    reads the whole index before it is ready, so a big library needs a longer timeout.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "RAG_CORPUS_DIR": settings.corpus_dir.resolve(),
        "RAG_DATA_DIR": settings.data_dir.resolve(),
        "RAG_MODEL_CACHE_DIR": settings.resolved_model_cache_dir.resolve(),
        "RAG_EMBEDDING_QUERY_RUNTIME": settings.embedding_query_runtime,
        "RAG_RATE_LIMIT": BENCH_RATE_LIMIT,
        "RAG_BACKEND": "extractive",
        **({"RAG_CHROMA_URL": settings.chroma_url} if settings.chroma_url else {}),
    }
    (workdir / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()), "utf-8")
    rag = Path(sys.executable).parent / "rag"
    log = workdir / "serve.log"
    began = time.perf_counter()
    command = [str(rag), "serve", "--host", "127.0.0.1", "--port", f"{port}"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--workers", f"{workers}"],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    rss = PeakRss(process.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log, start_timeout_s)
        yield Server(url, time.perf_counter() - began, rss)
    finally:
        process.terminate()
        process.wait(timeout=30)
        rss.stop()


@contextmanager
def chroma_server(path: Path, workdir: Path, port: int) -> Iterator[str]:
    """A `chroma run` server on 127.0.0.1 over the index folder `path`; its URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    chroma = Path(sys.executable).parent / "chroma"
    log = workdir / "chroma.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", f"{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, log, START_TIMEOUT_S, "/api/v2/heartbeat")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float, path: str = "/health"
) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2) as client:
        while True:
            try:
                if client.get(f"{url}{path}").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not become ready:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)


async def _load(url: str, questions: list[str], concurrency: int, requests: int) -> Latency:
    millis: list[float] = []
    errors = 0
    jobs = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            for i in jobs:
                began = time.perf_counter()
                try:
                    response = await client.post(
                        "/ask", json={"question": questions[i % len(questions)]}
                    )
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    millis.append((time.perf_counter() - began) * 1000)
                else:
                    errors += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return summarise("HTTP", concurrency, millis, errors, seconds)


def load_http(url: str, questions: list[str], concurrency: int, requests: int) -> Latency:
    """`requests` POST /ask cycling through `questions`, `concurrency` in flight at a time.

    Any non-200 answer or transport failure counts as an error.
    """
    return asyncio.run(_load(url, questions, concurrency, requests))
