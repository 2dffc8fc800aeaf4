"""Hybrid retrieval against the real index, both store modes."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import NoIndexError
from rag.retrieval import HybridRetriever, reciprocal_rank_fusion
from rag.settings import Settings
from rag.store import ChunkStore

PAPER1 = "russia-korea-policy-21st-century"
PAPER2 = "russia-korean-crisis-2018"


def test_rrf_rewards_agreement() -> None:
    def doc(cid: str) -> Document:
        return Document(page_content=cid, metadata={"chunk_id": cid, "paper_id": "p", "page": 1})

    fused = reciprocal_rank_fusion([[doc("a"), doc("b")], [doc("b"), doc("c")]])
    assert [p.chunk_id for p in fused] == ["b", "a", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)


def test_finds_the_passage_with_its_metadata(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    retriever = HybridRetriever(ChunkStore.open(settings), embedder)
    hits = retriever.retrieve("How far is Vladivostok from the North Korean border?", top_k=3)
    assert len(hits) == 3
    best = hits[0]
    assert "100 km from the North Korean border" in best.text
    assert best.paper_id == PAPER2 and best.page == 1
    assert best.title == "Russia and the Korean Crisis" and best.year == 2018
    assert best.dense is not None and best.bm25 is not None
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_paper_filter_and_bm25_follow_the_index(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    retriever = HybridRetriever(ChunkStore.open(settings), embedder)
    only = retriever.retrieve("Russia and South Korea trade", top_k=5, papers=[PAPER1])
    assert {p.paper_id for p in only} == {PAPER1}
    before = retriever.retrieve("zebra crossing", top_k=5)
    assert all(p.paper_id != "zebra" for p in before)
    extra = settings.corpus_dir / "zebra.md"
    extra.write_text("# Zebras\n\nThe zebra crossing at Khasan was painted in 1999.\n", "utf-8")
    ingest(None, settings, embedder=embedder)
    hits = retriever.retrieve("zebra crossing", top_k=2)
    assert hits[0].paper_id == "zebra" and hits[0].bm25 is not None


def test_no_index_says_to_run_ingest(
    tmp_path: object, embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(_env_file=None, data_dir=f"{tmp_path}/none")
    retriever = HybridRetriever(ChunkStore.open(settings), embedder)
    with pytest.raises(NoIndexError, match="rag ingest"):
        retriever.retrieve("anything")
