"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by RRF.

Both sides are LangChain retrievers; fusion is reciprocal rank fusion, which needs no
score calibration between cosine similarity and BM25. Both read one `IndexSnapshot`
per query, so they agree on which paper versions are live and follow ingests made by
other processes in embedded and server mode alike.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.errors import ChromaError, InternalError, NotFoundError
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import IndexBrokenError
from rag.models import ANSWER_KINDS, PassageRef
from rag.snapshot import IndexSnapshot, SnapshotCache, bm25_tokens
from rag.store import ChunkStore, as_vectors

RRF_K = 60

log = logging.getLogger(__name__)


class ScoredPassage(PassageRef):
    """A retrieved chunk with its scores and everything needed to cite it."""

    page_end: int
    kind: str = "body"
    ordinal: int = 0
    score: float = 0.0
    dense: float | None = None
    bm25: float | None = None


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
    """Cosine similarity search in Chroma over the snapshot's paper versions only."""

    embedder: SentenceTransformerEmbedder

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hashes = [
            rec.content_hash
            for pid, rec in self.snapshot.papers.items()
            if not self.papers or pid in self.papers
        ]
        if not hashes:
            return []
        where: Any = {
            "$and": [{"content_hash": {"$in": hashes}}, {"kind": {"$in": list(self.kinds)}}]
        }
        got = self.snapshot.chunks.query(
            query_embeddings=as_vectors([self.embedder.embed_query(query)]),
            n_results=self.k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        rows = zip(
            got["ids"][0],
            (got["documents"] or [[]])[0],
            (got["metadatas"] or [[]])[0],
            (got["distances"] or [[]])[0],
            strict=True,
        )
        return [
            Document(
                page_content=text or "",
                metadata={**(md or {}), "chunk_id": cid, "dense": 1.0 - float(dist)},
            )
            for cid, text, md, dist in rows
        ]


class BM25Retriever(SnapshotRetriever):
    """BM25 (bm25s) over the snapshot's chunks; the snapshot owns the index."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        docs, index = self.snapshot.docs, self.snapshot.bm25
        if index is None:
            return []
        words = bm25_tokens([query])[0]
        if not words:
            return []
        scores = np.asarray(index.get_scores(words), dtype=float)
        scores = np.where(self.snapshot.mask(self.kinds, self.papers), scores, 0.0)
        order = [int(i) for i in np.argsort(-scores)[: self.k] if scores[i] > 0]
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
        snap = snapshot or self.snapshots.current()
        try:
            return self._retrieve(query, top_k, papers, snap, tuple(kinds))
        except (NotFoundError, InternalError):
            # The index changed under `snap`: a reset by another process in between, a
            # collection dropped by hand, or vectors another process wrote that this
            # process's copy of the graph lacks. Read the index again.
            log.info("index changed during a query; reading it again")
            self.snapshots.forget()
            try:
                return self._retrieve(query, top_k, papers, self.snapshots.current(), tuple(kinds))
            except ChromaError as exc:
                log.error("the index cannot answer a query: %s", exc)
                raise IndexBrokenError(snap.chunks.name) from exc

    def _retrieve(
        self,
        query: str,
        top_k: int,
        papers: Sequence[str] | None,
        snap: IndexSnapshot,
        kinds: tuple[str, ...],
    ) -> list[ScoredPassage]:
        depth = max(20, top_k * 4)
        chosen = tuple(papers) if papers else None
        dense = DenseRetriever(
            embedder=self.embedder, snapshot=snap, k=depth, papers=chosen, kinds=kinds
        )
        bm25 = BM25Retriever(snapshot=snap, k=depth, papers=chosen, kinds=kinds)
        fused = reciprocal_rank_fusion([dense.invoke(query), bm25.invoke(query)])[:top_k]
        return close_to_best(fused, self.min_ratio)
