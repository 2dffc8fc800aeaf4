"""Metrics against the eval set: retrieval, citations, answer content, refusals, latency.

Per-question metrics are pure functions of an `Answer` and an `EvalQuestion`, so each
can be checked on hand-made cases; `summarise` turns a list of per-question results
into the shares and percentiles a report shows, overall or for one category.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.faithfulness import JudgedSentence
from eval.questions import EvalQuestion
from rag.answering.composition import ATTRIBUTION
from rag.support import CITE
from rag.types import Answer

Value = float | None

# Every metric a report shows, in report order, and whether a higher value is better.
HIGHER_IS_BETTER: dict[str, bool] = {
    "evidence_recall": True,
    "mrr": True,
    "evidence_hit": True,
    "citation_precision": True,
    "citation_recall": True,
    "right_papers": True,
    "key_facts": True,
    "correct": True,
    "token_f1": True,
    "faithfulness": True,
    "refusal_precision": True,
    "refusal_recall": True,
    "false_refusals": False,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
}
ARTICLES = re.compile(r"\b(a|an|the)\b")


def _squash(text: str) -> str:
    return " ".join(text.split())


def holds_evidence(text: str, quote: str) -> bool:
    """A passage holds a gold quote verbatim, up to line breaks and spacing."""
    return _squash(quote) in _squash(text)


def evidence_recall(texts: Sequence[str], evidence: Sequence[str]) -> Value:
    """Share of gold quotes found in any of `texts` (pass the top k for recall@k)."""
    if not evidence:
        return None
    return sum(any(holds_evidence(t, e) for t in texts) for e in evidence) / len(evidence)


def reciprocal_rank(texts: Sequence[str], evidence: Sequence[str]) -> Value:
    """1/rank of the first of the ranked `texts` holding any gold quote; 0 if none does."""
    if not evidence:
        return None
    for rank, text in enumerate(texts, start=1):
        if any(holds_evidence(text, e) for e in evidence):
            return 1.0 / rank
    return 0.0


def citation_precision(answer: Answer, q: EvalQuestion) -> Value:
    """Share of cited passages that hold a gold quote; `None` when nothing is cited."""
    if not answer.citations or not q.evidence:
        return None
    hits = [any(holds_evidence(c.text, e) for e in q.evidence) for c in answer.citations]
    return sum(hits) / len(hits)


def citation_recall(answer: Answer, q: EvalQuestion) -> Value:
    """Share of gold quotes that some cited passage holds (0 for a refusal)."""
    return evidence_recall([c.text for c in answer.citations], q.evidence)


def has_key_facts(answer: Answer, q: EvalQuestion) -> bool:
    """Every key-fact pattern matches the answer text (case-insensitive)."""
    return answer.answered and not missed_facts(answer, q)


def missed_facts(answer: Answer, q: EvalQuestion) -> list[str]:
    """The key-fact patterns the answer text does not match."""
    return [k for k in q.key_facts if not re.search(k, answer.answer, re.I)]


def evidence_hit(texts: Sequence[str], evidence: Sequence[str]) -> Value:
    """1 when any of `texts` (the top k) holds a gold quote: the gold passage was found."""
    if not evidence:
        return None
    return float(any(holds_evidence(t, e) for t in texts for e in evidence))


def cites_gold_papers(answer: Answer, q: EvalQuestion) -> bool:
    """The answer cites every gold paper (citing another one as well is not penalised)."""
    cited = {c.paper_id for c in answer.citations}
    return answer.answered and set(q.gold_papers) <= cited


def _tokens(text: str) -> list[str]:
    """SQuAD-style normal form: lower case, no punctuation, articles, markers or attribution.

    The extractive "According to Title (Author, Year, p. N):" opening says where the
    answer comes from, not what it says, so it is not scored against the reference.
    """
    text = CITE.sub(" ", ATTRIBUTION.sub("", text)).lower()
    text = text.translate(str.maketrans(string.punctuation, " " * len(string.punctuation)))
    return ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, reference: str) -> float:
    """Harmonic mean of token precision and recall against the reference answer."""
    pred, ref = _tokens(prediction), _tokens(reference)
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


@dataclass
class QuestionResult:
    """One question's answer and how it scored; what a report's drill-down shows."""

    question: EvalQuestion
    answer: Answer
    latency_ms: float
    judged: list[JudgedSentence] = field(default_factory=list)
    metrics: dict[str, Value] = field(default_factory=dict)


def question_metrics(
    q: EvalQuestion, answer: Answer, faithful: Value, top_k: int
) -> dict[str, Value]:
    """The per-question metrics; those that do not apply to this question are `None`.

    `faithful` is the judge's share of the answer's sentences supported by the
    passages they cite, kept for any answered question.
    """
    if not q.answerable:
        return {"faithfulness": faithful}
    ranked = [r.text for r in sorted(answer.retrieved, key=lambda r: r.rank)][:top_k]
    right_papers, key_facts = cites_gold_papers(answer, q), has_key_facts(answer, q)
    return {
        "evidence_recall": evidence_recall(ranked, q.evidence) if ranked else None,
        "mrr": reciprocal_rank(ranked, q.evidence) if ranked else None,
        "evidence_hit": evidence_hit(ranked, q.evidence) if ranked else None,
        "citation_precision": citation_precision(answer, q),
        "citation_recall": citation_recall(answer, q),
        "right_papers": float(right_papers),
        "key_facts": float(key_facts),
        "correct": float(right_papers and key_facts),
        "token_f1": token_f1(answer.answer, q.reference_answer) if answer.answered else 0.0,
        "faithfulness": faithful,
    }


PER_QUESTION = (
    "evidence_recall",
    "mrr",
    "evidence_hit",
    "citation_precision",
    "citation_recall",
    "right_papers",
    "key_facts",
    "correct",
    "token_f1",
    "faithfulness",
)


def _mean(values: Sequence[Value]) -> Value:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with `share` of them at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _share(hits: int, total: int) -> Value:
    return hits / total if total else None


def summarise(results: Sequence[QuestionResult]) -> dict[str, Value]:
    """Every metric of `HIGHER_IS_BETTER` over these results; `None` where none applies.

    Per-question metrics are averaged over the questions they apply to. Refusal
    precision is the share of refusals that were right to refuse, refusal recall the
    share of unanswerable questions refused, false refusals the share of answerable
    questions refused.
    """
    out = {name: _mean([r.metrics.get(name) for r in results]) for name in PER_QUESTION}
    refused = [r.question for r in results if not r.answer.answered]
    unanswerable = [r.answer for r in results if not r.question.answerable]
    answerable = [r.answer for r in results if r.question.answerable]
    out["refusal_precision"] = _share(sum(not q.answerable for q in refused), len(refused))
    out["refusal_recall"] = _share(sum(not a.answered for a in unanswerable), len(unanswerable))
    out["false_refusals"] = _share(sum(not a.answered for a in answerable), len(answerable))
    latencies = [r.latency_ms for r in results]
    out["latency_p50_ms"] = percentile(latencies, 0.5)
    out["latency_p95_ms"] = percentile(latencies, 0.95)
    return {name: out[name] for name in HIGHER_IS_BETTER}
