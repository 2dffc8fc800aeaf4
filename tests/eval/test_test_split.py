"""The real-paper `test` split, scored by `rag eval` as CI runs it, held to today's figures.

The `test` papers (S2ORC and LongEval, the two committed PDFs) are never tuned on, so
these are out-of-sample figures: a change that costs one of their questions a key fact,
a right paper or a refusal fails here. They are floors at what the extractive backend
measures over the seed corpus and these two papers, not the issue's bar; raise them as
answering improves.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.questions import REAL_PAPERS_SET
from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings
from tests.conftest import CORPUS, ROOT
from tests.utils.cli import run_rag

TEST_PAPERS = ROOT / "tests" / "fixtures" / "papers"
# Measured on 2026-12-03 (40 answerable questions, 8 unanswerable): correct 18/40, right
# papers 38/40, gold passage in the top 5 22/40, refusal recall 6/8, false refusals
# 2/40. Each limit sits just past the figure, so losing one question fails.
LIMITS = {
    "correct": 0.449,
    "right_papers": 0.949,
    "evidence_hit": 0.549,
    "refusal_recall": 0.749,
    "false_refusals": 0.051,
}


@pytest.fixture(scope="module")
def test_papers_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Settings:
    """The seed corpus with the two `test` papers, ingested once."""
    corpus = tmp_path_factory.mktemp("test-split") / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns(".*"))
    for pdf in sorted(TEST_PAPERS.glob("*.pdf")):
        shutil.copy(pdf, corpus / pdf.name)
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=corpus.parent / "data")
    assert not ingest(None, settings, embedder=embedder).failed
    return settings


def test_the_test_split_holds_its_figures(test_papers_index: Settings, tmp_path: Path) -> None:
    limits = [arg for name, value in LIMITS.items() for arg in ("--fail-under", f"{name}={value}")]
    args = ["eval", "--set", str(REAL_PAPERS_SET), "--split", "test", "--no-calibrate"]
    done = run_rag(
        [*args, *limits, "--out", str(tmp_path)],
        test_papers_index.corpus_dir,
        test_papers_index.data_dir,
    )
    report = json.loads((tmp_path / "report.json").read_text())
    figures = {name: report["overall"][name] for name in LIMITS}
    assert done.returncode == 0, (figures, done.stdout[-2000:], done.stderr[-2000:])
    assert report["split"] == "test" and report["questions_asked"] == 48
