"""`Pipeline.ask` called from threads in this process: the latency floor under the HTTP API."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.stats import Latency, summarise
from rag.errors import RagError
from rag.pipeline import Pipeline


def load_in_process(
    pipeline: Pipeline, questions: list[str], concurrency: int, requests: int
) -> Latency:
    """`requests` asks cycling through `questions`, `concurrency` threads at a time.

    A `RagError` counts as an error; anything else is a bug and stops the benchmark.
    """

    def one(question: str) -> float | None:
        began = time.perf_counter()
        try:
            pipeline.ask(question)
        except RagError:
            return None
        return (time.perf_counter() - began) * 1000

    jobs = [questions[i % len(questions)] for i in range(requests)]
    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, jobs))
    seconds = time.perf_counter() - began
    millis = [r for r in results if r is not None]
    return summarise("in-process", concurrency, millis, len(results) - len(millis), seconds)
