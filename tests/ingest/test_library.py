"""Uploads and deletes are all or nothing, even when the process making them is killed."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from ingest.catalog import load_catalog
from ingest.library import (
    STAGING_DIR,
    LibraryWriter,
    add_paper,
    recover,
    remove_paper,
)
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import (
    DocumentError,
    DuplicatePaperError,
    PaperNotFoundError,
    ReadOnlyPipelineError,
)
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import Upload
from tests.utils.cli import run_rag
from tests.utils.servers import rag_serve, serve_env

PATIENCE_S = 120


def long_notes(sentences: int) -> bytes:
    """A Markdown paper long enough that embedding it takes a while."""
    body = " ".join(
        f"Observation {i} recorded {i % 17} herons and {i % 23} egrets at pond {i % 41}."
        for i in range(sentences)
    )
    return f"# Field notes on wading birds\n\n{body}\n".encode()


def papers_in(folder: Path) -> set[str]:
    """The corpus folder's entries, less the staging folder that changes are made in."""
    return {p.name for p in folder.iterdir() if p.name != STAGING_DIR}


def catalog_files(settings: Settings) -> set[str]:
    path = settings.corpus_dir / "papers.toml"
    return {e["file"] for e in tomllib.loads(path.read_text("utf-8")).get("paper", [])}


