"""The extractive backend on the whole eval set, held to the answering issue's numbers.

Deterministic: the same model, index and questions give the same answers, so a change
that costs a key fact, a refusal or a faithful sentence fails here rather than in a
user's hands.
"""

from __future__ import annotations

from eval.faithfulness import OfflineJudge
from eval.metrics import summarise
from eval.questions import load_questions
from eval.runner import run
from rag.pipeline import Pipeline
from rag.types import Answer


def test_extractive_answers_meet_the_bar(pipeline: Pipeline) -> None:
    def ask(question: str, top_k: int) -> Answer:
        return pipeline.ask(question, top_k=top_k)

    results = run(load_questions(), ask, OfflineJudge())
    scores = summarise(results)
    assert (scores["right_papers"] or 0) >= 0.95
    assert (scores["refusal_recall"] or 0) >= 0.90
    assert scores["false_refusals"] is not None and scores["false_refusals"] <= 0.05
    assert (scores["key_facts"] or 0) >= 0.90
    assert (scores["evidence_recall"] or 0) >= 0.90
    assert (scores["faithfulness"] or 0) >= 0.95
    for r in results:
        if r.answer.answered:
            assert r.answer.citations and r.answer.backend == "extractive", r.question.id
        else:
            assert r.answer.related and not r.answer.citations, r.question.id
