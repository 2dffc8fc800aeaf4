"""Whether an index can answer: one query shaped like an ask's, and a recall self-check.

An approximate index can lose points (a graph too sparse for many near-identical
vectors, a copy out of step with its folder) and a broken one fails only when queried,
so `/health` and `rag ingest --check` ask it instead of trusting it.
"""

from __future__ import annotations

import random

from chromadb.errors import ChromaError

from rag.store import ChunkStore, as_vectors
from rag.types import IndexCheck, PaperRecord


def probe(store: ChunkStore, papers: dict[str, PaperRecord]) -> None:
    """Run one query shaped like an ask's (filtered to live versions); raises on failure.

    Raises:
        ChromaError: the index cannot answer a query.
    """
    hashes = sorted({rec.content_hash for rec in papers.values()})
    if not hashes:
        return
    collection = store.chunks
    got = collection.get(limit=1, include=["embeddings"])
    vectors = got["embeddings"]
    if vectors is None or len(vectors) == 0:
        return
    collection.query(
        query_embeddings=as_vectors([list(vectors[0])]),
        n_results=1,
        where={"content_hash": {"$in": hashes}},  # type: ignore[dict-item]
        include=[],
    )


def self_check(
    store: ChunkStore, papers: dict[str, PaperRecord], sample: int, seed: int = 0
) -> IndexCheck:
    """Whether sampled live chunks are each found by their own vector.

    An approximate index can lose points (a graph too sparse for many near-identical
    vectors, a copy out of step with the folder); this measures it instead of
    trusting it. A chunk counts as found when it is among the three nearest to its
    own vector, so an identical text elsewhere does not count against it.
    """
    check = IndexCheck()
    hashes = {rec.content_hash for rec in papers.values()}
    if not hashes or sample <= 0:
        return check
    try:
        collection = store.chunks
        live = [
            cid
            for cid, _, md in store.read_chunks(documents=False)
            if md.get("content_hash") in hashes
        ]
        chosen = random.Random(seed).sample(sorted(live), min(sample, len(live)))
        if not chosen:
            return check
        got = collection.get(ids=chosen, include=["embeddings"])
        vectors = [list(v) for v in (got["embeddings"] if got["embeddings"] is not None else [])]
        hits = collection.query(
            query_embeddings=as_vectors(vectors), n_results=min(3, len(live)), include=[]
        )["ids"]
    except ChromaError as exc:
        check.error = f"{type(exc).__name__}: {exc}"
        return check
    check.sampled = len(got["ids"])
    for cid, found in zip(got["ids"], hits, strict=True):
        if cid in found:
            check.found += 1
        else:
            check.missing.append(cid)
    return check
