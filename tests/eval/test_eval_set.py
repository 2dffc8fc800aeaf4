"""The eval set itself: well-formed, and its evidence quotes are really in the index."""

from __future__ import annotations

from collections import Counter

from eval.questions import load_questions
from rag.pipeline import Pipeline


def test_set_covers_every_category() -> None:
    questions = load_questions()
    assert len(questions) >= 60
    assert len({q.id for q in questions}) == len(questions)
    counts = Counter(q.category for q in questions)
    assert min(counts[c] for c in ("factual-p1", "factual-p2", "both", "unanswerable")) >= 8
    for q in questions:
        if q.answerable:
            assert q.key_facts and q.gold_papers and q.evidence, q.id


def test_every_evidence_quote_is_in_the_index(pipeline: Pipeline) -> None:
    snapshot = pipeline.retriever.snapshots.current()
    by_paper: dict[str, str] = {}
    for d in snapshot.docs:
        pid = str(d.metadata["paper_id"])
        by_paper[pid] = by_paper.get(pid, "") + "\n" + d.page_content
    for q in load_questions():
        for quote in q.evidence:
            assert any(quote in by_paper[p] for p in q.gold_papers), (q.id, quote)
