"""`rag eval` as a user runs it: a real process, in-process pipeline or a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from eval.questions import REAL_PAPERS_SET, SplitChoice, in_split, load_questions
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.conftest import free_port
from tests.utils.cli import run_rag
from tests.utils.servers import serving

REPORTS = ("report.json", "report.md", "report.html")


@pytest.fixture(scope="module")
def server_url(indexed_settings: Settings, pipeline: Pipeline) -> Iterator[str]:
    with serving(create_app(indexed_settings, pipeline), free_port()) as url:
        yield url


def eval_cli(args: list[str], settings: Settings) -> tuple[int, str]:
    done = run_rag(["eval", *args], settings.corpus_dir, settings.data_dir)
    return done.returncode, done.stdout + done.stderr


def test_eval_in_process_writes_every_report(indexed_settings: Settings, tmp_path: Path) -> None:
    code, out = eval_cli(["--limit", "5", "--out", str(tmp_path)], indexed_settings)
    assert code == 0, out
    assert "evidence_recall" in out and "balanced accuracy" in out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["questions_asked"] == 5 and report["target"] == "in-process"
    assert report["calibration"]["balanced_accuracy"] >= 0.9
    assert report["overall"]["key_facts"] is not None
    assert all(q["sentences"] for q in report["questions"] if q["answered"])
    assert "| metric | overall |" in (tmp_path / "report.md").read_text()
    html = (tmp_path / "report.html").read_text()
    assert html.count("<details>") == 5 and html.count("<svg") == len(report["overall"])


def test_eval_over_http_holds_the_bar_and_compares(
    indexed_settings: Settings, server_url: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    code, out = eval_cli(
        ["--url", server_url, "--limit", "3", "--no-calibrate", "--out", str(first)],
        indexed_settings,
    )
    assert code == 0, out
    report = json.loads((first / "report.json").read_text())
    assert report["target"] == f"over HTTP at {server_url}" and report["calibration"] is None
    assert all((first / name).exists() for name in REPORTS)
    code, out = eval_cli(
        ["--url", server_url, "--limit", "4", "--no-calibrate", "--out", str(second),
         "--fail-under", "key_facts=1.01", "--fail-under", "false_refusals=1"],
        indexed_settings,
    )  # fmt: skip
    assert code == 1, out
    assert "key_facts" in out and "limit 1.01" in out and "false_refusals =" not in out
    assert all((second / name).exists() for name in REPORTS)
    code, out = eval_cli(
        ["--compare", str(first / "report.json"), str(second / "report.json")], indexed_settings
    )
    assert code == 0, out
    assert "key_facts" in out and "overall" in out


def test_eval_rejects_bad_options(indexed_settings: Settings) -> None:
    code, out = eval_cli(["--fail-under", "speed=3"], indexed_settings)
    assert code == 2 and "expected METRIC=VALUE" in out
    code, out = eval_cli(["--url", "http://127.0.0.1:9", "--backend", "openai"], indexed_settings)
    assert code == 2 and "own backend" in out
    code, out = eval_cli(
        ["--url", f"http://127.0.0.1:{free_port()}", "--no-calibrate", "--limit", "1"],
        indexed_settings,
    )
    assert code == 2 and "cannot reach" in out


def test_eval_scores_only_the_split_asked_for(indexed_settings: Settings, tmp_path: Path) -> None:
    code, out = eval_cli(
        ["--set", str(REAL_PAPERS_SET), "--split", "test", "--limit", "3", "--no-calibrate",
         "--out", str(tmp_path)],
        indexed_settings,
    )  # fmt: skip
    assert code == 0, out
    report = json.loads((tmp_path / "report.json").read_text())
    test_ids = {q.id for q in in_split(load_questions(REAL_PAPERS_SET), SplitChoice.test)}
    assert report["split"] == "test" and report["question_set"] == str(REAL_PAPERS_SET)
    assert len(report["questions"]) == 3 and {q["id"] for q in report["questions"]} <= test_ids
    assert "split `test`" in (tmp_path / "report.md").read_text()
    assert "split <code>test</code>" in (tmp_path / "report.html").read_text()
    code, out = eval_cli(["--split", "test", "--no-calibrate"], indexed_settings)
    assert code == 2 and "no questions of split test" in out
