"""Deciding from the evidence whether the papers contain an answer at all."""

from __future__ import annotations

from dataclasses import dataclass

from rag import wording
from rag.answering.question import EVIDENCE_OF, Question
from rag.answering.thresholds import MIN_DENSE, MIN_FOCUS, MIN_KNOWN_TERMS, MIN_TERM_COVERAGE
from rag.snapshot import IndexSnapshot
from rag.terms import vocabulary
from rag.types import ScoredPassage


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, and the reason when not."""

    answerable: bool
    reason: str = ""


def judge_evidence(
    q: Question, passages: list[ScoredPassage], answer_sentences: list[str], snapshot: IndexSnapshot
) -> Verdict:
    """Refuse unless the evidence is close, names what the question names, and fits its form.

    `answer_sentences` are what the answer would be made of; a question that asks "how
    many X" or "when" is refused unless one of them holds a number about X, or a date.
    """
    if not passages:
        return Verdict(False, wording.NOTHING_MATCHES)
    if max((p.dense or 0.0) for p in passages) < MIN_DENSE:
        return Verdict(False, wording.ABOUT_SOMETHING_ELSE)
    found = vocabulary(" ".join(p.text for p in passages))
    if set(q.papers) & {p.paper_id for p in passages}:
        found |= q.short_names
    missing = sorted(k for k in q.keys if k not in found)
    if missing:
        unknown = [k for k in missing if not snapshot.knows(k)]
        if unknown:
            return Verdict(False, wording.NEVER_MENTIONED.format(words=q.words(unknown)))
        return Verdict(False, wording.NOT_MENTIONED_ON_SUBJECT.format(words=q.words(missing)))
    if q.terms:
        known = [t for t in q.terms if snapshot.knows(t)]
        if len(known) / len(q.terms) < MIN_KNOWN_TERMS:
            unknown = sorted(q.terms - set(known))
            return Verdict(False, wording.WORDS_NEVER_USED.format(words=q.words(unknown)))
        if len(q.terms & found) / len(q.terms) < MIN_TERM_COVERAGE:
            return Verdict(False, wording.TERMS_NOT_IN_PASSAGES)
    if q.expects and not _states(q, answer_sentences):
        return Verdict(False, wording.FORM_NOT_GIVEN.format(expects=q.expects))
    return Verdict(True)


def _states(q: Question, answer_sentences: list[str]) -> bool:
    """Whether one sentence holds the kind of fact asked for, about what is asked."""
    assert q.expects is not None
    form = EVIDENCE_OF[q.expects]
    for sentence in answer_sentences:
        if not form.search(sentence):
            continue
        if not q.focus or len(q.focus & vocabulary(sentence)) / len(q.focus) >= MIN_FOCUS:
            return True
    return False
