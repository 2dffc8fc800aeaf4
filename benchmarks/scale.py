"""Asking at two papers and at a generated library, in one run: `python -m benchmarks.scale`.

A real `rag serve` (one worker, extractive backend, embedded index) over the corpus's two
papers, then over the generated library of `benchmarks.library` (which holds the same
two papers among its others, so the eval questions have their answers in both): `/ask`
latency at concurrency 1, throughput at concurrency 8, the server's peak memory. Then,
on the library: the dense search's recall@10 against exact search, and what one dense
query costs unfiltered (what an unscoped question runs) and filtered by every live
paper version (what it ran before).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.hnsw_recall import library_recall, query_texts
from benchmarks.http_load import load_http, serve
from benchmarks.library import Library, build, settings_for
from benchmarks.profiling import profile_asks
from benchmarks.run import free_port
from benchmarks.stats import Latency
from eval.questions import load_questions
from ingest.indexer import ingest
from rag.embeddings import make_embedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.store import ChunkStore, as_vectors

# Reading a library of 30,000 chunks (BM25, term counts) before `/health` takes a while.
START_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Served:
    """One index served and loaded: its size, the two load levels, memory and start."""

    label: str
    papers: int
    chunks: int
    one: Latency
    eight: Latency
    peak_rss_bytes: int
    start_s: float


def served(
    label: str, settings: Settings, size: tuple[int, int], questions: list[str], requests: int
) -> Served:
    """Serve `settings`' index, warm it up, then load it at concurrency 1 and 8."""
    with (
        tempfile.TemporaryDirectory(prefix="rag-scale-") as tmp,
        serve(settings, Path(tmp), free_port(), START_TIMEOUT_S) as server,
    ):
        load_http(server.url, questions, 1, len(questions))  # warm-up, not reported
        one = load_http(server.url, questions, 1, requests)
        eight = load_http(server.url, questions, 8, requests)
    return Served(label, *size, one, eight, server.rss.peak, server.cold_start_s)


def dense_ms(store: ChunkStore, vectors: Sequence[Sequence[float]], where: Any) -> float:
    """Mean milliseconds of one 40-result dense query (the depth an ask uses), `where` or not."""
    collection = store.chunks
    collection.query(query_embeddings=as_vectors(vectors[:1]), n_results=40, where=where)
    began = time.perf_counter()
    for v in vectors:
        collection.query(
            query_embeddings=as_vectors([v]), n_results=40, where=where, include=["metadatas"]
        )
    return (time.perf_counter() - began) * 1000 / len(vectors)


def exact_ms(matrix: np.ndarray, vectors: Sequence[Sequence[float]]) -> float:
    """Mean ms of one exact search (every vector's cosine, the 40 best), as an ask runs it."""
    asked = np.asarray(vectors, dtype=np.float32)
    began = time.perf_counter()
    for q in asked:
        np.argpartition(-(matrix @ q), 40)[:40]
    return (time.perf_counter() - began) * 1000 / len(asked)


def call_ms(call: Callable[[], object], times: int = 100) -> float:
    """Mean milliseconds of one call."""
    began = time.perf_counter()
    for _ in range(times):
        call()
    return (time.perf_counter() - began) * 1000 / times


def as_built(papers: int) -> Library:
    """The library of `papers` with whatever its index holds so far."""
    settings = settings_for(papers)
    papers_in = ChunkStore.open(settings).papers()
    return Library(settings, len(papers_in), sum(r.chunk_count for r in papers_in.values()))


