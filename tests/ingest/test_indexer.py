"""Ingest into real Chroma (embedded and a `chroma run` server) with the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from rag.store import ChunkStore
from tests.utils.pdfs import make_pdf

PAPER1 = "russia-korea-policy-21st-century"
PAPER2 = "russia-korean-crisis-2018"


def stored(settings: Settings) -> dict[str, dict[str, object]]:
    got = ChunkStore.open(settings).chunks.get(include=["metadatas"])
    return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)}


def test_indexes_both_papers_with_metadata(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    report = ingest(None, settings, embedder=embedder)
    assert {r.paper_id: r.status for r in report.results} == {PAPER1: "added", PAPER2: "added"}
    assert report.papers == 2
    chunks = stored(settings)
    assert report.chunks == len(chunks) > 20
    meta = next(m for m in chunks.values() if m["paper_id"] == PAPER2)
    assert meta["title"] == "Russia and the Korean Crisis"
    assert meta["authors"] == "Anton Koslov" and meta["year"] == 2018
    assert {"page", "page_end", "start", "end", "kind", "section"} <= set(meta) | {"section"}
    paper1 = [m for m in chunks.values() if m["paper_id"] == PAPER1]
    pages = {m["page"] for m in paper1}
    assert min(pages) == 1 and max(pages) == 14  # type: ignore[type-var]
    assert {m["page_label"] for m in paper1} == {str(p + 30) for p in pages}  # type: ignore[operator]
    assert any(m.get("section") == "Nuclear Crisis" for m in chunks.values())
    kinds = {m["kind"] for m in chunks.values()}
    assert kinds == {"body", "footnote"}
    assert not any("year" in m for m in chunks.values() if m["paper_id"] == PAPER1)


def test_reingest_changes_nothing(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    before = stored(settings)
    report = ingest(None, settings, embedder=embedder)
    assert {r.status for r in report.results} == {"unchanged"}
    assert stored(settings) == before


def test_changed_paper_is_replaced_whole(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    old_ids = {i for i, m in stored(settings).items() if m["paper_id"] == PAPER2}
    path = settings.corpus_dir / "002_fb44eeff083fdf3e.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nThe zebra treaty was signed on Mars in 2099.\n",
        encoding="utf-8",
    )
    report = ingest(None, settings, embedder=embedder)
    assert {r.paper_id: r.status for r in report.results} == {
        PAPER1: "unchanged",
        PAPER2: "updated",
    }
    now = stored(settings)
    new_ids = {i for i, m in now.items() if m["paper_id"] == PAPER2}
    assert not old_ids & new_ids
    texts = ChunkStore.open(settings).chunks.get(ids=list(new_ids), include=["documents"])
    assert any("zebra treaty" in (d or "") for d in texts["documents"] or [])
    assert len({m["content_hash"] for i, m in now.items() if m["paper_id"] == PAPER2}) == 1


def test_prune_removes_papers_gone_from_the_corpus(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    (settings.corpus_dir / "000_03297f04ea68092a.txt").unlink()
    kept = ingest(None, settings, embedder=embedder)
    assert kept.papers == 2
    report = ingest(None, settings, embedder=embedder, prune=True)
    assert [r.paper_id for r in report.results if r.status == "removed"] == [PAPER1]
    assert {m["paper_id"] for m in stored(settings).values()} == {PAPER2}
    assert set(ChunkStore.open(settings).papers()) == {PAPER2}


def test_reset_rebuilds(settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    ingest(None, settings, embedder=embedder)
    report = ingest(None, settings, embedder=embedder, reset=True)
    assert {r.status for r in report.results} == {"added"}
    assert report.papers == 2


def bad_files(folder: Path) -> dict[str, str]:
    """Each bad input the issue names, and a word its reason must contain."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_text("this is not a pdf", encoding="utf-8")
    make_pdf(folder / "locked.pdf", ["Secret text on page one."], user_password="pw")
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait in Pyongyang.".encode("latin-1"))
    make_pdf(folder / "scanned.pdf", ["", ""])
    return {
        "empty.txt": "empty",
        "fake.pdf": "not a PDF",
        "locked.pdf": "encrypted",
        "latin1.txt": "UTF-8",
        "scanned.pdf": "no extractable text",
    }


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_bad_files_are_reported_and_the_rest_indexed(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    expected = bad_files(settings.corpus_dir)
    report = ingest(None, settings, embedder=embedder)
    failed = {r.file: r.error or "" for r in report.failed}
    assert set(failed) == set(expected)
    for name, word in expected.items():
        assert word in failed[name], (name, failed[name])
    assert report.papers == 2


class ExplodingEmbedder(SentenceTransformerEmbedder):
    """The real model, interrupted after a number of batches, as Ctrl-C would."""

    def __init__(self, real: SentenceTransformerEmbedder, after: int) -> None:
        super().__init__(real.model_name, batch_size=8)
        self._model = real._load()
        self.left = after

    def embed_batch(self, texts: list[str]) -> list[list[float]]:  # type: ignore[override]
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().embed_batch(texts)


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_interrupted_run_leaves_the_previous_index_usable(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    ingest(None, settings, embedder=embedder)
    before = stored(settings)
    for name in ("000_03297f04ea68092a.txt", "002_fb44eeff083fdf3e.txt"):
        path = settings.corpus_dir / name
        path.write_text(path.read_text(encoding="utf-8") + "\nA new closing line.\n", "utf-8")
    with pytest.raises(KeyboardInterrupt):
        ingest(None, settings, embedder=ExplodingEmbedder(embedder, after=6))
    after = stored(settings)
    hashes = {pid: rec.content_hash for pid, rec in ChunkStore.open(settings).papers().items()}
    for meta in after.values():
        assert hashes[str(meta["paper_id"])] == meta["content_hash"]
    assert set(before) - set(after) == {i for i in before if before[i]["paper_id"] == PAPER1}
    report = ingest(None, settings, embedder=embedder)
    assert {r.status for r in report.results} == {"updated", "unchanged"}


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_failed_write_rolls_back(settings: Settings, embedder: SentenceTransformerEmbedder) -> None:
    from ingest.indexer import content_hash, prepare

    store = ChunkStore.open(settings)
    path = settings.corpus_dir / "README-extra.md"
    path.write_text("# Notes\n\n" + "A sentence about Vladivostok ports. " * 80, "utf-8")
    digest = content_hash(path.read_bytes(), None, settings)
    item = prepare(path, None, digest, settings)
    vectors = embedder.embed_many([c.text for c in item.chunks])
    calls = 0

    def fail_second_batch(_n: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk full")

    store._batch = 1
    with pytest.raises(RuntimeError):
        store.write_paper(item.record, item.chunks, vectors, on_batch=fail_second_batch)
    assert store.count() == 0
    assert store.papers() == {}


@pytest.mark.parametrize("settings", ["embedded", "server"], indirect=True)
def test_pdf_pages_survive_end_to_end(
    settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    pages = [
        "Page one talks about the port of Vladivostok and its winter ice.",
        "Page two says the gas pipeline would cross North Korea to reach Seoul.",
        "Page three explains the railway link between Rajin and Khasan.",
    ]
    for f in settings.corpus_dir.iterdir():
        f.unlink()
    make_pdf(settings.corpus_dir / "made.pdf", pages, title="A Test Paper On Pages")
    report = ingest(None, settings, embedder=embedder)
    assert [(r.title, r.pages, r.status) for r in report.results] == [
        ("A Test Paper On Pages", 3, "added")
    ]
    chunks = ChunkStore.open(settings).chunks.get(include=["documents", "metadatas"])
    by_page = {
        int(str(m["page"])): d
        for d, m in zip(chunks["documents"] or [], chunks["metadatas"] or [], strict=True)
        if m is not None
    }
    assert "Vladivostok" in by_page[1] and "Vladivostok" not in by_page.get(2, "")
    assert "gas pipeline" in by_page[2]
    assert "Rajin and Khasan" in by_page[3]
