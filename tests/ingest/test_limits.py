"""A paper's chunks and indexing time are bounded, and repeated passages are stored once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from rag.store import ChunkStore


def paragraphs(count: int) -> str:
    """`count` different paragraphs, each a few sentences long."""
    return "\n\n".join(
        f"Paragraph {n} says the port handled {n * 7} ships in year {1900 + n}. "
        f"It also says the railway carried {n * 13} tonnes of grain that season."
        for n in range(count)
    )


def settings_for(corpus: Path, tmp_path: Path, **limits: Any) -> Settings:
    return Settings(
        _env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data", chunk_size=200, **limits
    )


class CountingEmbedder(SentenceTransformerEmbedder):
    """The real model, counting the batches it embeds."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        super().__init__(real.model_name, batch_size=8)
        self._model = real._load()
        self.batches = 0

    def embed_batch(self, texts: list[str]) -> list[list[float]]:  # type: ignore[override]
        self.batches += 1
        return super().embed_batch(texts)


def test_repeated_passages_are_embedded_and_stored_once(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    salad = "The ship sailed the grain north to Vladivostok. " * 3
    (corpus / "salad.md").write_text(
        "# Salad\n\n" + "\n\n".join([salad] * 40) + "\n\n" + paragraphs(3), "utf-8"
    )
    settings = settings_for(corpus, tmp_path)
    report = ingest(None, settings, embedder=embedder)
    assert not report.failed
    stored = ChunkStore.open(settings).chunks.get(include=["documents"])["documents"] or []
    assert len(stored) == len(set(stored)) == report.chunks
    assert report.chunks < 40  # one chunk per repeat, at the least, if repeats were kept


def test_a_paper_over_the_chunk_limit_is_refused_by_name(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.md").write_text("# Long\n\n" + paragraphs(40), "utf-8")
    (corpus / "short.md").write_text("# Short\n\n" + paragraphs(2), "utf-8")
    settings = settings_for(corpus, tmp_path, max_chunks_per_paper=10)
    report = ingest(None, settings, embedder=embedder)
    assert [(r.file, r.status) for r in report.results] == [
        ("long.md", "failed"),
        ("short.md", "added"),
    ]
    reason = report.failed[0].error or ""
    assert "RAG_MAX_CHUNKS_PER_PAPER" in reason and "10" in reason
    assert set(ChunkStore.open(settings).papers()) == {"short"}


def test_a_paper_over_the_time_limit_is_stopped_early_and_nothing_written(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "slow.md").write_text("# Slow\n\n" + paragraphs(60), "utf-8")
    settings = settings_for(corpus, tmp_path, max_index_seconds_per_paper=0.001)
    counting = CountingEmbedder(embedder)
    report = ingest(None, settings, embedder=counting)
    assert [(r.file, r.status) for r in report.results] == [("slow.md", "failed")]
    assert "RAG_MAX_INDEX_SECONDS_PER_PAPER" in (report.failed[0].error or "")
    assert counting.batches == 1
    store = ChunkStore.open(settings)
    assert store.papers() == {} and store.count() == 0
