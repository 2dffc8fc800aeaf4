"""A library's ingest killed at any point goes on with the rest, and parses in parallel."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

from ingest.indexer import IngestReport, ProgressHooks, ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from rag.store import ChunkStore
from tests.utils.cli import RAG, rag_env
from tests.utils.papers import field_paper

PAPERS = 10
KILL_AFTER = 2


class RecordingEmbedder(SentenceTransformerEmbedder):
    """The real model, keeping every text it was asked to embed."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        super().__init__(real.model_name)
        self._model = real._load()
        self.texts: list[str] = []

    def embed_batch(self, texts: list[str]) -> list[list[float]]:  # type: ignore[override]
        self.texts += texts
        return super().embed_batch(texts)


def stored_versions(settings: Settings) -> Counter[tuple[str, str]]:
    got = ChunkStore.open(settings).chunks.get(include=["metadatas"])
    return Counter((str(m["paper_id"]), str(m["content_hash"])) for m in got["metadatas"] or [])


def test_a_killed_ingest_is_finished_by_the_next_without_embedding_twice(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(PAPERS):
        (corpus / f"survey-{n:02d}.md").write_text(field_paper(n, 300), "utf-8")
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")
    writer = subprocess.Popen(
        [RAG, "ingest"],
        env=rag_env(corpus, settings.data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while len(ChunkStore.open(settings).papers()) < KILL_AFTER:
            assert writer.poll() is None, "rag ingest ended before it could be killed"
            time.sleep(0.1)
    finally:
        writer.kill()
        writer.wait()
    done = ChunkStore.open(settings).papers()
    assert KILL_AFTER <= len(done) < PAPERS
    done_texts = {
        text
        for _, text, md in ChunkStore.open(settings).read_chunks()
        if md["paper_id"] in done and md["content_hash"] == done[md["paper_id"]].content_hash
    }

    recording = RecordingEmbedder(embedder)
    report = ingest(None, settings, embedder=recording)

    statuses = {r.paper_id: r.status for r in report.results}
    assert statuses == {pid: "unchanged" if pid in done else "added" for pid in statuses}
    assert len(statuses) == PAPERS and recording.texts
    assert not done_texts & set(recording.texts), (
        "papers written before the kill were embedded again"
    )
    papers = ChunkStore.open(settings).papers()
    assert len(papers) == PAPERS
    assert stored_versions(settings) == Counter(
        {(pid, rec.content_hash): rec.chunk_count for pid, rec in papers.items()}
    )


def test_papers_parsed_in_worker_processes_are_indexed_as_in_one(
    corpus: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    told: list[tuple[str, str | int | None]] = []
    hooks = ProgressHooks(
        papers=lambda total: told.append(("papers", total)),
        paper=lambda name, chunks: told.append(("paper", name)),
        finished=lambda: told.append(("finished", None)),
    )
    alone = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "one")
    pooled = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "two")
    one = ingest(None, alone, embedder=embedder)
    two = ingest(None, pooled, embedder=embedder, jobs=2, progress=hooks)

    def lines(report: IngestReport) -> list[tuple[str, str, str, int, str]]:
        return sorted(
            (r.file, str(r.paper_id), r.status, r.chunks, str(r.error)) for r in report.results
        )

    assert lines(one) == lines(two) and len(two.failed) == 1
    assert ChunkStore.open(alone).read_chunks() == ChunkStore.open(pooled).read_chunks()
    assert told[0] == ("papers", 3) and told.count(("finished", None)) == 3
    assert sorted(str(name) for kind, name in told if kind == "paper") == sorted(
        r.file for r in two.results if r.status == "added"
    )
