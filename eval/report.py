"""An eval run as a report: every metric overall and by category, and every question.

`report.json` is the record (`rag eval --compare` reads two of them); `report.md` and
`report.html` are for people, the HTML with a drill-down per question.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from eval.calibration import Calibration
from eval.metrics import (
    HIGHER_IS_BETTER,
    QuestionResult,
    Value,
    holds_evidence,
    missed_facts,
    summarise,
)

Scores = dict[str, Value]


class JudgedSentenceRecord(BaseModel):
    """One answer sentence with the judge's verdict."""

    sentence: str
    cited: list[int]
    supported: bool
    score: float
    reason: str


class CitedSource(BaseModel):
    """Where one `[n]` of an answer points."""

    n: int
    paper_id: str
    title: str
    page: int
    printed: str | None = Field(None, description="The page as the paper prints it.")


class QuestionRecord(BaseModel):
    """Everything the drill-down shows about one question."""

    id: str
    category: str
    split: str = Field("dev", description="The question's split; reports before splits: dev.")
    question: str
    answerable: bool
    answered: bool
    answer: str
    reference_answer: str
    citations: list[CitedSource]
    sentences: list[JudgedSentenceRecord]
    missed_facts: list[str]
    missed_evidence: list[str]
    metrics: Scores
    latency_ms: float


class Report(BaseModel):
    """One run of the eval set: which set and split it scored, and every score."""

    created: str
    question_set: str
    split: str = Field(
        "all", description="The split scored (dev, test or all); reports before splits: all."
    )
    target: str
    backend: str
    judge: str
    top_k: int
    questions_asked: int
    duration_s: float
    calibration: Calibration | None
    overall: Scores
    by_category: dict[str, Scores]
    by_split: dict[str, Scores] = Field(
        default_factory=dict, description="Every metric per split, so both are always reported."
    )
    questions: list[QuestionRecord]


def _record(r: QuestionResult) -> QuestionRecord:
    q, a = r.question, r.answer
    return QuestionRecord(
        id=q.id,
        category=q.category,
        split=q.split,
        question=q.question,
        answerable=q.answerable,
        answered=a.answered,
        answer=a.answer,
        reference_answer=q.reference_answer,
        citations=[
            CitedSource(
                n=c.n, paper_id=c.paper_id, title=c.title, page=c.page, printed=c.printed_page
            )
            for c in a.citations
        ],
        sentences=[
            JudgedSentenceRecord(
                sentence=j.sentence,
                cited=list(j.cited),
                supported=j.verdict.supported,
                score=round(j.verdict.score, 3),
                reason=j.verdict.reason,
            )
            for j in r.judged
        ],
        missed_facts=missed_facts(a, q) if q.answerable else [],
        missed_evidence=[
            e for e in q.evidence if not any(holds_evidence(c.text, e) for c in a.citations)
        ],
        metrics=r.metrics,
        latency_ms=round(r.latency_ms, 1),
    )


def build_report(
    results: Sequence[QuestionResult],
    *,
    question_set: str,
    split: str = "all",
    target: str,
    backend: str,
    judge: str,
    top_k: int,
    duration_s: float,
    calibration: Calibration | None,
) -> Report:
    """Summarise a run overall and per category, keeping every question for drill-down."""
    categories = sorted({r.question.category for r in results})
    splits = sorted({r.question.split for r in results})
    return Report(
        created=time.strftime("%Y-%m-%d %H:%M:%S"),
        question_set=question_set,
        split=split,
        target=target,
        backend=backend,
        judge=judge,
        top_k=top_k,
        questions_asked=len(results),
        duration_s=round(duration_s, 1),
        calibration=calibration,
        overall=summarise(results),
        by_category={
            c: summarise([r for r in results if r.question.category == c]) for c in categories
        },
        by_split={s: summarise([r for r in results if r.question.split == s]) for s in splits},
        questions=[_record(r) for r in results],
    )


def load_report(path: Path) -> Report:
    """A `report.json` written by `rag eval`."""
    return Report.model_validate_json(path.read_text("utf-8"))


def fmt(name: str, value: Value) -> str:
    """A metric as people read it: shares as percentages, latencies in ms."""
    if value is None:
        return "-"
    return f"{value:.0f} ms" if name.endswith("_ms") else f"{value:.1%}"


