"""HNSW recall: after one big, repetitive paper, and over a real library's chunks.

`python -m benchmarks.hnsw_recall` runs the first; `--library N` the second, over the
embedded chunks of the generated library (`benchmarks.library`) as far as it is built;
`benchmarks.scale` reports it beside the library's speed.

A library of ordinary chunks, then one upload of thousands of near-identical ones (word
salad, a table dump): does each ordinary chunk's own vector still find it? Measured for
Chroma's default graph and for the settings' one, on the project's own store. The
vectors are synthetic (seeded), so the run takes seconds and needs no model: ordinary
chunks point in random directions, the repetitive paper's crowd around one.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.library import settings_for
from eval.questions import load_questions
from rag.embeddings import make_embedder
from rag.sentences import sentences
from rag.settings import Settings
from rag.store import ChunkStore, as_vectors, make_client

DIMENSION = 384
ORDINARY = 192
REPETITIVE = 6081
# How far the repetitive chunks stray from their centre (per dimension, unit vectors).
SPREAD = 0.045
# Chroma's own defaults (max_neighbors, ef_construction, ef_search), then ours.
GRAPHS = {"Chroma's defaults": (16, 100, 100)}


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (cosine space)."""
    return np.asarray(x / np.linalg.norm(x, axis=-1, keepdims=True))


def found_share(m: int, ef_construction: int, ef_search: int, folder: Path) -> float:
    """Share of ordinary chunks among the 3 nearest to their own vector, after the upload."""
    rng = np.random.default_rng(0)
    ordinary = unit(rng.normal(size=(ORDINARY, DIMENSION)))
    centre = unit(rng.normal(size=DIMENSION))
    salad = unit(centre + SPREAD * rng.normal(size=(REPETITIVE, DIMENSION)))
    settings = Settings(_env_file=None, data_dir=folder)
    collection = make_client(settings).create_collection(
        "hnsw-recall",
        embedding_function=None,
        configuration={
            "hnsw": {
                "space": "cosine",
                "max_neighbors": m,
                "ef_construction": ef_construction,
                "ef_search": ef_search,
            }
        },
    )
    ids = [f"o{i}" for i in range(ORDINARY)]
    collection.add(ids=ids, embeddings=as_vectors(ordinary.tolist()))
    for start in range(0, REPETITIVE, 1000):
        part = salad[start : start + 1000]
        collection.add(
            ids=[f"s{start + i}" for i in range(len(part))], embeddings=as_vectors(part.tolist())
        )
    hits = collection.query(
        query_embeddings=as_vectors(ordinary.tolist()), n_results=3, include=[]
    )["ids"]
    return sum(cid in found for cid, found in zip(ids, hits, strict=True)) / ORDINARY


def library_recall(
    store: ChunkStore, queries: Sequence[Sequence[float]], k: int = 10
) -> list[float]:
    """Per query, the share of the exact `k` nearest chunks that the index's own search returns.

    Exact search is a dot product over every stored vector (they are unit length, the
    collection is cosine space); the index's search is what an unscoped question runs.
    """
    collection = store.chunks
    ids: list[str] = []
    rows: list[np.ndarray] = []
    for offset in range(0, collection.count(), 5000):
        got = collection.get(include=["embeddings"], limit=5000, offset=offset)
        ids += got["ids"]
        rows.append(np.asarray(got["embeddings"], dtype=np.float32))
    vectors = unit(np.concatenate(rows))
    asked = unit(np.asarray(queries, dtype=np.float32))
    exact = np.argsort(-(asked @ vectors.T), axis=1)[:, :k]
    found = collection.query(query_embeddings=as_vectors(asked.tolist()), n_results=k, include=[])
    return [
        len({ids[i] for i in best} & set(hits)) / k
        for best, hits in zip(exact, found["ids"], strict=True)
    ]


def query_texts(store: ChunkStore, questions: list[str], extra: int) -> list[str]:
    """The eval questions and `extra` sentences picked from random stored chunks (seeded)."""
    collection = store.chunks
    ids = sorted(collection.get(include=[])["ids"])
    chosen = random.Random(0).sample(ids, min(extra, len(ids)))
    docs = collection.get(ids=chosen, include=["documents"])["documents"] or []
    picked = [max(sentences(d), key=len) for d in docs if d and sentences(d)]
    return questions + picked


def library_text(papers: int, extra: int = 433) -> str:
    """Recall@10 over whatever the library of `papers` holds (a build may be under way).

    Run it while no build writes the index (pause or stop that first).
    """
    settings = settings_for(papers)
    store = ChunkStore.open(settings)
    embedder = make_embedder(settings)
    questions = [q.question for q in load_questions()]
    texts = query_texts(store, questions, extra)
    shares = library_recall(store, [embedder.embed_query(t) for t in texts])
    return (
        f"recall@10 over {store.count():,} chunks, {len(texts)} queries: "
        f"{np.mean(shares):.4f} ({len(questions)} eval questions "
        f"{np.mean(shares[: len(questions)]):.4f}, chunk sentences "
        f"{np.mean(shares[len(questions) :]):.4f})"
    )


def main() -> None:
    """Print a Markdown table: each graph and the share of ordinary chunks still found."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--library", type=int, help="instead: recall@10 over the generated library's index so far"
    )
    args = parser.parse_args()
    if args.library:
        print(library_text(args.library))
        return
    ours = Settings(_env_file=None)
    graphs = {
        **GRAPHS,
        "RAG_HNSW_* defaults": (ours.hnsw_m, ours.hnsw_ef_construction, ours.hnsw_ef_search),
    }
    print(f"{ORDINARY} ordinary chunks, then one paper of {REPETITIVE} near-identical ones\n")
    print("| graph | max_neighbors | ef_construction | ef_search | ordinary chunks found |")
    print("|---|---|---|---|---|")
    for name, (m, efc, efs) in graphs.items():
        with tempfile.TemporaryDirectory() as folder:
            share = found_share(m, efc, efs, Path(folder))
        print(f"| {name} | {m} | {efc} | {efs} | {share:.1%} ({round(share * ORDINARY)}) |")


if __name__ == "__main__":
    main()
