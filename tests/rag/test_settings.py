from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import Settings


def test_env_prefix_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_CHUNK_SIZE", "800")
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:9000")
    s = Settings(_env_file=None)
    assert s.chunk_size == 800
    assert s.chroma_url == "http://127.0.0.1:9000"
    assert s.embedding_model == "sentence-transformers/all-MiniLM-L6-v2"
    assert s.resolved_chroma_path == Path("data/chroma")


def test_invalid_values_are_rejected() -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(_env_file=None, chunk_size=500, chunk_overlap=500)
    with pytest.raises(ValidationError, match="chroma_url"):
        Settings(_env_file=None, chroma_url="localhost")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, unknown_field=1)  # type: ignore[call-arg]


def test_index_name_tracks_what_shapes_the_index() -> None:
    base = Settings(_env_file=None)
    assert base.index_name == Settings(_env_file=None).index_name
    assert base.index_name != Settings(_env_file=None, chunk_size=800).index_name
    assert base.index_name != Settings(_env_file=None, embedding_model="x/y").index_name
