"""`make bench`: every benchmark in one run, then BENCHMARKS.md and its chart.

Everything is built in a temporary folder: the index of the corpus, a generated corpus
of about 1,000 pages, the tutorial baseline's store and the server's working folder.
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
from dataclasses import replace
from pathlib import Path

from benchmarks.baseline import compare
from benchmarks.http_load import load_http, serve
from benchmarks.ingest_scale import generate_corpus, timed_ingest
from benchmarks.inprocess import load_in_process
from benchmarks.profiling import profile_asks
from benchmarks.report import Results, write
from benchmarks.stats import describe_machine
from eval.questions import load_questions
from rag.embeddings import make_embedder
from rag.pipeline import Pipeline
from rag.settings import Settings

CONCURRENCY = (1, 8, 32)


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    """Measure everything and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--markdown", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--chart", type=Path, default=Path("docs/benchmarks.png"))
    parser.add_argument("--requests", type=int, default=335, help="asks per load level")
    parser.add_argument("--pages", type=int, default=1000, help="pages of the generated corpus")
    parser.add_argument("--profile-rounds", type=int, default=3)
    args = parser.parse_args()

    machine = describe_machine()
    questions = load_questions()
    texts = [q.question for q in questions]
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        root = Path(tmp)
        settings = Settings(_env_file=None, data_dir=root / "data")
        embedder = make_embedder(settings)
        print(f"model loaded: {embedder.dimension} dimensions")
        corpus = timed_ingest("the corpus", settings, embedder)
        print(f"ingest: {corpus}")
        copies = generate_corpus(settings.corpus_dir, root / "generated", args.pages, corpus.pages)
        generated_settings = Settings(
            _env_file=None, corpus_dir=root / "generated", data_dir=root / "generated-data"
        )
        generated = timed_ingest(f"generated ({copies} copies)", generated_settings, embedder)
        print(f"ingest: {generated}")

        pipeline = Pipeline(settings, embedder=embedder)
        scores = compare(pipeline, settings.corpus_dir, root / "tutorial", embedder, questions)
        print(f"retrieval: {scores}")
        in_process = [load_in_process(pipeline, texts, c, args.requests) for c in CONCURRENCY]
        print(f"in-process: {in_process}")
        profile = profile_asks(pipeline, texts, args.profile_rounds)

        fresh_cache = settings.model_copy(update={"model_cache_dir": root / "fresh-models"})
        with serve(fresh_cache, root / "first-server", free_port()) as first:
            print(f"first start (exports the question model): {first.cold_start_s:.1f} s")
        with serve(settings, root / "server", free_port()) as server:
            load_http(server.url, texts, 1, len(texts))  # warm-up, not reported
            http = [load_http(server.url, texts, c, args.requests) for c in CONCURRENCY]
            print(f"http: {http}")
        results = Results(
            machine=machine,
            ingests=[corpus, generated],
            retrieval=scores,
            in_process=in_process,
            http=http,
            cold_start_s=server.cold_start_s,
            first_start_s=first.cold_start_s,
            peak_rss_bytes=server.rss.peak,
            profile=profile,
        )
    finished = replace(machine, load_after=os.getloadavg()[0])
    write(replace(results, machine=finished), args.markdown, args.chart)
    print(f"wrote {args.markdown} and {args.chart}")


if __name__ == "__main__":
    main()
