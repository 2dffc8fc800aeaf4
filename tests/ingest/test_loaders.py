"""Hostile and malformed PDFs through the real `rag ingest` process: named failures only."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.loaders import markdown_title
from rag.settings import Settings
from rag.store import ChunkStore
from tests.utils import hostile_pdfs as hostile
from tests.utils.cli import run_rag
from tests.utils.pdfs import make_pdf

CORPUS_PAPERS = {"russia-korea-policy-21st-century", "russia-korean-crisis-2018"}


def failures(stderr: str) -> dict[str, str]:
    """`failed: FILE: REASON` lines of an ingest run, by file."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("failed: "):
            name, _, reason = line.removeprefix("failed: ").partition(": ")
            out[name] = reason
    return out


def indexed(corpus: Path, data: Path) -> set[str]:
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=data)
    return set(ChunkStore.open(settings).papers())


def test_hostile_pdfs_fail_by_name_and_the_good_files_are_indexed(
    corpus: Path, tmp_path: Path
) -> None:
    good = make_pdf(
        tmp_path / "good.pdf",
        ["Vladivostok is the port of the Russian Far East."],
        title="A Good Paper",
    )
    (corpus / "flipped-filter.pdf").write_bytes(
        hostile.flip_a_bit_in_a_filter_name(good.read_bytes(), random.Random(2))
    )
    (corpus / "inflates-400mb.pdf").write_bytes(hostile.inflating_pdf(400))
    (corpus / "self-reference.pdf").write_bytes(hostile.self_referencing_kid_pdf())
    (corpus / "cyclic-parent.pdf").write_bytes(hostile.cyclic_parent_pdf())
    (corpus / "page-tree-loop.pdf").write_bytes(hostile.looping_page_tree_pdf())
    (corpus / "cached-bomb.pdf").write_bytes(hostile.cached_bomb_pdf(pages=8, megabytes=70))
    (corpus / "good.pdf").write_bytes(good.read_bytes())

    run = run_rag(["ingest"], corpus, tmp_path / "data", env={"RAG_MAX_PDF_MEMORY_MB": "400"})

    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output
    failed = failures(run.stderr)
    assert set(failed) == {
        "flipped-filter.pdf",
        "inflates-400mb.pdf",
        "self-reference.pdf",
        "cyclic-parent.pdf",
        "page-tree-loop.pdf",
        "cached-bomb.pdf",
    }, run.stderr
    assert "not support" in failed["flipped-filter.pdf"]
    assert "safety limit" in failed["inflates-400mb.pdf"]
    assert "RAG_MAX_PDF_MEMORY_MB" in failed["cached-bomb.pdf"]
    for reason in failed.values():
        assert reason.startswith(("cannot read the PDF", "the PDF")), reason
        assert str(corpus) not in reason and str(tmp_path) not in reason
    assert indexed(corpus, tmp_path / "data") == {*CORPUS_PAPERS, "good"}


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Field notes on wading birds\n\nHerons.", "Field notes on wading birds"),
        ("\n\n#  Closed heading  ##\nText.", "Closed heading"),
        ("Setext title\n============\n\nText.", "Setext title"),
        ("## A section first\n\nText.", None),
        ("Prose opens this file.\n\n# Later heading", None),
        ("#hashtag is not a heading", None),
        ("", None),
    ],
)
def test_a_markdown_title_is_its_opening_level_one_heading(text: str, title: str | None) -> None:
    assert markdown_title(text) == title
