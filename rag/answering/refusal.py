"""Deciding from the evidence whether the papers contain an answer at all.

The evidence is weighed once (`weigh`: how close the passages are, which of the
question's names, numbers and terms they hold, whether a sentence gives the form of
fact asked for), and each check compares it with a fitted cut-off
(`rag.answering.thresholds.refusal_cutoffs`), so the same checks can be replayed on an
eval set's recorded evidence when the cut-offs are fitted (`eval.refusal_fit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rag import wording
from rag.answering.question import Question, gives
from rag.answering.sentence_scoring import Pick
from rag.answering.thresholds import MIN_FOCUS, RefusalCutoffs, refusal_cutoffs
from rag.snapshot import IndexSnapshot
from rag.terms import vocabulary
from rag.types import Evidence, ScoredPassage

Check = Literal["dense", "unknown_keys", "missing_keys", "unknown_terms", "term_coverage", "form"]


@dataclass(frozen=True)
class Verdict:
    """Whether to answer, and the reason when not."""

    answerable: bool
    reason: str = ""


def weigh(
    q: Question, passages: list[ScoredPassage], answer_sentences: list[str], snapshot: IndexSnapshot
) -> Evidence:
    """What the passages and the sentences picked from them say of the question.

    A passage of a paper the question names need not repeat that paper's short name.
    """
    found = vocabulary(" ".join(p.text for p in passages))
    if set(q.papers) & {p.paper_id for p in passages}:
        found |= q.short_names
    missing = sorted(k for k in q.keys if k not in found)
    unknown_terms = sorted(t for t in q.terms if not snapshot.knows(t))
    share = (lambda n: n / len(q.terms)) if q.terms else (lambda n: 1.0)
    return Evidence(
        best_dense=max((p.dense or 0.0) for p in passages) if passages else 0.0,
        term_coverage=share(len(q.terms & found)),
        known_terms=share(len(q.terms) - len(unknown_terms)),
        missing_keys=[q.words([k]) for k in missing],
        unknown_keys=[q.words([k]) for k in missing if not snapshot.knows(k)],
        unknown_terms=[q.words([t]) for t in unknown_terms],
        form_stated=q.expects is None or _states(q, answer_sentences),
        sentences=len(answer_sentences),
    )


def failed_check(evidence: Evidence, cutoffs: RefusalCutoffs) -> Check | None:
    """The first check the evidence fails, in the order a reader is told why; None: answer."""
    if evidence.best_dense < cutoffs.min_dense:
        return "dense"
    if evidence.unknown_keys:
        return "unknown_keys"
    if evidence.missing_keys:
        return "missing_keys"
    if evidence.known_terms < cutoffs.min_known_terms:
        return "unknown_terms"
    if evidence.term_coverage < cutoffs.min_term_coverage:
        return "term_coverage"
    if not evidence.form_stated:
        return "form"
    return None


def judge_evidence(
    q: Question,
    passages: list[ScoredPassage],
    answer_sentences: list[str],
    snapshot: IndexSnapshot,
    cutoffs: RefusalCutoffs | None = None,
) -> tuple[Verdict, Evidence | None]:
    """Refuse unless the evidence is close, names what the question names, and fits its form.

    `answer_sentences` are what the answer would be made of; a question that asks "how
    many X" or "when" is refused unless one of them holds a number about X, or a date.
    """
    if not passages:
        return Verdict(False, wording.NOTHING_MATCHES), None
    evidence = weigh(q, passages, answer_sentences, snapshot)
    check = failed_check(evidence, cutoffs or refusal_cutoffs())
    if check is None:
        return Verdict(True), evidence
    reasons: dict[Check, str] = {
        "dense": wording.ABOUT_SOMETHING_ELSE,
        "unknown_keys": wording.NEVER_MENTIONED.format(words=", ".join(evidence.unknown_keys)),
        "missing_keys": wording.NOT_MENTIONED_ON_SUBJECT.format(
            words=", ".join(evidence.missing_keys)
        ),
        "unknown_terms": wording.WORDS_NEVER_USED.format(words=", ".join(evidence.unknown_terms)),
        "term_coverage": wording.TERMS_NOT_IN_PASSAGES,
        "form": wording.FORM_NOT_GIVEN.format(expects=q.expects),
    }
    return Verdict(False, reasons[check]), evidence


def _states(q: Question, answer_sentences: list[str]) -> bool:
    """Whether one sentence holds the kind of fact asked for, about what is asked."""
    assert q.expects is not None
    for sentence in answer_sentences:
        if not gives(q.expects, sentence):
            continue
        if not q.focus or len(q.focus & vocabulary(sentence)) / len(q.focus) >= MIN_FOCUS:
            return True
    return False


def answering_papers(
    q: Question, picks: list[Pick], passages: list[ScoredPassage], snapshot: IndexSnapshot
) -> list[Pick]:
    """Across papers, the picks of each paper whose own evidence answers the question.

    "Which papers use GPT-3?" searches every paper the query reaches, and each of them
    gives its best sentence; a paper whose own passages fail the checks ("GPT-3" in none
    of them) has not answered, and its sentence would read as if it had. A paper the
    question names keeps its sentences where the question compares it ("How do A and B
    differ on ...?"), not where it asks which of them holds something. When no paper
    answers on its own, the picks stay as the whole evidence decided. Which papers hold
    something is told by what their sentences say: each must name the question's names
    and numbers, not only a passage beside it.
    """
    by_paper: dict[str, list[Pick]] = {}
    for pick in picks:
        by_paper.setdefault(passages[pick.passage].paper_id, []).append(pick)

    def answers(paper: str, own: list[Pick]) -> bool:
        if paper in q.papers and not q.selects:
            return True
        texts = [k.text for k in own]
        if q.selects and q.keys - q.short_names - vocabulary(" ".join(texts)):
            return False
        scope = [p for p in passages if p.paper_id == paper]
        return judge_evidence(q, scope, texts, snapshot)[0].answerable

    kept = [pick for paper, own in by_paper.items() if answers(paper, own) for pick in own]
    return kept or picks
