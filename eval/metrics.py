"""Metrics against the eval set: evidence retrieval, key facts, cited papers, refusals.

Each is a pure function of an `Answer` and an `EvalQuestion`, so the numbers can be
checked on hand-made cases and aggregated any way a report needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eval.questions import EvalQuestion
from rag.answer import Answer


def _squash(text: str) -> str:
    return " ".join(text.split())


def holds_evidence(text: str, quote: str) -> bool:
    """A passage holds a gold quote verbatim, up to line breaks and spacing."""
    return _squash(quote) in _squash(text)


def evidence_recall(texts: Sequence[str], evidence: Sequence[str]) -> float | None:
    """Share of gold quotes found in any of `texts` (pass the top k for recall@k)."""
    if not evidence:
        return None
    return sum(any(holds_evidence(t, e) for t in texts) for e in evidence) / len(evidence)


def reciprocal_rank(texts: Sequence[str], evidence: Sequence[str]) -> float | None:
    """1/rank of the first of the ranked `texts` holding any gold quote; 0 if none does."""
    if not evidence:
        return None
    for rank, text in enumerate(texts, start=1):
        if any(holds_evidence(text, e) for e in evidence):
            return 1.0 / rank
    return 0.0


def has_key_facts(answer: Answer, q: EvalQuestion) -> bool:
    """Every key-fact pattern matches the answer text (case-insensitive)."""
    return answer.answered and all(re.search(k, answer.answer, re.I) for k in q.key_facts)


def cites_gold_papers(answer: Answer, q: EvalQuestion) -> bool:
    """The answer cites every gold paper (citing another one as well is not penalised)."""
    cited = {c.paper_id for c in answer.citations}
    return answer.answered and set(q.gold_papers) <= cited


@dataclass(frozen=True)
class AnswerScores:
    """Shares over the set; `None` where a share has no questions to count."""

    key_facts: float | None
    right_papers: float | None
    refused_unanswerable: float | None
    false_refusals: float | None


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def score_answers(pairs: Iterable[tuple[EvalQuestion, Answer]]) -> AnswerScores:
    """Key facts and right papers on answerable questions; refusal rates on both kinds."""
    pairs = list(pairs)
    answerable = [(q, a) for q, a in pairs if q.answerable]
    unanswerable = [a for q, a in pairs if not q.answerable]
    return AnswerScores(
        key_facts=_share([has_key_facts(a, q) for q, a in answerable]),
        right_papers=_share([cites_gold_papers(a, q) for q, a in answerable]),
        refused_unanswerable=_share([not a.answered for a in unanswerable]),
        false_refusals=_share([not a.answered for _, a in answerable]),
    )
