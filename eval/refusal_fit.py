"""Fit the refusal's cut-offs on the `dev` split: replay its checks on recorded evidence.

`python -m eval.refusal_fit --out rag/data/refusal_cutoffs.json`, with `RAG_CORPUS_DIR`
and `RAG_DATA_DIR` naming an index that holds the `dev` papers (README "The real-papers
set and its splits"), asks every `dev` question of both sets once and keeps the evidence
the refusal weighed (`Answer.evidence`). Every point of a grid of cut-offs is then
scored by replaying the checks (`rag.answering.refusal.failed_check`) on that evidence:
the cut-offs kept are those with the best balanced accuracy (answerable questions
answered, unanswerable ones refused, weighed equally), the one nearest the middle of
the best ones where many tie, since a cut-off in the middle of a plateau moves least on
questions it was not fitted on. Each paper's questions are also predicted by cut-offs
fitted on the other papers' (`out_of_paper`), so the file says how the fit holds on a
paper it did not see. The `test` split is never read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.questions import DEFAULT_SET, REAL_PAPERS_SET, SplitChoice, in_split, load_questions
from rag.answering.refusal import failed_check
from rag.answering.thresholds import REFUSAL_CUTOFFS_VERSION, RefusalCutoffs
from rag.pipeline import Pipeline
from rag.settings import get_settings
from rag.types import Evidence

GRID: dict[str, tuple[float, ...]] = {
    "min_dense": tuple(round(0.2 + 0.01 * i, 2) for i in range(31)),
    "min_known_terms": tuple(round(0.05 * i, 2) for i in range(19)),
    "min_term_coverage": tuple(round(0.05 * i, 2) for i in range(17)),
}


@dataclass(frozen=True)
class Record:
    """One question's evidence, whether it is answerable, and the paper it is about."""

    id: str
    paper: str
    answerable: bool
    evidence: Evidence


@dataclass(frozen=True)
class Scores:
    """How a set of cut-offs does on some records."""

    balanced_accuracy: float
    false_refusals: int
    refused_unanswerable: int
    answerable: int
    unanswerable: int


def answers(evidence: Evidence, cutoffs: RefusalCutoffs) -> bool:
    """Whether the pipeline answers on this evidence: a sentence to answer with, no check failed."""
    return evidence.sentences > 0 and failed_check(evidence, cutoffs) is None


def tally(decisions: Sequence[tuple[bool, bool]]) -> Scores:
    """Balanced accuracy of (answerable, answered) pairs, and the counts behind it.

    A label with no questions counts as all right, so a paper with no unanswerable
    question is not scored as refusing badly.
    """
    yes = [said for answerable, said in decisions if answerable]
    no = [said for answerable, said in decisions if not answerable]
    hit = sum(yes) / len(yes) if yes else 1.0
    caught = (len(no) - sum(no)) / len(no) if no else 1.0
    return Scores(
        round((hit + caught) / 2, 4), len(yes) - sum(yes), len(no) - sum(no), len(yes), len(no)
    )


def score(records: Sequence[Record], cutoffs: RefusalCutoffs) -> Scores:
    """How the cut-offs decide these records."""
    return tally([(r.answerable, answers(r.evidence, cutoffs)) for r in records])


def fit(records: Sequence[Record]) -> tuple[RefusalCutoffs, int]:
    """The grid point of best balanced accuracy nearest the middle of those tied; how many tied."""
    points = [RefusalCutoffs(*values) for values in itertools.product(*GRID.values())]
    accuracy = {p: score(records, p).balanced_accuracy for p in points}
    best = max(accuracy.values())
    tied = [p for p in points if accuracy[p] == best]
    names = list(GRID)
    middle = {n: float(statistics.median(float(getattr(p, n)) for p in tied)) for n in names}
    span = {n: max(GRID[n]) - min(GRID[n]) for n in names}

    def distance(p: RefusalCutoffs) -> float:
        return sum(((float(getattr(p, n)) - middle[n]) / span[n]) ** 2 for n in names)

    return min(tied, key=lambda p: (distance(p), *(getattr(p, n) for n in names))), len(tied)


def out_of_paper(records: Sequence[Record]) -> Scores:
    """Every paper's questions decided by cut-offs fitted on the other papers' questions."""
    decisions: list[tuple[bool, bool]] = []
    for paper in sorted({r.paper for r in records}):
        others = [r for r in records if r.paper != paper]
        if others:
            cutoffs, _ = fit(others)
            own = [r for r in records if r.paper == paper]
            decisions += [(r.answerable, answers(r.evidence, cutoffs)) for r in own]
    return tally(decisions)


def collect(pipeline: Pipeline, sets: Sequence[Path]) -> tuple[list[Record], list[str]]:
    """Each `dev` question's evidence; the ids of those answered without weighing any.

    A question about a paper's metadata, or one no passage matches, is decided before
    the checks run, so no cut-off can change it. A question's paper is its first gold
    paper, else (an unanswerable one) the paper of its closest passage.
    """
    records: list[Record] = []
    unweighed: list[str] = []
    for path in sets:
        for q in in_split(load_questions(path), SplitChoice.dev):
            answer = pipeline.ask(q.question)
            if answer.evidence is None:
                unweighed.append(q.id)
                continue
            closest = answer.retrieved[0].paper_id if answer.retrieved else "none"
            paper = q.gold_papers[0] if q.gold_papers else closest
            records.append(Record(q.id, paper, q.answerable, answer.evidence))
    return records, unweighed


def fitted_file(records: Sequence[Record], unweighed: Sequence[str]) -> dict[str, object]:
    """The cut-offs as `rag.answering.thresholds.read_refusal_cutoffs` reads them, and how."""
    cutoffs, tied = fit(records)
    return {
        "version": REFUSAL_CUTOFFS_VERSION,
        **{name: getattr(cutoffs, name) for name in GRID},
        "training": {
            "split": "dev",
            "questions": len(records),
            "decided_before_the_checks": list(unweighed),
            "folds": sorted({r.paper for r in records}),
            "grid": {name: [min(v), max(v), len(v)] for name, v in GRID.items()},
            "tied_best": tied,
            "in_sample": vars(score(records, cutoffs)),
            "out_of_paper": vars(out_of_paper(records)),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Ask, fit, write the file and print it: the cut-offs, in-sample and out-of-paper scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the cut-offs")
    parser.add_argument(
        "--set", type=Path, action="append", help="question sets (default: both eval sets)"
    )
    args = parser.parse_args(argv)
    records, unweighed = collect(
        # The refusal's evidence is the same under every backend; the extractive one asks
        # no LLM for the questions' answers.
        Pipeline(get_settings().model_copy(update={"backend": "extractive"})),
        args.set or [DEFAULT_SET, REAL_PAPERS_SET],
    )
    data = fitted_file(records, unweighed)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
