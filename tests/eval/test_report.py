"""Reports from hand-made results: summaries, comparisons, thresholds, the Markdown and HTML."""

from __future__ import annotations

from eval.faithfulness import JudgedSentence
from eval.html import render
from eval.metrics import QuestionResult, question_metrics
from eval.report import (
    Report,
    build_report,
    compare,
    markdown,
    question_changes,
    threshold_failures,
)
from rag.support import SentenceVerdict
from rag.types import Answer, Citation
from tests.eval.test_metrics import GOLD, question


def report(answered: bool, latency: float) -> Report:
    q = question(id="q1", key_facts=["war"])
    cite = Citation(n=1, chunk_id="c", paper_id="p1", title="Paper <One>", page=3, text=GOLD)
    a = Answer(
        answer="Russia does not want a war in Korea. [1]" if answered else "The papers do not say.",
        answered=answered,
        citations=[cite] if answered else [],
        backend="extractive",
    )
    sentence = JudgedSentence(GOLD, (1,), SentenceVerdict(True, 1.0))
    judged = [sentence] if answered else []
    metrics = question_metrics(q, a, 1.0 if answered else None, 5)
    result = QuestionResult(q, a, latency, judged, metrics)
    off = question(id="q2", answerable=False)
    refusal = Answer(answer="The papers do not say.", answered=False, backend="extractive")
    refused = QuestionResult(off, refusal, latency, [], question_metrics(off, refusal, None, 5))
    return build_report(
        [result, refused],
        question_set="set.jsonl",
        target="in-process",
        backend="extractive",
        judge="offline",
        top_k=5,
        duration_s=1.0,
        calibration=None,
    )


def test_report_summarises_overall_and_by_category() -> None:
    r = report(answered=True, latency=10)
    assert r.overall["key_facts"] == 1.0 and r.overall["refusal_recall"] == 1.0
    assert set(r.by_category) == {"factual-p1", "unanswerable"}
    assert r.by_category["unanswerable"]["key_facts"] is None
    assert r.questions[0].citations[0].page == 3
    assert r.questions[0].missed_evidence == []


def test_compare_says_what_improved_and_what_regressed() -> None:
    good, bad = report(answered=True, latency=10), report(answered=False, latency=50)
    verdicts = {(c.metric, c.scope): c.verdict for c in compare(good, bad)}
    assert verdicts[("key_facts", "overall")] == "regressed"
    assert verdicts[("latency_p50_ms", "overall")] == "regressed"
    assert verdicts[("refusal_recall", "overall")] == "same"
    back = {(c.metric, c.scope): c.verdict for c in compare(bad, good)}
    assert back[("key_facts", "overall")] == "improved"
    assert back[("false_refusals", "overall")] == "improved"
    assert question_changes(good, bad) == ["q1: now refused", "q1: key facts lost"]


def test_thresholds_fail_under_for_shares_and_over_for_latency() -> None:
    bad = report(answered=False, latency=50)
    failures = threshold_failures(bad, {"key_facts": 0.9, "latency_p95_ms": 20, "mrr": 0.0})
    assert [f.split(" ")[0] for f in failures] == ["key_facts", "latency_p95_ms", "mrr"]
    assert "not measured" in failures[2]
    assert threshold_failures(report(answered=True, latency=10), {"key_facts": 0.9}) == []


def test_markdown_and_html_show_metrics_and_each_question() -> None:
    r = report(answered=False, latency=10)
    md = markdown(r)
    assert "| key_facts | 0.0% | 0.0% | - |" in md
    assert "**q1** (factual-p1): refused an answerable question" in md
    page = render(r)
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert page.count("<svg") == len(r.overall)
    assert page.count("<details>") == 2
    good = render(report(answered=True, latency=10))
    assert "Paper &lt;One&gt;, p. 3" in good and "supported (1.00)" in good