def main() -> None:
    """Measure both indexes and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1000, help="generated papers")
    parser.add_argument("--requests", type=int, default=335, help="asks per load level")
    parser.add_argument("--queries", type=int, default=433, help="chunk sentences as queries")
    parser.add_argument("--profile-rounds", type=int, default=2, help="profiled passes")
    parser.add_argument(
        "--as-built",
        action="store_true",
        help="measure the library's index as far as it is built (stop the build first)",
    )
    args = parser.parse_args()
    library = as_built(args.papers) if args.as_built else build(args.papers)
    questions = [q.question for q in load_questions()]
    # Loading it exports the question model once, before any server is measured.
    embedder = make_embedder(library.settings)
    with tempfile.TemporaryDirectory(prefix="rag-scale-") as tmp:
        small = Settings(
            _env_file=None,
            data_dir=Path(tmp) / "data",
            model_cache_dir=library.settings.resolved_model_cache_dir,
        )
        report = ingest(None, small)
        rows = [
            served("the corpus", small, (report.papers, report.chunks), questions, args.requests)
        ]
    big = (library.papers, library.chunks)
    rows.append(served("generated library", library.settings, big, questions, args.requests))

    store = ChunkStore.open(library.settings)
    texts = query_texts(store, questions, args.queries)
    vectors = [embedder.embed_query(t) for t in texts]
    shares = library_recall(store, vectors)
    hashes = sorted({rec.content_hash for rec in store.papers().values()})
    unfiltered = dense_ms(store, vectors[:100], None)
    filtered = dense_ms(store, vectors[:100], {"content_hash": {"$in": hashes}})
    generation, registry = call_ms(store.generation), call_ms(store.read_registry, 10)

    pipeline = Pipeline(library.settings, embedder=embedder)
    began = time.perf_counter()
    pipeline.retriever.snapshots.current()
    rebuild_s = time.perf_counter() - began
    profile = profile_asks(pipeline, questions, args.profile_rounds)

    base = rows[0]
    print("| index | papers | chunks | p50 ms, c=1 | p95 ms, c=1 | req/s, c=8 | peak RSS | start |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.label} | {r.papers:,} | {r.chunks:,} | {r.one.p50_ms:.1f} | "
            f"{r.one.p95_ms:.1f} | {r.eight.per_second:.1f} | "
            f"{r.peak_rss_bytes / 2**20:,.0f} MB | {r.start_s:.1f} s |"
        )
    grown = rows[1]
    per_1000 = (grown.peak_rss_bytes - base.peak_rss_bytes) / (grown.chunks - base.chunks) * 1000
    print(
        f"\nlibrary / corpus: p50 x{grown.one.p50_ms / base.one.p50_ms:.2f}, "
        f"req/s x{grown.eight.per_second / base.eight.per_second:.2f}; "
        f"errors {sum(r.one.errors + r.eight.errors for r in rows)}; memory "
        f"{per_1000 / 2**20:.0f} MB more per 1,000 chunks"
    )
    snapshot = pipeline.view()
    searched = (
        f"exact, over the snapshot's {snapshot.vectors.shape[0]:,} vectors "
        f"(RAG_EXACT_SEARCH_MAX_CHUNKS={library.settings.exact_search_max_chunks:,}): "
        f"{exact_ms(snapshot.vectors, vectors[:100]):.2f} ms a query, nothing missed"
        if snapshot.vectors is not None
        else "the HNSW graph (the library is over RAG_EXACT_SEARCH_MAX_CHUNKS)"
    )
    print(f"\nthe dense search an unscoped ask runs: {searched}")
    print(
        f"HNSW graph recall@10 against exact search over {store.count():,} chunks, "
        f"{len(vectors)} queries ({len(questions)} eval questions, "
        f"{len(vectors) - len(questions)} chunk sentences): {np.mean(shares):.4f}; the "
        f"questions alone {np.mean(shares[: len(questions)]):.4f}, the sentences alone "
        f"{np.mean(shares[len(questions) :]):.4f}"
    )
    print(
        f"one dense query (40 results): unfiltered {unfiltered:.2f} ms, filtered by all "
        f"{len(hashes):,} live versions {filtered:.2f} ms"
    )
    print(
        f"knowing whether the index changed: the generation token {generation:.2f} ms, "
        f"reading every registry record {registry:.2f} ms"
    )
    print(
        f"reading the index into a snapshot (what the first ask after any change waits for): "
        f"{rebuild_s:.1f} s"
    )
    print(f"\nwhere an in-process ask at the library spends its time ({profile.asks} asks):\n")
    print("| stage | share | ms per ask |")
    print("|---|---|---|")
    for stage, seconds in sorted(profile.seconds.items(), key=lambda kv: -kv[1]):
        share = seconds / profile.total
        print(f"| {stage} | {share:.0%} | {seconds * 1000 / profile.asks:.2f} |")


if __name__ == "__main__":
    main()
