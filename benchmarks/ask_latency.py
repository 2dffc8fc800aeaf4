"""In-process `Pipeline.ask` latency on the eval set, extractive backend, embedded index.

Run with `make bench-ask` (or `python -m benchmarks.ask_latency`). It indexes the corpus
into a temporary folder, warms up once per question, then times every question of
eval/questions.jsonl `--rounds` times and prints (and with `--markdown`, writes) the
median, p95 and the split between retrieval and answering.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from eval.questions import load_questions
from ingest.indexer import ingest
from rag.pipeline import Pipeline
from rag.settings import Settings


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    """Measure and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="append a results table to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(_env_file=None, data_dir=Path(data))
        ingest(None, settings)
        pipeline = Pipeline(settings)
        questions = [q.question for q in load_questions()]
        for q in questions:
            pipeline.ask(q)
        totals: list[float] = []
        retrieve: list[float] = []
        for _ in range(args.rounds):
            for q in questions:
                began = time.perf_counter()
                answer = pipeline.ask(q)
                totals.append((time.perf_counter() - began) * 1000)
                retrieve.append(answer.timings_ms["retrieve"])
    rows = [
        ("asks timed", f"{len(totals)} ({len(questions)} questions x {args.rounds})"),
        ("median ask", f"{statistics.median(totals):.1f} ms"),
        ("p95 ask", f"{percentile(totals, 0.95):.1f} ms"),
        ("retrieval part (median)", f"{statistics.median(retrieve):.1f} ms"),
        ("machine", f"{platform.machine()}, {platform.python_version()}, {_cpus()} CPUs"),
    ]
    table = "\n".join(["| measure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])
    print(table)
    if args.markdown:
        stamp = time.strftime("%Y-%m-%d")
        with args.markdown.open("a", encoding="utf-8") as out:
            out.write(f"\n### `Pipeline.ask`, extractive, embedded index ({stamp})\n\n{table}\n")


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
