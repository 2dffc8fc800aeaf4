"""The refusal's checks on what the evidence must name, and the cut-offs they compare with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest

from eval.refusal_fit import GRID
from rag.answering.question import analyse
from rag.answering.refusal import answering_papers, failed_check, judge_evidence
from rag.answering.sentence_scoring import Pick
from rag.answering.thresholds import (
    REFUSAL_CUTOFFS_PATH,
    RefusalCutoffs,
    read_refusal_cutoffs,
    refusal_cutoffs,
)
from rag.paper_names import paper_marks
from rag.snapshot import IndexSnapshot
from rag.types import Evidence, PaperMeta, PaperRecord, ScoredPassage

TITLE = "Beyond Summarization: Designing AI Support for Expository Writing"
MARKS = paper_marks(
    {
        pid: PaperRecord(meta=PaperMeta(id=pid, title=t), content_hash=pid, chunk_count=1, pages=1)
        for pid, t in {"b": TITLE, "o": "Other Work: A Survey of Parsers"}.items()
    }
)


class _Knows:
    def knows(self, term: str) -> bool:
        return True


def passage(paper: str) -> ScoredPassage:
    text = "We characterize expository writing as evidence-based and knowledge-generating."
    return ScoredPassage(
        chunk_id=paper, paper_id=paper, title="T", page=1, page_end=1, text=text, dense=0.8
    )


def test_a_passage_of_the_paper_named_by_its_short_name_need_not_say_the_name() -> None:
    q = analyse("How do the Beyond Summarization authors characterize expository writing?", MARKS)
    assert q.papers == ("b",)
    snapshot = cast(IndexSnapshot, _Knows())
    assert judge_evidence(q, [passage("b")], [passage("b").text], snapshot)[0].answerable
    other, evidence = judge_evidence(q, [passage("o")], [passage("o").text], snapshot)
    assert not other.answerable and "Beyond" in other.reason
    assert evidence is not None and evidence.missing_keys == ["Beyond", "Summarization"]


def test_the_shipped_cut_offs_are_points_of_the_fitting_grid() -> None:
    shipped = refusal_cutoffs()
    for name, points in GRID.items():
        assert getattr(shipped, name) in points, name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_dense": 1.5}, "outside 0..1.*min_dense"),
        ({"version": "0"}, "version '0'"),
        ({"min_known_terms": None}, "missing.*min_known_terms"),
    ],
)
def test_a_cut_off_file_out_of_range_of_another_layout_or_incomplete_is_refused(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    shipped = json.loads(REFUSAL_CUTOFFS_PATH.read_text())
    data = {k: v for k, v in {**shipped, **change}.items() if v is not None}
    bad = tmp_path / "cutoffs.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        read_refusal_cutoffs(bad)


def test_a_cut_off_decides_which_check_fails_first() -> None:
    evidence = Evidence(best_dense=0.5, term_coverage=0.3, known_terms=1.0, sentences=1)
    assert failed_check(evidence, RefusalCutoffs(0.4, 0.6, 0.2)) is None
    assert failed_check(evidence, RefusalCutoffs(0.4, 0.6, 0.35)) == "term_coverage"
    assert failed_check(evidence, RefusalCutoffs(0.55, 0.6, 0.35)) == "dense"
    missing = evidence.model_copy(update={"missing_keys": ["GPT-3"]})
    assert failed_check(missing, RefusalCutoffs(0.4, 0.6, 0.2)) == "missing_keys"


def test_which_papers_hold_something_is_told_by_each_papers_own_sentences() -> None:
    uses = "The gists are written by GPT-3 from the first sentence of each paragraph."
    other = "We characterize expository writing as evidence-based and knowledge-generating."
    passages = [
        passage("b").model_copy(update={"text": uses, "chunk_id": "b1"}),
        passage("o").model_copy(update={"text": other, "chunk_id": "o1"}),
    ]
    picks = [Pick(0, 0, uses), Pick(1, 0, other)]
    snapshot = cast(IndexSnapshot, _Knows())
    which = analyse("Which of these papers use GPT-3 to write gists?", MARKS)
    assert which.selects and which.wants_both
    assert answering_papers(which, picks, passages, snapshot) == [picks[0]]
    # Asked which of two named papers, a named paper answers by its sentences too ...
    named = analyse("Which of Beyond Summarization and Other Work use GPT-3?", MARKS)
    assert named.selects and answering_papers(named, picks, passages, snapshot) == [picks[0]]
    # ... while a comparison of named papers keeps each: it was asked about.
    compared = analyse("How do Beyond Summarization and Other Work use GPT-3?", MARKS)
    assert not compared.selects
    assert answering_papers(compared, picks, passages, snapshot) == picks


def test_which_of_asks_which_paper_only_where_the_question_names_papers() -> None:
    assert not analyse("Which of the two models performs better?", MARKS).selects
    assert not analyse("Which of the two models performs better?", MARKS).wants_both


def test_when_no_paper_answers_on_its_own_the_picks_stay_as_the_whole_evidence_decided() -> None:
    text = "We characterize expository writing as evidence-based and knowledge-generating."
    passages = [
        passage("b").model_copy(update={"chunk_id": "b1"}),
        passage("o").model_copy(update={"chunk_id": "o1"}),
    ]
    picks = [Pick(0, 0, text), Pick(1, 0, text)]
    which = analyse("Which of these papers use GPT-3?", MARKS)
    assert answering_papers(which, picks, passages, cast(IndexSnapshot, _Knows())) == picks
