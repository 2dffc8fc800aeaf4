"""Hybrid retrieval against the real index, both store modes."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import NoIndexError
from rag.pipeline import Pipeline
from rag.retrieval import HybridRetriever, close_to_best, reciprocal_rank_fusion
from rag.settings import Settings
from rag.store import ChunkStore, as_vectors
from rag.types import ScoredPassage

PAPER1 = "russia-korea-policy-21st-century"
PAPER2 = "russia-korean-crisis-2018"


def test_rrf_rewards_agreement() -> None:
    def doc(cid: str) -> Document:
        return Document(page_content=cid, metadata={"chunk_id": cid, "paper_id": "p", "page": 1})

    fused = reciprocal_rank_fusion([[doc("a"), doc("b")], [doc("b"), doc("c")]])
    assert [p.chunk_id for p in fused] == ["b", "a", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)


def scored(cid: str, dense: float | None) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=cid, paper_id="p", title="t", page=1, page_end=1, text=cid, dense=dense
    )


def test_passages_far_less_similar_than_the_best_are_left_out() -> None:
    passages = [scored("a", 0.6), scored("b", 0.45), scored("c", 0.41), scored("d", None)]
    assert [p.chunk_id for p in close_to_best(passages, 0.7)] == ["a", "b", "d"]
    assert close_to_best(passages, 0.0) == passages
    unrelated = [scored("a", -0.05), scored("b", -0.2)]
    assert close_to_best(unrelated, 0.7) == unrelated


def test_finds_the_passage_with_its_metadata(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    retriever = HybridRetriever(ChunkStore.open(settings), embedder, min_ratio=0.0)
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
    retriever = HybridRetriever(ChunkStore.open(settings), embedder, min_ratio=0.0)
    only = retriever.retrieve("Russia and South Korea trade", top_k=5, papers=[PAPER1])
    assert {p.paper_id for p in only} == {PAPER1}
    before = retriever.retrieve("zebra crossing", top_k=5)
    assert all(p.paper_id != "zebra" for p in before)
    extra = settings.corpus_dir / "zebra.md"
    extra.write_text("# Zebras\n\nThe zebra crossing at Khasan was painted in 1999.\n", "utf-8")
    ingest(None, settings, embedder=embedder)
    hits = retriever.retrieve("zebra crossing", top_k=2)
    assert hits[0].paper_id == "zebra" and hits[0].bm25 is not None


def test_follows_an_index_reset_and_rebuilt_by_another_store(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    retriever = HybridRetriever(ChunkStore.open(settings), embedder, min_ratio=0.0)
    question = "How far is Vladivostok from the North Korean border?"
    first = retriever.retrieve(question, top_k=1)[0]
    old = retriever.snapshots.current().chunks.id
    # Same files give the same content hashes; only the collections are new.
    ingest(None, settings, embedder=embedder, reset=True)
    assert retriever.retrieve(question, top_k=1)[0].chunk_id == first.chunk_id
    assert retriever.snapshots.current().chunks.id != old


def test_a_chunk_collection_dropped_under_a_snapshot_is_read_again(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    """Searching the graph, the cached snapshot's stale handle is noticed and replaced.

    (An exact search never touches the collection: it answers from the snapshot until
    the registry changes, as every other read of a snapshot does.)
    """
    ingest(None, settings, embedder=embedder)
    store = ChunkStore.open(settings)
    retriever = HybridRetriever(store, embedder, min_ratio=0.0)
    assert retriever.retrieve("Vladivostok", top_k=1)
    store.client.delete_collection(settings.index_name)
    # The registry still names both papers but their chunks are gone: nothing to find,
    # and no error from the handle the cached snapshot held.
    assert retriever.retrieve("Vladivostok", top_k=1) == []


def test_pipeline_retrieves_with_the_configured_ratio(pipeline: Pipeline) -> None:
    assert pipeline.retriever.min_ratio == pipeline.settings.min_similarity_ratio == 0.7


def test_no_index_says_to_run_ingest(
    tmp_path: object, embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(_env_file=None, data_dir=f"{tmp_path}/none")
    retriever = HybridRetriever(ChunkStore.open(settings), embedder, min_ratio=0.0)
    with pytest.raises(NoIndexError, match="rag ingest"):
        retriever.retrieve("anything")


@pytest.mark.parametrize("exact_up_to", [0, 100_000], ids=["graph", "exact"])
@pytest.mark.parametrize("stale", [5, 40])
def test_chunks_no_registered_version_owns_never_answer(
    settings: Settings, embedder: SentenceTransformerEmbedder, stale: int, exact_up_to: int
) -> None:
    """A version half-written (or replaced, or left by a killed run) is in the collection
    but not in the registry: it never answers, even as the nearest chunks to the question.

    A few such chunks are dropped from the unfiltered search's extra results; many (more
    than it fetches) send it to the filtered search. Either way, and in the exact search
    over the snapshot's vectors: the live passages.
    """
    settings = settings.model_copy(update={"exact_search_max_chunks": exact_up_to})
    ingest(None, settings, embedder=embedder)
    store = ChunkStore.open(settings)
    retriever = HybridRetriever(store, embedder, min_ratio=0.0)
    question = "How far is Vladivostok from the North Korean border?"
    before = [p.chunk_id for p in retriever.retrieve(question, top_k=5)]
    vector = embedder.embed_query(question)
    store.chunks.upsert(
        ids=[f"{PAPER2}:half-{i}" for i in range(stale)],
        embeddings=as_vectors([vector] * stale),
        documents=[f"Vladivostok lies {i} km from the North Korean border." for i in range(stale)],
        metadatas=[
            {"paper_id": PAPER2, "content_hash": "not-registered", "kind": "body", "page": 1}
            for _ in range(stale)
        ],
    )
    snapshot = retriever.snapshots.current()
    assert store.count() == snapshot.stored + stale
    assert [p.chunk_id for p in retriever.retrieve(question, top_k=5)] == before
    scoped = retriever.retrieve(question, top_k=5, papers=[PAPER2])
    assert scoped and all(":half-" not in p.chunk_id for p in scoped)


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_the_exact_search_finds_what_the_graph_finds_on_a_small_index(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    """On 63 chunks the HNSW graph misses nothing, so both searches must agree, scores too."""
    ingest(None, settings, embedder=embedder)
    exact_settings = settings.model_copy(update={"exact_search_max_chunks": 100_000})
    exact = HybridRetriever(ChunkStore.open(exact_settings), embedder, min_ratio=0.0)
    graph = HybridRetriever(ChunkStore.open(settings), embedder, min_ratio=0.0)
    assert exact.snapshots.current().vectors is not None
    assert graph.snapshots.current().vectors is None
    for question, papers in [
        ("How far is Vladivostok from the North Korean border?", None),
        ("What did Russia propose for the Korean peninsula's nuclear crisis?", None),
        ("Which gas pipeline was discussed?", [PAPER2]),
    ]:
        ours = exact.retrieve(question, top_k=10, papers=papers)
        theirs = graph.retrieve(question, top_k=10, papers=papers)
        assert [p.chunk_id for p in ours] == [p.chunk_id for p in theirs]
        for a, b in zip(ours, theirs, strict=True):
            assert a.dense == pytest.approx(b.dense, abs=1e-4)
