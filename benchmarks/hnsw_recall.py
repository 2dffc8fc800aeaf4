"""HNSW recall after one big, repetitive paper: `python -m benchmarks.hnsw_recall`.

A library of ordinary chunks, then one upload of thousands of near-identical ones (word
salad, a table dump): does each ordinary chunk's own vector still find it? Measured for
Chroma's default graph and for the settings' one, on the project's own store. The
vectors are synthetic (seeded), so the run takes seconds and needs no model: ordinary
chunks point in random directions, the repetitive paper's crowd around one.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from rag.settings import Settings
from rag.store import as_vectors, make_client

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


def main() -> None:
    """Print a Markdown table: each graph and the share of ordinary chunks still found."""
    argparse.ArgumentParser(description=__doc__).parse_args()
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
