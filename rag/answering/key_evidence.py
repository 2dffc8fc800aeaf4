"""The passage that says what a question names, when none of the passages kept does.

A question's key terms (its numbers and proper names: `GPT-3`, `S2-VL`) are what an
answer must contain, and the refusal refuses when no passage kept holds one. Rank fusion
can leave the one chunk that names the term below the cut: BM25 ranks it first, the
embedding, for which a model name is one token among many, far down. So the best-ranked
chunk of the whole fused ranking holding the most of the missing keys joins the
passages, one at most; the answer still has to come from it and pass every other check.
A question across papers asks it of each paper's passages in turn.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.answering.question import Question
from rag.terms import vocabulary
from rag.types import ScoredPassage


def naming_missing_keys(
    q: Question, passages: Sequence[ScoredPassage], ranking: Sequence[ScoredPassage]
) -> list[ScoredPassage]:
    """The ranked passage that holds the most key terms `passages` lack; none if none does.

    A paper's short name is not looked for: the question's scope already holds that paper.
    """
    said = vocabulary(" ".join(p.text for p in passages))
    missing = {k for k in q.keys - q.short_names if k not in said}
    if not missing:
        return []
    kept = {p.chunk_id for p in passages}
    best: ScoredPassage | None = None
    covered = 0
    for candidate in ranking:
        if candidate.chunk_id in kept:
            continue
        holds = len(missing & vocabulary(candidate.text))
        if holds > covered:
            best, covered = candidate, holds
            if covered == len(missing):
                break
    return [best] if best else []


def naming_missing_keys_in_each_paper(
    q: Question, passages: Sequence[ScoredPassage], ranking: Sequence[ScoredPassage]
) -> list[ScoredPassage]:
    """`naming_missing_keys` for each paper of `passages`, from that paper's share of `ranking`.

    "How do A and B each use X?" needs X from both: one paper's passage naming X must not
    stand in for the other's.
    """
    out: list[ScoredPassage] = []
    for pid in dict.fromkeys(p.paper_id for p in passages):
        own = [p for p in passages if p.paper_id == pid]
        out += naming_missing_keys(q, own, [r for r in ranking if r.paper_id == pid])
    return out
