"""A snapshot that gained papers is the one a whole read of the index would give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from rag.snapshot import IndexSnapshot, SnapshotCache, bm25_tokens
from rag.store import ChunkStore
from tests.utils.papers import field_paper

QUERY = "How many cranes nested at the lake in spring near the border?"


def as_read(snap: IndexSnapshot) -> dict[str, object]:
    """What a snapshot says, independent of the order its chunks were read in."""
    scores = snap.bm25.scores(bm25_tokens([QUERY])[0])
    ids = [d.metadata["chunk_id"] for d in snap.docs]
    return {
        "papers": snap.signature,
        "chunks": {cid: (d.page_content, d.metadata) for cid, d in snap.by_id.items()},
        "docs": sorted(ids),
        "bm25": {cid: round(float(s), 4) for cid, s in zip(ids, scores, strict=True)},
        "doc_freq": snap.doc_freq,
        "following": {k: v.metadata["chunk_id"] for k, v in snap.following.items()},
        "preceding": {k: v.metadata["chunk_id"] for k, v in snap.preceding.items()},
        "kinds": dict(zip(ids, snap.kinds.tolist(), strict=True)),
        "rows_by_paper": {
            pid: sorted(ids[i] for i in rows) for pid, rows in snap.rows_by_paper.items()
        },
        "kind_counts": snap.kind_counts,
        "stored": snap.stored,
        "by_paper": {
            pid: sorted(d.metadata["chunk_id"] for d in docs) for pid, docs in snap.by_paper.items()
        },
        "marks": snap.marks,
        "scoped": snap.mask(("body",), ["survey-0"]).sum(),
        "vectors": None
        if snap.vectors is None
        else {cid: tuple(np.round(row, 5)) for cid, row in zip(ids, snap.vectors, strict=True)},
    }


def assert_rows_are_the_stored_vectors(snap: IndexSnapshot, store: ChunkStore) -> None:
    """Row i of the snapshot's vectors is docs[i]'s stored vector, at unit length."""
    assert snap.vectors is not None and snap.vectors.shape[0] == len(snap.docs)
    ids = [d.metadata["chunk_id"] for d in snap.docs]
    got = store.chunks.get(ids=ids, include=["embeddings"])
    stored = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
    for cid, row in zip(ids, snap.vectors, strict=True):
        assert np.allclose(row, stored[cid] / np.linalg.norm(stored[cid]), atol=1e-6)


def test_papers_added_by_another_store_are_added_without_reading_the_index(
    settings: Settings,
    corpus: Path,
    embedder: SentenceTransformerEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest(None, settings, embedder=embedder)
    exact = settings.model_copy(update={"exact_search_max_chunks": 100_000})
    cache = SnapshotCache(ChunkStore.open(exact))
    first = cache.current()
    for n in range(2):
        (corpus / f"survey-{n}.md").write_text(field_paper(n, 120), "utf-8")
    ingest(None, settings, embedder=embedder)

    def whole_read(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the whole index was read for an addition")

    with monkeypatch.context() as patched:
        patched.setattr(ChunkStore, "read_chunks", whole_read)
        grown = cache.current()
    assert len(grown.papers) == len(first.papers) + 2
    assert len(first.docs) < len(grown.docs) and first.bm25.size == len(first.docs)
    assert as_read(grown) == as_read(SnapshotCache(ChunkStore.open(exact)).current())
    assert np.any(grown.bm25.scores(bm25_tokens([QUERY])[0]) > 0)
    assert_rows_are_the_stored_vectors(grown, ChunkStore.open(exact))


def test_a_library_over_the_exact_search_limit_keeps_no_vectors(
    settings: Settings, corpus: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """Past RAG_EXACT_SEARCH_MAX_CHUNKS the snapshot drops its vectors, grown or read whole."""
    ingest(None, settings, embedder=embedder)
    first = SnapshotCache(ChunkStore.open(settings)).current()
    limit = len(first.docs) + 1
    capped = settings.model_copy(update={"exact_search_max_chunks": limit})
    cache = SnapshotCache(ChunkStore.open(capped))
    assert cache.current().vectors is not None
    (corpus / "survey-0.md").write_text(field_paper(0, 120), "utf-8")
    ingest(None, settings, embedder=embedder)
    grown = cache.current()
    assert len(grown.docs) > limit and grown.vectors is None
    assert SnapshotCache(ChunkStore.open(capped)).current().vectors is None


def test_a_removed_paper_has_the_index_read_whole(
    settings: Settings, corpus: Path, embedder: SentenceTransformerEmbedder
) -> None:
    (corpus / "survey-0.md").write_text(field_paper(0, 120), "utf-8")
    ingest(None, settings, embedder=embedder)
    store = ChunkStore.open(settings)
    cache = SnapshotCache(store)
    assert "survey-0" in cache.current().papers
    ChunkStore.open(settings).remove_paper("survey-0")
    after = cache.current()
    assert "survey-0" not in after.papers
    assert as_read(after) == as_read(SnapshotCache(ChunkStore.open(settings)).current())
