"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by RRF.

Both sides are LangChain retrievers; fusion is reciprocal rank fusion, which needs no
score calibration between cosine similarity and BM25. Both read one `IndexSnapshot`
per query, so they agree on which paper versions are live and follow ingests made by
other processes in embedded and server mode alike.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from chromadb.errors import ChromaError, InternalError, NotFoundError
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import IndexBrokenError
from rag.shared_product import SharedProduct
from rag.snapshot import IndexSnapshot, SnapshotCache, bm25_tokens
from rag.store import ChunkStore, as_vectors
from rag.types import ANSWER_KINDS, ScoredPassage

RRF_K = 60
# A dense search asks for k / (share of the chunks it may return) + OVERFETCH results,
# and filters in Chroma instead when under MIN_LIVE_SHARE of them may be returned.
OVERFETCH = 8
MIN_LIVE_SHARE = 0.5

log = logging.getLogger(__name__)


def as_passage(doc: Document) -> ScoredPassage:
    """A stored chunk as a passage, carrying whatever scores its metadata holds."""
    md = doc.metadata
    return ScoredPassage(
        chunk_id=str(md["chunk_id"]),
        paper_id=str(md["paper_id"]),
        title=str(md.get("title", "")),
        authors=str(md.get("authors", "")),
        year=int(md["year"]) if md.get("year") is not None else None,
        page=int(md.get("page", 0)),
        page_end=int(md.get("page_end", md.get("page", 0))),
        page_label=str(md["page_label"]) if md.get("page_label") else None,
        section=md.get("section"),
        kind=str(md.get("kind", "body")),
        ordinal=int(md.get("ordinal", 0)),
        text=doc.page_content,
        dense=md.get("dense"),
        bm25=md.get("bm25"),
    )


