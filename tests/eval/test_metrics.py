"""Answer metrics on hand-made cases with known values."""

from __future__ import annotations

import pytest

from eval.metrics import cites_gold_papers, has_key_facts, score_answers
from eval.questions import EvalQuestion
from rag.answer import Answer, Citation


def question(answerable: bool = True, **kw: object) -> EvalQuestion:
    base: dict[str, object] = {
        "id": "x",
        "question": "q?",
        "category": "factual-p1" if answerable else "unanswerable",
        "answerable": answerable,
        "reference_answer": "r",
        "key_facts": ["May 15,? 2000", "credentials"],
        "gold_papers": ["p1"],
    }
    return EvalQuestion.model_validate(base | kw)


def answer(text: str, papers: tuple[str, ...] = ("p1",), answered: bool = True) -> Answer:
    cites = [
        Citation(n=i + 1, chunk_id=f"{p}:c", paper_id=p, title="T", page=1, text="t")
        for i, p in enumerate(papers)
    ]
    return Answer(answer=text, answered=answered, citations=cites, backend="test")


def test_key_facts_need_every_pattern() -> None:
    q = question()
    assert has_key_facts(answer("On May 15 2000 he presented CREDENTIALS."), q)
    assert not has_key_facts(answer("On May 15, 2000 he spoke."), q)
    assert not has_key_facts(answer("May 15, 2000 credentials", answered=False), q)


def test_right_papers_needs_every_gold_paper() -> None:
    q = question(gold_papers=["p1", "p2"])
    assert cites_gold_papers(answer("a", ("p1", "p2", "p3")), q)
    assert not cites_gold_papers(answer("a", ("p1",)), q)


def test_scores_are_shares_over_their_own_questions() -> None:
    good, bad = question(), question()
    off_topic = question(answerable=False, key_facts=[], gold_papers=[])
    scores = score_answers(
        [
            (good, answer("May 15, 2000, credentials")),
            (bad, answer("no", answered=False)),
            (off_topic, answer("refused", (), answered=False)),
        ]
    )
    assert scores.key_facts == pytest.approx(0.5)
    assert scores.right_papers == pytest.approx(0.5)
    assert scores.false_refusals == pytest.approx(0.5)
    assert scores.refused_unanswerable == pytest.approx(1.0)
    assert score_answers([]).key_facts is None
