"""Deciding from the evidence whether the papers contain an answer at all."""

from __future__ import annotations

from dataclasses import dataclass

from rag.retrieval import ScoredPassage
from rag.terms import content_terms, key_terms, stem

# Calibrated on the project's questions: below this cosine similarity the best passage
# is about something else, and below this share the question's words are not there.
MIN_DENSE = 0.35
MIN_TERM_COVERAGE = 0.5


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, and the reason when not."""

    answerable: bool
    reason: str = ""


def judge_evidence(question: str, passages: list[ScoredPassage]) -> Verdict:
    """Refuse when the best passage is far off, or a name, number or year is nowhere in it."""
    if not passages:
        return Verdict(False, "nothing in the papers matches the question")
    best_dense = max((p.dense or 0.0) for p in passages)
    if best_dense < MIN_DENSE:
        return Verdict(False, "the closest passages are about something else")
    evidence = " ".join(p.text for p in passages)
    found = content_terms(evidence) | {w.strip(".,;:()\"'") for w in evidence.split()}
    missing = sorted(k for k in key_terms(question) if k not in found and stem(k) not in found)
    if missing:
        return Verdict(False, f"the papers never mention {', '.join(missing)}")
    terms = content_terms(question)
    if terms and len(terms & found) / len(terms) < MIN_TERM_COVERAGE:
        return Verdict(False, "most of the question's terms are not in the papers")
    return Verdict(True)
