"""A broken papers.toml is reported by file name, entry and field, never by server path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from rag.errors import RagError
from tests.utils.cli import run_rag


def test_a_wrong_field_names_the_entry_and_field_without_the_server_path(
    corpus: Path, tmp_path: Path
) -> None:
    catalog = corpus / "papers.toml"
    catalog.write_text(
        catalog.read_text("utf-8").replace("year = 2018", 'year = "next spring"'), "utf-8"
    )
    run = run_rag(["ingest"], corpus, tmp_path / "data")
    message = run.stderr.replace("\n", " ")
    assert run.returncode == 2, run.stderr
    assert "papers.toml" in message and "002_fb44eeff083fdf3e.txt" in message
    assert "year" in message and "valid integer" in message
    assert str(corpus) not in message.replace(" ", "")
    assert "validation error for" not in message and "errors.pydantic.dev" not in message
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[paper]]\nfile = 'a.pdf'\nid = 'a'\n", ["number 1", "title", "required"]),
        ("[[paper]]\nfile = 'a.pdf'\nid = 'a'\ntitle = 'A'\ncolour = 'red'\n", ["colour"]),
        ("[[paper]]\nid = 'a'\ntitle = 'A'\n", ["number 1", "file"]),
        ("[[paper]]\nfile = 7\nid = 'a'\ntitle = 'A'\n", ["number 1", "file"]),
        ("paper = 3\n", ["[[paper]]"]),
        ("[paper]\nfile = 'a.pdf'\n", ["[[paper]]"]),
        ("[[paper]]\nfile = 'a.pdf'\nid = \n", ["not valid TOML", "line 3"]),
    ],
)
def test_each_broken_catalog_is_a_plain_error(tmp_path: Path, text: str, words: list[str]) -> None:
    (tmp_path / "papers.toml").write_text(text, "utf-8")
    with pytest.raises(RagError) as caught:
        load_catalog(tmp_path)
    message = str(caught.value)
    assert message.startswith("papers.toml")
    assert str(tmp_path) not in message
    for word in words:
        assert word in message, message
