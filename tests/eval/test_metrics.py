"""Every metric on hand-made cases with known values."""

from __future__ import annotations

import pytest

from eval.metrics import (
    QuestionResult,
    citation_precision,
    citation_recall,
    cites_gold_papers,
    has_key_facts,
    percentile,
    question_metrics,
    summarise,
    token_f1,
)
from eval.questions import EvalQuestion
from rag.types import Answer, Citation, Retrieved

GOLD = "Russia does not want a war in Korea."


def question(answerable: bool = True, **kw: object) -> EvalQuestion:
    base: dict[str, object] = {
        "id": "x",
        "question": "q?",
        "category": "factual-p1" if answerable else "unanswerable",
        "answerable": answerable,
        "reference_answer": "Russia does not want a war in Korea",
        "key_facts": ["May 15,? 2000", "credentials"],
        "gold_papers": ["p1"],
        "evidence": [GOLD] if answerable else [],
    }
    return EvalQuestion.model_validate(base | kw)


def cite(n: int, paper: str = "p1", text: str = "t") -> Citation:
    return Citation(n=n, chunk_id=f"{paper}:{n}", paper_id=paper, title="T", page=1, text=text)


def answer(
    text: str,
    papers: tuple[str, ...] = ("p1",),
    answered: bool = True,
    texts: tuple[str, ...] = (),
    retrieved: tuple[str, ...] = (),
) -> Answer:
    cites = [cite(i + 1, p, texts[i] if i < len(texts) else "t") for i, p in enumerate(papers)]
    ranked = [
        Retrieved(rank=i + 1, score=0.0, chunk_id=f"r{i}", paper_id="p1", title="T", page=1, text=t)
        for i, t in enumerate(retrieved)
    ]
    return Answer(answer=text, answered=answered, citations=cites, retrieved=ranked, backend="test")


def result(
    q: EvalQuestion, a: Answer, ms: float = 10.0, faithful: float | None = 1.0
) -> QuestionResult:
    return QuestionResult(q, a, ms, metrics=question_metrics(q, a, faithful, top_k=2))


def test_key_facts_need_every_pattern() -> None:
    q = question()
    assert has_key_facts(answer("On May 15 2000 he presented CREDENTIALS."), q)
    assert not has_key_facts(answer("On May 15, 2000 he spoke."), q)
    assert not has_key_facts(answer("May 15, 2000 credentials", answered=False), q)


def test_right_papers_needs_every_gold_paper() -> None:
    q = question(gold_papers=["p1", "p2"])
    assert cites_gold_papers(answer("a", ("p1", "p2", "p3")), q)
    assert not cites_gold_papers(answer("a", ("p1",)), q)


def test_citation_precision_and_recall_count_passages_holding_gold_evidence() -> None:
    q = question(evidence=[GOLD, "Second quote here."])
    a = answer("a", ("p1", "p1", "p2"), texts=(f"x {GOLD} y", "nothing", "nothing"))
    assert citation_precision(a, q) == pytest.approx(1 / 3)
    assert citation_recall(a, q) == pytest.approx(1 / 2)
    refusal = answer("no", (), answered=False)
    assert citation_precision(refusal, q) is None
    assert citation_recall(refusal, q) == 0.0


def test_token_f1_ignores_case_punctuation_articles_and_markers() -> None:
    assert token_f1("Russia does not want a WAR in Korea. [1]", GOLD) == pytest.approx(1.0)
    # "russia" and "war" are shared: precision 2/4, recall 2/6.
    assert token_f1("Russia wants war peace", "Russia does not want war ever") == pytest.approx(
        2 * (2 / 4) * (2 / 6) / (2 / 4 + 2 / 6)
    )
    assert token_f1("nothing shared", GOLD) == 0.0


def test_retrieval_metrics_use_the_ranked_passages_up_to_k() -> None:
    q = question()
    third = answer("a", retrieved=("a", "b", GOLD))
    assert question_metrics(q, third, 1.0, top_k=2)["evidence_recall"] == 0.0
    assert question_metrics(q, third, 1.0, top_k=2)["mrr"] == 0.0
    assert question_metrics(q, third, 1.0, top_k=3)["mrr"] == pytest.approx(1 / 3)
    unknown = question_metrics(q, answer("a"), 1.0, top_k=2)
    assert unknown["evidence_recall"] is None and unknown["mrr"] is None
    second = question_metrics(q, answer("a", retrieved=("a", GOLD)), 1.0, top_k=2)
    assert second["evidence_recall"] == 1.0 and second["mrr"] == 0.5


def test_summary_counts_refusals_both_ways_and_skips_what_does_not_apply() -> None:
    good = result(question(), answer("May 15, 2000, credentials", retrieved=(GOLD,)), 10)
    refused = result(question(), answer("no", (), False, retrieved=("x",)), 20, faithful=None)
    off_topic = result(question(answerable=False), answer("no", (), answered=False), 30, None)
    answered_off = result(question(answerable=False), answer("yes"), 40, faithful=0.5)
    scores = summarise([good, refused, off_topic, answered_off])
    assert scores["key_facts"] == pytest.approx(0.5)
    assert scores["right_papers"] == pytest.approx(0.5)
    assert scores["evidence_recall"] == pytest.approx(0.5)
    assert scores["faithfulness"] == pytest.approx(0.75)
    assert scores["false_refusals"] == pytest.approx(0.5)
    assert scores["refusal_recall"] == pytest.approx(0.5)
    assert scores["refusal_precision"] == pytest.approx(0.5)
    assert scores["latency_p50_ms"] == 20 and scores["latency_p95_ms"] == 40
    empty = summarise([])
    assert empty["key_facts"] is None and empty["refusal_precision"] is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0
    assert percentile(list(map(float, range(1, 101))), 0.95) == 95.0
    assert percentile([], 0.5) is None
