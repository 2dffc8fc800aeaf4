"""The index self-check (`rag ingest --check`) and the HNSW parameters it relies on."""

from __future__ import annotations

from pathlib import Path

from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from rag.store import ChunkStore
from tests.utils.chroma import lose_vectors
from tests.utils.cli import run_rag


def test_check_finds_every_chunk_of_a_sound_index(corpus: Path, tmp_path: Path) -> None:
    done = run_rag(["ingest", "--check"], corpus, tmp_path / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    chunks = ChunkStore.open(
        Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")
    ).count()
    assert f"all {chunks} sampled chunks found by their own vector" in done.stderr


def test_check_fails_loudly_on_an_index_that_lost_its_vectors(
    corpus: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")
    assert not ingest(None, settings, embedder=embedder).failed
    lose_vectors(settings.resolved_chroma_path)
    done = run_rag(["ingest", "--check"], corpus, settings.data_dir)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "index check failed" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def hnsw_of(settings: Settings) -> dict[str, object]:
    """The HNSW configuration of the chunk collection these settings open."""
    return dict(ChunkStore.open(settings).chunks.configuration.get("hnsw") or {})


def test_the_graph_is_built_and_searched_as_the_settings_say(tmp_path: Path) -> None:
    base = Settings(_env_file=None, data_dir=tmp_path, hnsw_m=24, hnsw_ef_construction=150)
    hnsw = hnsw_of(base)
    assert (hnsw["max_neighbors"], hnsw["ef_construction"]) == (24, 150)
    assert hnsw["ef_search"] == base.hnsw_ef_search

    deeper = base.model_copy(update={"hnsw_ef_search": 400})
    assert hnsw_of(deeper)["ef_search"] == 400
    assert base.model_copy(update={"hnsw_m": 48}).index_name != base.index_name
    assert deeper.index_name == base.index_name


def test_the_graph_is_saved_as_often_as_the_settings_say(tmp_path: Path) -> None:
    # A process opening the index inserts every vector added since the last save again.
    base = Settings(_env_file=None, data_dir=tmp_path, hnsw_sync_threshold=30)
    assert hnsw_of(base)["sync_threshold"] == 30
    assert hnsw_of(base.model_copy(update={"hnsw_sync_threshold": 200}))["sync_threshold"] == 200
