from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from rag.cli import app
from rag.settings import SECTION_DESCRIPTIONS, Section, Settings, sections_of
from rag.settings_table import markdown_table


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
    """README's `## Settings` from its first `### ` section heading to the next `## ` heading."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    settings = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return settings[settings.index("\n### ") + 1 :].rstrip("\n")


def test_readme_settings_table_is_what_rag_settings_prints() -> None:
    printed = CliRunner().invoke(app, ["settings"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == markdown_table() + "\n"
    assert readme_settings_table() == markdown_table(), (
        "README's settings tables are stale: paste the output of `rag settings` into them"
    )


def test_every_setting_has_a_row_with_its_description() -> None:
    rows = [r for r in markdown_table().splitlines() if r.startswith("| `")]
    assert [r.split(" | ")[0] for r in rows] == [
        f"| `RAG_{n.upper()}`" for section in Section for n in Settings.section_fields(section)
    ]
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description= for the README"
    assert "| `RAG_RATE_LIMIT` | `120/minute` | " in markdown_table()
    assert "`N/second\\|minute\\|hour`" in markdown_table()


def test_every_field_has_exactly_one_known_section_and_keeps_its_env_name() -> None:
    for name, field in Settings.model_fields.items():
        assert len(sections_of(field)) == 1, f"{name}'s type must name one Section: Annotated[T, …]"
        assert field.alias is None and field.validation_alias is None, f"{name} is renamed"
    grouped = [name for section in Section for name in Settings.section_fields(section)]
    assert sorted(grouped) == sorted(Settings.model_fields)
    assert all(Settings.section_fields(section) for section in Section), "a section is empty"
    assert list(SECTION_DESCRIPTIONS) == list(Section)
    assert all(d.endswith(".") and "\n" not in d for d in SECTION_DESCRIPTIONS.values())


def test_a_section_by_name_in_code_and_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAG_LLM_MODEL", "qwen")
    llm = Settings(_env_file=None).section("llm")
    assert llm["llm_model"] == "qwen" and "backend" not in llm and "chunk_size" not in llm
    with pytest.raises(ValueError, match="the sections: corpus, index"):
        Settings(_env_file=None).section("chunking")
    printed = CliRunner().invoke(app, ["settings", "--section", "retrieval"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == markdown_table([Section.RETRIEVAL]) + "\n"
    assert printed.stdout.startswith("### retrieval\n")
    assert "RAG_MIN_SIMILARITY_RATIO" in printed.stdout and "RAG_CHUNK_SIZE" not in printed.stdout
    unknown = CliRunner().invoke(app, ["settings", "--section", "chunking"])
    assert unknown.exit_code == 2 and "retrieval" in unknown.output
