"""The extractive backend on the whole eval set, held to the issue's acceptance numbers.

Deterministic: the same model, index and questions give the same answers, so a change
that costs a key fact or a refusal fails here rather than in a user's hands.
"""

from __future__ import annotations

from eval.metrics import score_answers
from eval.questions import load_questions
from rag.pipeline import Pipeline


def test_extractive_answers_meet_the_bar(pipeline: Pipeline) -> None:
    pairs = [(q, pipeline.ask(q.question)) for q in load_questions()]
    scores = score_answers(pairs)
    assert scores.right_papers is not None and scores.right_papers >= 0.95
    assert scores.refused_unanswerable is not None and scores.refused_unanswerable >= 0.90
    assert scores.false_refusals is not None and scores.false_refusals <= 0.05
    assert scores.key_facts is not None and scores.key_facts >= 0.90
    for q, a in pairs:
        if a.answered:
            assert a.citations and a.backend == "extractive", q.id
        else:
            assert a.related and not a.citations, q.id