def markdown(report: Report) -> str:
    """`report.md`: the run, the metrics table by category, and what was missed."""
    cats = list(report.by_category)
    lines = [
        f"# Eval report ({report.created})",
        "",
        f"{report.questions_asked} questions of split `{report.split}` from "
        f"`{report.question_set}`, asked "
        f"{report.target}, backend `{report.backend}`, judge `{report.judge}`, "
        f"top_k {report.top_k}, {report.duration_s:g} s.",
        "",
    ]
    if report.calibration:
        c = report.calibration
        lines += [
            f"Judge calibration: balanced accuracy {c.balanced_accuracy:.3f} on {c.pairs} "
            f"labelled pairs (`{c.set}`), supported pairs recognised {c.true_positive_rate:.1%}, "
            f"unsupported {c.true_negative_rate:.1%}.",
            "",
        ]
    lines += [
        "| metric | overall | " + " | ".join(cats) + " |",
        "|---|---|" + "---|" * len(cats),
    ]
    for name in HIGHER_IS_BETTER:
        row = [fmt(name, report.overall[name])]
        row += [fmt(name, report.by_category[c][name]) for c in cats]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    if len(report.by_split) > 1:
        splits = list(report.by_split)
        lines += ["", "## By split", "", "| metric | " + " | ".join(splits) + " |"]
        lines.append("|---|" + "---|" * len(splits))
        for name in HIGHER_IS_BETTER:
            row = [fmt(name, report.by_split[s][name]) for s in splits]
            lines.append(f"| {name} | " + " | ".join(row) + " |")
    misses = [q for q in report.questions if _missed(q)]
    if misses:
        lines += ["", "## Questions with something missed", ""]
        lines += [f"- **{q.id}** ({q.category}): {_missed(q)}" for q in misses]
    return "\n".join(lines) + "\n"


def _missed(q: QuestionRecord) -> str:
    """What went wrong with one question, in a few words; empty when nothing did."""
    problems = []
    if q.answerable and not q.answered:
        problems.append("refused an answerable question")
    if not q.answerable and q.answered:
        problems.append("answered an unanswerable question")
    if q.missed_facts:
        problems.append(f"missed key facts {q.missed_facts}")
    unsupported = [s for s in q.sentences if not s.supported]
    if unsupported:
        problems.append(f"{len(unsupported)} sentence(s) judged unsupported")
    return "; ".join(problems)


@dataclass(frozen=True)
class Change:
    """One metric in two reports, and whether B is better, worse or the same."""

    metric: str
    scope: str
    a: Value
    b: Value

    @property
    def verdict(self) -> str:
        """`improved`, `regressed` or `same`, by the metric's direction."""
        if self.a is None or self.b is None or abs(self.b - self.a) < 1e-9:
            return "same"
        better = (self.b > self.a) == HIGHER_IS_BETTER[self.metric]
        return "improved" if better else "regressed"


def compare(a: Report, b: Report) -> list[Change]:
    """Every metric overall and in every category the two reports share."""
    changes = [Change(m, "overall", a.overall.get(m), b.overall.get(m)) for m in HIGHER_IS_BETTER]
    for cat in [c for c in b.by_category if c in a.by_category]:
        changes += [
            Change(m, cat, a.by_category[cat].get(m), b.by_category[cat].get(m))
            for m in HIGHER_IS_BETTER
        ]
    return changes


def question_changes(a: Report, b: Report) -> list[str]:
    """Questions that changed between runs: refusals flipped, key facts gained or lost."""
    before = {q.id: q for q in a.questions}
    out = []
    for q in b.questions:
        old = before.get(q.id)
        if old is None:
            continue
        if old.answered != q.answered:
            out.append(f"{q.id}: {'now answered' if q.answered else 'now refused'}")
        was, now = old.metrics.get("key_facts"), q.metrics.get("key_facts")
        if was is not None and now is not None and was != now:
            out.append(f"{q.id}: key facts {'gained' if now > was else 'lost'}")
    return out


def threshold_failures(report: Report, limits: dict[str, float]) -> list[str]:
    """Metrics on the wrong side of their limit: under it, or over it for latencies."""
    failures = []
    for name, limit in limits.items():
        value = report.overall.get(name)
        if value is None:
            failures.append(f"{name} was not measured in this run (limit {limit:g})")
        elif (value < limit) if HIGHER_IS_BETTER[name] else (value > limit):
            failures.append(f"{name} = {value:.4g}, limit {limit:g}")
    return failures