def test_an_upload_killed_while_embedding_is_taken_back(
    private_index: Settings, tmp_path: Path
) -> None:
    before_files = papers_in(private_index.corpus_dir)
    before_papers = set(ChunkStore.open(private_index).papers())
    data = long_notes(4000)
    with rag_serve(serve_env(private_index), tmp_path) as server:

        def upload() -> None:
            files = {"file": ("wading-birds.md", data, "text/markdown")}
            # The server is killed under it: that is the point.
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{server.url}/papers", files=files, timeout=PATIENCE_S)

        sender = threading.Thread(target=upload)
        sender.start()
        deadline = time.monotonic() + PATIENCE_S
        while "wading-birds.md" not in catalog_files(private_index):
            assert time.monotonic() < deadline, "the upload never reached the catalog"
            time.sleep(0.02)
        server.proc.kill()
        server.proc.wait()
        sender.join()
    # What the kill left: the file and its entry, no index entry, and the journal.
    assert (private_index.corpus_dir / "wading-birds.md").exists()
    assert "wading-birds" not in ChunkStore.open(private_index).papers()
    assert list((private_index.corpus_dir / STAGING_DIR).glob("*.change.json"))

    done = run_rag(["ingest"], private_index.corpus_dir, private_index.data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert papers_in(private_index.corpus_dir) == before_files
    assert "wading-birds.md" not in catalog_files(private_index)
    assert set(ChunkStore.open(private_index).papers()) == before_papers

    with rag_serve(serve_env(private_index), tmp_path) as server:
        files = {"file": ("wading-birds.md", data, "text/markdown")}
        again = httpx.post(f"{server.url}/papers", files=files, timeout=300)
        assert again.status_code == 201, again.text
        assert again.json()["id"] == "wading-birds"
        renamed = {"file": ("copy of my notes.md", data, "text/markdown")}
        duplicate = httpx.post(f"{server.url}/papers", files=renamed, timeout=300)
        assert duplicate.status_code == 409, duplicate.text
        assert duplicate.json()["error"] == "duplicate"
        assert "'wading-birds'" in duplicate.json()["detail"]
    assert [p.name for p in private_index.corpus_dir.glob("*wading*")] == ["wading-birds.md"]


def test_the_same_file_under_another_title_is_refused(
    private_index: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    data = long_notes(20)
    first = add_paper(Upload("notes.md", data), private_index, embedder=embedder)
    with pytest.raises(DuplicatePaperError) as refused:
        add_paper(Upload("other.md", data, title="Another title"), private_index, embedder=embedder)
    assert refused.value.paper_id == first.paper_id
    assert len(load_catalog(private_index.corpus_dir)) == 3


def test_files_in_the_staging_folder_are_never_papers(private_index: Settings) -> None:
    staging = private_index.corpus_dir / STAGING_DIR
    staging.mkdir(exist_ok=True)
    (staging / "0123abcd.md").write_bytes(long_notes(5))
    done = run_rag(["ingest"], private_index.corpus_dir, private_index.data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(ChunkStore.open(private_index).papers()) == 2
    assert not (staging / "0123abcd.md").exists()


def test_a_delete_interrupted_after_the_file_went_is_finished(private_index: Settings) -> None:
    store = ChunkStore.open(private_index)
    victim = next(iter(store.papers().values()))
    source = str(victim.meta.source)
    # The state a kill leaves between the two steps: journal written, file gone.
    staging = private_index.corpus_dir / STAGING_DIR
    staging.mkdir(exist_ok=True)
    journal = {"op": "delete", "paper_id": victim.meta.id, "file": source}
    (staging / f"{victim.meta.id}.change.json").write_text(json.dumps(journal), "utf-8")
    (private_index.corpus_dir / source).unlink()

    done = run_rag(["ingest"], private_index.corpus_dir, private_index.data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert victim.meta.id not in ChunkStore.open(private_index).papers()
    assert source not in catalog_files(private_index)
    assert recover(private_index) == []


def test_a_delete_removes_file_entry_and_index(private_index: Settings) -> None:
    store = ChunkStore.open(private_index)
    victim = next(iter(store.papers().values()))
    assert remove_paper(victim.meta.id, private_index, store=store) == victim.chunk_count
    assert not (private_index.corpus_dir / str(victim.meta.source)).exists()
    assert victim.meta.id not in store.papers()
    assert not list((private_index.corpus_dir / STAGING_DIR).glob("*.change.json"))


def test_a_refused_upload_is_named_as_the_user_sent_it(
    private_index: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    before = papers_in(private_index.corpus_dir)
    with pytest.raises(DocumentError) as refused:
        add_paper(
            Upload("My Draft (v2).pdf", b"%PDF-1.4\nnot really"), private_index, embedder=embedder
        )
    assert str(refused.value).startswith("My Draft (v2).pdf: ")
    assert "upload" not in str(refused.value).lower()
    assert STAGING_DIR not in str(refused.value)
    assert papers_in(private_index.corpus_dir) == before


def test_a_pipeline_with_the_writer_adds_cites_and_removes_a_paper(
    private_index: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    pipeline = Pipeline(private_index, embedder=embedder, writer=LibraryWriter())
    record = pipeline.add_paper(Upload("herons.md", long_notes(30), authors=("A. Heron",)))
    assert pipeline.paper(record.meta.id) == record and record.chunk_count > 0
    ris = pipeline.cite(record.meta.id, "ris")
    assert "TI  - Field notes on wading birds" in ris and "AU  - Heron, A." in ris
    found = pipeline.search("herons and egrets at pond", top_k=3)
    assert found and found[0].paper_id == record.meta.id
    assert pipeline.remove_paper(record.meta.id) == record.chunk_count
    assert pipeline.paper(record.meta.id) is None
    with pytest.raises(PaperNotFoundError):
        pipeline.cite(record.meta.id)


def test_a_pipeline_without_a_writer_refuses_changes_and_keeps_the_corpus(
    private_index: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    pipeline = Pipeline(private_index, embedder=embedder)
    before, papers = papers_in(private_index.corpus_dir), pipeline.papers()
    with pytest.raises(ReadOnlyPipelineError) as refused:
        pipeline.add_paper(Upload("herons.md", long_notes(5)))
    assert "writer" in str(refused.value)
    with pytest.raises(ReadOnlyPipelineError):
        pipeline.remove_paper(next(iter(papers)))
    assert papers_in(private_index.corpus_dir) == before and pipeline.papers() == papers