class SnapshotRetriever(BaseRetriever):
    """A retriever over one index snapshot: `k` results, optionally from some papers only."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: IndexSnapshot
    k: int = 20
    papers: tuple[str, ...] | None = None
    kinds: tuple[str, ...] = ANSWER_KINDS


class DenseRetriever(SnapshotRetriever):
    """Cosine similarity search over the snapshot's live chunks only.

    While the library is small enough (RAG_EXACT_SEARCH_MAX_CHUNKS) the snapshot keeps
    every live chunk's vector and the search is exact, scoped or not. Beyond that it
    asks Chroma's HNSW graph, as follows.

    Chroma returns ids and distances; the chunks come from the snapshot, which holds
    only those of the paper versions the registry names, so a chunk of a version being
    written or replaced, or left by a killed run, is dropped here. An unscoped search asks
    for the nearest chunks of the whole collection: a `where` clause naming every live
    version or kind makes Chroma read the metadata of every chunk it lets through, so
    each query would cost in proportion to the library. It asks for a little more than
    `k`, as much more as the share of other chunks says, and only when that leaves
    fewer than `k` (many stale chunks near this query) or most chunks are of other
    kinds does it filter in Chroma. A scoped search ranks the scope's live chunks itself.
    """

    embedder: SentenceTransformerEmbedder
    # The query's embedding when the caller has it already: one ask that searches
    # several scopes for the same query embeds it once.
    vector: list[float] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        snap = self.snapshot
        query_vector = self.vector if self.vector is not None else self.embedder.embed_query(query)
        if snap.product is not None:
            return self._exact(query_vector, snap.product)
        vector = as_vectors([query_vector])
        if self.papers:
            ids = snap.chunk_ids(self.papers, self.kinds)
            return self._nearest_of(query_vector, ids) if ids else []
        live = snap.live(self.kinds)
        share = live / max(snap.stored, 1)
        if share >= MIN_LIVE_SHARE:
            depth = min(snap.stored, math.ceil(self.k / share)) + OVERFETCH
            kept = [
                d
                for d in self._query(vector, depth)
                if d.metadata.get("kind", "body") in self.kinds
            ]
            if len(kept) >= min(self.k, live):
                return kept[: self.k]
            log.info("dense search: %d of %d nearest chunks live; filtering", len(kept), depth)
        hashes = [rec.content_hash for rec in snap.papers.values()]
        where: Any = {
            "$and": [{"content_hash": {"$in": hashes}}, {"kind": {"$in": list(self.kinds)}}]
        }
        return self._query(vector, self.k, where=where)

    def _exact(self, query: Sequence[float], product: SharedProduct) -> list[Document]:
        """The `k` nearest of the snapshot's chunks of these kinds and papers, by cosine.

        At 36,000 chunks one product with every vector takes about 1 ms and misses none,
        where the HNSW graph took 3.7 ms and returned 94% to 100% of the exact top 10 for
        the eval questions, by build (BENCHMARKS.md); concurrent questions share one product.
        """
        asked = np.asarray(query, dtype=np.float32)
        cosine = product(asked / max(float(np.linalg.norm(asked)), 1e-12))
        keep = self.snapshot.mask(self.kinds, self.papers)
        n = min(self.k, int(np.count_nonzero(keep)))
        if n == 0:
            return []
        cosine = np.where(keep, cosine, -np.inf)
        top = np.argpartition(-cosine, n - 1)[:n] if n < len(cosine) else np.arange(len(cosine))
        docs = self.snapshot.docs
        return [
            Document(
                page_content=docs[i].page_content,
                metadata={**docs[i].metadata, "dense": float(cosine[i])},
            )
            for i in (int(j) for j in top[np.argsort(-cosine[top], kind="stable")])
        ]

    def _nearest_of(self, query: Sequence[float], ids: list[str]) -> list[Document]:
        """Exact search over a scope's chunks: their vectors read by id, ranked by cosine.

        Chroma's own filtered search costs in proportion to the whole collection (30 ms
        at 36,000 chunks, against 1 ms to read a paper's vectors).
        """
        got = self.snapshot.chunks.get(ids=ids, include=["embeddings"])
        if got["embeddings"] is None or not len(got["ids"]):
            return []
        rows = np.asarray(got["embeddings"], dtype=np.float32)
        asked = np.asarray(query, dtype=np.float32)
        cosine = rows @ asked / (np.linalg.norm(rows, axis=1) * np.linalg.norm(asked) + 1e-12)
        by_id = self.snapshot.by_id
        best = [(got["ids"][i], float(cosine[i])) for i in np.argsort(-cosine, kind="stable")]
        return [
            Document(
                page_content=by_id[cid].page_content,
                metadata={**by_id[cid].metadata, "dense": score},
            )
            for cid, score in best[: self.k]
            if cid in by_id
        ]

    def _query(
        self, vector: list[Sequence[float] | Sequence[int]], n: int, where: Any = None
    ) -> list[Document]:
        """The live chunks among the `n` nearest to `vector` that `where` lets through."""
        got = self.snapshot.chunks.query(
            query_embeddings=vector, n_results=n, where=where, include=["distances"]
        )
        by_id = self.snapshot.by_id
        return [
            Document(
                page_content=by_id[cid].page_content,
                metadata={**by_id[cid].metadata, "dense": 1.0 - float(dist)},
            )
            for cid, dist in zip(got["ids"][0], (got["distances"] or [[]])[0], strict=True)
            if cid in by_id
        ]


class BM25Retriever(SnapshotRetriever):
    """BM25 over the snapshot's chunks (`rag.bm25_index`); the snapshot owns the index."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        docs, index = self.snapshot.docs, self.snapshot.bm25
        words = bm25_tokens([query])[0]
        if not words or not index.size:
            return []
        scores = index.scores(words).astype(float)
        scores = np.where(self.snapshot.mask(self.kinds, self.papers), scores, 0.0)
        # The k best without sorting every chunk's score.
        top = (
            np.argpartition(-scores, self.k)[: self.k]
            if len(scores) > self.k
            else np.arange(len(scores))
        )
        order = [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if scores[i] > 0]
        return [
            Document(
                page_content=docs[i].page_content,
                metadata={**docs[i].metadata, "bm25": float(scores[i])},
            )
            for i in order
        ]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Document]], k: int = RRF_K
) -> list[ScoredPassage]:
    """Fuse ranked lists by sum of 1/(k + rank); keeps each side's own score for inspection."""
    fused: dict[str, ScoredPassage] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            cid = str(doc.metadata["chunk_id"])
            passage = fused.get(cid) or as_passage(doc)
            passage.score += 1.0 / (k + rank)
            if doc.metadata.get("dense") is not None:
                passage.dense = float(doc.metadata["dense"])
            if doc.metadata.get("bm25") is not None:
                passage.bm25 = float(doc.metadata["bm25"])
            fused[cid] = passage
    return sorted(fused.values(), key=lambda p: -p.score)


