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


def test_llm_settings_validate_and_keep_the_key_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-very-secret")
    s = Settings(_env_file=None, backend="openai", llm_base_url="http://127.0.0.1:8080/v1")
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(s) and "sk-very-secret" not in s.model_dump_json()
    with pytest.raises(ValidationError, match="llm_base_url"):
        Settings(_env_file=None, llm_base_url="127.0.0.1:8080")
    with pytest.raises(ValidationError, match="grounding"):
        Settings(_env_file=None, grounding="sometimes")


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"`RAG_{name.upper()}`" in readme, name
