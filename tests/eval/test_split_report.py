"""A report of several splits scores each one apart, so both are always reported."""

from __future__ import annotations

import json
from pathlib import Path

from eval.html import render
from eval.metrics import QuestionResult, question_metrics
from eval.report import Report, build_report, load_report, markdown
from rag.types import Answer, Citation
from tests.eval.test_metrics import GOLD, question


def result(id: str, split: str, right: bool) -> QuestionResult:
    q = question(id=id, split=split, key_facts=["war"])
    cited = [Citation(n=1, chunk_id="c", paper_id="p1", title="T", page=1, text=GOLD)]
    text = "Russia does not want a war in Korea. [1]" if right else "Nothing of use. [1]"
    a = Answer(answer=text, answered=True, citations=cited, backend="extractive")
    return QuestionResult(q, a, 5.0, [], question_metrics(q, a, 1.0, 5))


def two_splits() -> Report:
    return build_report(
        [result("d1", "dev", True), result("t1", "test", False), result("t2", "test", True)],
        question_set="a.jsonl, b.jsonl",
        split="all",
        target="in-process",
        backend="extractive",
        judge="offline",
        top_k=5,
        duration_s=1.0,
        calibration=None,
    )


def test_each_split_is_scored_apart_and_shown() -> None:
    r = two_splits()
    assert r.split == "all" and r.overall["key_facts"] == 2 / 3
    assert r.by_split["dev"]["key_facts"] == 1.0 and r.by_split["test"]["key_facts"] == 0.5
    assert [q.split for q in r.questions] == ["dev", "test", "test"]
    md = markdown(r)
    assert "questions of split `all` from `a.jsonl, b.jsonl`" in md
    assert "## By split" in md and "| key_facts | 100.0% | 50.0% |" in md
    assert "<h2>By split</h2>" in render(r)


def test_a_report_from_before_splits_still_loads(tmp_path: Path) -> None:
    old = two_splits().model_dump(exclude={"split", "by_split"})
    for q in old["questions"]:
        del q["split"]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(old))
    back = load_report(path)
    assert back.split == "all" and back.by_split == {} and back.questions[0].split == "dev"
