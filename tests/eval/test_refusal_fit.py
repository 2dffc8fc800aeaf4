"""Fitting the refusal's cut-offs: the grid's best, the middle of a tie, folds by paper."""

from __future__ import annotations

from eval.refusal_fit import Record, answers, fit, out_of_paper, score, tally
from rag.answering.thresholds import RefusalCutoffs
from rag.types import Evidence


def record(id: str, paper: str, answerable: bool, dense: float, coverage: float = 1.0) -> Record:
    evidence = Evidence(best_dense=dense, term_coverage=coverage, known_terms=1.0, sentences=2)
    return Record(id, paper, answerable, evidence)


# Answerable questions have close passages (0.5 and up), unanswerable ones do not (0.3
# and under): any dense cut-off from 0.31 to 0.5 separates them.
RECORDS = [
    record("a1", "p", True, 0.55),
    record("a2", "p", True, 0.6),
    record("a3", "q", True, 0.5),
    record("u1", "p", False, 0.3),
    record("u2", "q", False, 0.25),
]


def test_the_fit_separates_and_takes_the_middle_of_the_tied_cut_offs() -> None:
    cutoffs, tied = fit(RECORDS)
    assert score(RECORDS, cutoffs).balanced_accuracy == 1.0 and tied > 1
    assert 0.38 <= cutoffs.min_dense <= 0.43


def test_no_sentence_to_answer_with_is_a_refusal_whatever_the_cut_offs() -> None:
    none = Evidence(best_dense=0.9, term_coverage=1.0, known_terms=1.0, sentences=0)
    assert not answers(none, RefusalCutoffs(0.0, 0.0, 0.0))


def test_a_label_with_no_questions_counts_as_right() -> None:
    assert tally([(True, True), (True, False)]).balanced_accuracy == 0.75
    assert tally([(False, False)]).refused_unanswerable == 1


def test_each_paper_is_decided_by_cut_offs_fitted_on_the_others() -> None:
    # Paper q's answerable question is far less close than p's: fitted on p alone the
    # cut-off sits above it, so out of paper it is refused.
    records = [*RECORDS[:2], record("a3", "q", True, 0.35), RECORDS[3], RECORDS[4]]
    held = out_of_paper(records)
    assert held.false_refusals == 1 and held.answerable == 3 and held.unanswerable == 2
