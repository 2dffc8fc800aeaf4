"""The eval sets themselves: well-formed, split by paper, and their evidence quotes are
really in the text the system indexes."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from eval.metrics import holds_evidence
from eval.questions import REAL_PAPERS_SET, SplitChoice, in_split, load_questions
from ingest.catalog import paper_id_for
from ingest.indexer import prepare
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import Chunk


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
    snapshot = pipeline.view()
    by_paper: dict[str, str] = {}
    for d in snapshot.docs:
        pid = str(d.metadata["paper_id"])
        by_paper[pid] = by_paper.get(pid, "") + "\n" + d.page_content
    for q in load_questions():
        for quote in q.evidence:
            assert any(quote in by_paper[p] for p in q.gold_papers), (q.id, quote)


# The real-papers set: split by paper, and checked against the committed papers' text.
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "papers"
COMMITTED = sorted(FIXTURES.glob("*.pdf"))
REAL = load_questions(REAL_PAPERS_SET)
NEW_CATEGORIES = ("factual", "paraphrased", "numeric", "how-why", "cross-paper", "metadata")


@cache
def committed_chunks() -> dict[str, list[Chunk]]:
    """The committed papers' chunks as ingest makes them, by the id a file without a catalog
    entry gets: what an index of those files holds."""
    settings = Settings(_env_file=None)
    return {paper_id_for(p): prepare(p, None, "test", settings).chunks for p in COMMITTED}


def test_real_papers_set_has_the_mix_asked_for() -> None:
    assert len(REAL) >= 80
    ids = [q.id for q in [*load_questions(), *REAL]]
    assert len(set(ids)) == len(ids)
    counts: Counter[str] = Counter(q.category for q in REAL)
    assert counts["unanswerable"] >= 15
    assert counts["paraphrased"] >= len(REAL) / 3
    assert min(counts[c] for c in NEW_CATEGORIES) >= 5, counts
    for q in REAL:
        if q.answerable:
            assert q.key_facts and q.gold_papers and q.evidence, q.id
            assert len(q.gold_pages) == len(q.evidence) and min(q.gold_pages) >= 1, q.id
            for fact in q.key_facts:  # a reference answer holds its own key facts
                assert re.search(fact, q.reference_answer, re.I), (q.id, fact)
        else:
            assert not (q.key_facts or q.gold_papers or q.evidence), q.id


def test_splits_are_by_paper() -> None:
    seeds = load_questions()
    assert {q.split for q in seeds} == {"dev"}
    splits_of: dict[str, set[str]] = {}
    for q in [*seeds, *REAL]:
        for paper in q.gold_papers:
            splits_of.setdefault(paper, set()).add(q.split)
    assert all(len(s) == 1 for s in splits_of.values()), splits_of
    test_papers = {p for p, s in splits_of.items() if s == {"test"}}
    assert test_papers == {paper_id_for(p) for p in COMMITTED}
    assert {q.split for q in REAL if not q.answerable} == {"dev", "test"}
    assert {q.split for q in REAL if q.category == "cross-paper"} == {"dev", "test"}


def test_every_quote_on_the_committed_papers_is_in_one_of_their_chunks() -> None:
    chunks = committed_chunks()
    checked = 0
    for q in REAL:
        if not set(q.gold_papers) <= set(chunks):
            continue
        for quote, page in zip(q.evidence, q.gold_pages, strict=True):
            holding = [c for p in q.gold_papers for c in chunks[p] if holds_evidence(c.text, quote)]
            assert holding, (q.id, quote)
            assert any(c.page <= page <= c.page_end for c in holding), (q.id, quote, page)
            checked += 1
    assert checked >= 40


def test_split_selects_the_questions_of_its_papers() -> None:
    dev, test = in_split(REAL, SplitChoice.dev), in_split(REAL, SplitChoice.test)
    assert in_split(REAL, SplitChoice.all) == REAL and len(dev) + len(test) == len(REAL)
    assert {q.split for q in dev} == {"dev"} and {q.split for q in test} == {"test"}
    assert in_split(load_questions(), SplitChoice.test) == []