def close_to_best(passages: list[ScoredPassage], ratio: float) -> list[ScoredPassage]:
    """Drop passages whose similarity to the question is under `ratio` of the best one's.

    Rank fusion ranks but cannot say a passage is unrelated, and a fixed top k pads every
    answer's context with such passages: more to read for an LLM, more distractors to
    cite. A cut relative to the best passage adapts to how similar a question's passages
    run at all. Passages with no dense score (found by BM25 alone) are kept: exact terms
    the embedding misses are why BM25 is there.
    """
    best = max((p.dense for p in passages if p.dense is not None), default=0.0)
    if ratio <= 0 or best <= 0:
        return passages
    return [p for p in passages if p.dense is None or p.dense >= ratio * best]


@dataclass(frozen=True)
class Retrieval:
    """One query's passages, the whole fused ranking they were cut from, its embedding.

    A question across papers searches again, paper by paper, for the papers its first
    passages missed: the ranking says which papers the query reaches at all, and the
    embedding serves those searches too.
    """

    passages: list[ScoredPassage]
    ranking: list[ScoredPassage]
    vector: list[float]


class HybridRetriever:
    """Dense + BM25 with RRF; one instance per process, safe to share between threads."""

    def __init__(
        self, store: ChunkStore, embedder: SentenceTransformerEmbedder, *, min_ratio: float
    ) -> None:
        self.embedder = embedder
        self.min_ratio = min_ratio
        self.snapshots = SnapshotCache(store)

    def retrieve(
        self,
        query: str,
        top_k: int = 5,
        papers: Sequence[str] | None = None,
        snapshot: IndexSnapshot | None = None,
        kinds: Sequence[str] = ANSWER_KINDS,
    ) -> list[ScoredPassage]:
        """Up to `top_k` best passages for `query`, optionally from some papers only.

        Fewer when some of them are far less similar to the query than the best one
        (`min_ratio`, see `close_to_best`). Only chunks of `kinds` are searched: by
        default those an answer may draw on, so a reference list or a table never
        comes back as an answer; asking for other kinds finds them too.
        """
        return self.retrieval(query, top_k, papers, snapshot, kinds).passages

    def retrieval(
        self,
        query: str,
        top_k: int = 5,
        papers: Sequence[str] | None = None,
        snapshot: IndexSnapshot | None = None,
        kinds: Sequence[str] = ANSWER_KINDS,
        vector: list[float] | None = None,
    ) -> Retrieval:
        """`retrieve`'s passages with the ranking and embedding behind them (`Retrieval`).

        `vector` is the query's embedding where an earlier search of it gave one.
        """
        snap = snapshot or self.snapshots.current()
        asked = vector if vector is not None else self.embedder.embed_query(query)
        try:
            return self._retrieve(query, asked, top_k, papers, snap, tuple(kinds))
        except (NotFoundError, InternalError):
            # The index changed under `snap`: a reset by another process in between, a
            # collection dropped by hand, or vectors another process wrote that this
            # process's copy of the graph lacks. Read the index again.
            log.info("index changed during a query; reading it again")
            self.snapshots.forget()
            try:
                return self._retrieve(
                    query, asked, top_k, papers, self.snapshots.current(), tuple(kinds)
                )
            except ChromaError as exc:
                log.error("the index cannot answer a query: %s", exc)
                raise IndexBrokenError(snap.chunks.name) from exc

    def _retrieve(
        self,
        query: str,
        vector: list[float],
        top_k: int,
        papers: Sequence[str] | None,
        snap: IndexSnapshot,
        kinds: tuple[str, ...],
    ) -> Retrieval:
        depth = max(20, top_k * 4)
        chosen = tuple(papers) if papers else None
        dense = DenseRetriever(
            embedder=self.embedder,
            snapshot=snap,
            k=depth,
            papers=chosen,
            kinds=kinds,
            vector=vector,
        )
        bm25 = BM25Retriever(snapshot=snap, k=depth, papers=chosen, kinds=kinds)
        ranking = reciprocal_rank_fusion([dense.invoke(query), bm25.invoke(query)])
        return Retrieval(close_to_best(ranking[:top_k], self.min_ratio), ranking, vector)
