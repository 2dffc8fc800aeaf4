from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from rag.cli import app
from rag.settings import Settings
from rag.settings_table import HEADER, markdown_table


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


def readme_settings_table() -> str:
    """The table under README's `## Settings`: its header line and every row after it."""
    lines = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8").splitlines()
    start = lines.index(HEADER[0])
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[start:end])


def test_readme_settings_table_is_what_rag_settings_prints() -> None:
    printed = CliRunner().invoke(app, ["settings"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == markdown_table() + "\n"
    assert readme_settings_table() == markdown_table(), (
        "README's settings table is stale: paste the output of `rag settings` into it"
    )


def test_every_setting_has_a_row_with_its_description() -> None:
    rows = markdown_table().splitlines()[len(HEADER) :]
    assert [r.split(" | ")[0] for r in rows] == [
        f"| `RAG_{n.upper()}`" for n in Settings.model_fields
    ]
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description= for the README"
    assert "| `RAG_RATE_LIMIT` | `120/minute` | " in markdown_table()
    assert "`N/second\\|minute\\|hour`" in markdown_table()
