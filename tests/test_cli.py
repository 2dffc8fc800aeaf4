"""The `rag` command as a user runs it: a real process on a copy of the corpus."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import rispy

from rag.settings import Settings
from tests.utils.cli import RAG, run_rag


def test_help_explains_every_option(tmp_path: Path) -> None:
    out = run_rag(["ingest", "--help"], tmp_path, tmp_path).stdout
    for option in ("--reset", "--prune", "PATH"):
        assert option in out
    assert "Remove indexed papers" in out and "rebuild it from scratch" in out
    assert "ingest" in run_rag(["--help"], tmp_path, tmp_path).stdout


def test_ingest_prints_papers_and_fails_on_a_bad_file(corpus: Path, tmp_path: Path) -> None:
    first = run_rag(["ingest"], corpus, tmp_path / "data")
    assert first.returncode == 0, first.stderr
    assert "2 papers" in first.stdout
    assert "Russia's Korea Policy in the 21st Century" in first.stdout
    assert "Russia and the Korean Crisis" in first.stdout
    assert first.stdout.count("added") == 2

    (corpus / "broken.pdf").write_text("not really a pdf", encoding="utf-8")
    second = run_rag(["ingest"], corpus, tmp_path / "data")
    assert second.returncode == 1
    assert "broken.pdf: not a PDF file" in second.stderr
    assert second.stdout.count("unchanged") == 2


def test_bad_settings_are_reported_plainly(corpus: Path, tmp_path: Path) -> None:
    env_run = subprocess.run(
        [RAG, "ingest"],
        capture_output=True,
        text=True,
        env={**os.environ, "RAG_CHUNK_SIZE": "10", "RAG_DATA_DIR": str(tmp_path)},
        timeout=120,
        check=False,
    )
    assert env_run.returncode != 0
    assert "chunk_size" in env_run.stderr


def test_ask_prints_answer_with_sources_and_json(corpus: Path, tmp_path: Path) -> None:
    assert run_rag(["ingest"], corpus, tmp_path / "data").returncode == 0
    text = run_rag(
        ["ask", "How far is Vladivostok from the North Korean border?"], corpus, tmp_path / "data"
    )
    assert text.returncode == 0, text.stderr
    assert "100 km from the North Korean border" in text.stdout
    assert "Sources:" in text.stdout and "Russia and the Korean Crisis (p. 1" in text.stdout
    raw = run_rag(["ask", "--json", "Give me a recipe for apple pie."], corpus, tmp_path / "data")
    import json

    data = json.loads(raw.stdout)
    assert data["answered"] is False and data["related"]
    bad = run_rag(["ask", "   "], corpus, tmp_path / "data")
    assert bad.returncode == 2 and "question" in bad.stderr


def test_cite_prints_each_format_and_fails_plainly(indexed_settings: Settings) -> None:
    corpus, data = indexed_settings.corpus_dir, indexed_settings.data_dir
    bib = run_rag(["cite", "russia-korean-crisis-2018"], corpus, data)
    assert bib.returncode == 0, bib.stderr
    assert bib.stdout.startswith("@article{russia-korean-crisis-2018,")
    ris = run_rag(["cite", "russia-korean-crisis-2018", "--format", "ris"], corpus, data)
    assert rispy.loads(ris.stdout)[0]["authors"] == ["Koslov, Anton"]
    unknown = run_rag(["cite", "nope"], corpus, data)
    assert unknown.returncode == 2 and "no paper with id 'nope'" in unknown.stderr
    bad = run_rag(["cite", "russia-korean-crisis-2018", "--format", "endnote"], corpus, data)
    assert bad.returncode == 2 and "format" in bad.stderr


def test_an_unexpected_crash_exits_70_with_its_traceback_in_the_log(
    corpus: Path, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "chroma-is-a-file"
    not_a_folder.write_text("in the way", encoding="utf-8")
    run = run_rag(["ingest"], corpus, tmp_path / "data", env={"RAG_CHROMA_PATH": str(not_a_folder)})
    assert run.returncode == 70, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "unexpected" in errors[0]
    assert "Traceback" in run.stderr and "FileExistsError" in run.stderr
