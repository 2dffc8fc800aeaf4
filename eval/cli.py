"""`rag eval`: run the eval set, write the reports, compare runs, hold quality in CI."""

from __future__ import annotations

import time
from collections import Counter
from contextlib import ExitStack
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eval.metrics import HIGHER_IS_BETTER
from eval.questions import DEFAULT_SET, EvalQuestion, SplitChoice, in_split, load_questions
from eval.report import Report, compare, fmt, load_report, question_changes, threshold_failures
from rag.types import TOP_K_HELP


class JudgeName(StrEnum):
    """Which faithfulness judge scores the answers."""

    offline = "offline"
    llm = "llm"


def parse_limits(values: list[str]) -> dict[str, float]:
    """`metric=value` pairs, each metric one a report has."""
    limits = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or name not in HIGHER_IS_BETTER:
            known = ", ".join(HIGHER_IS_BETTER)
            raise typer.BadParameter(f"{item!r}: expected METRIC=VALUE, METRIC one of {known}")
        try:
            limits[name] = float(raw)
        except ValueError as exc:
            raise typer.BadParameter(f"{item!r}: {raw!r} is not a number") from exc
    return limits


def metrics_table(report: Report) -> Table:
    """The terminal table: every metric, overall and per category."""
    table = Table(
        title=f"{report.questions_asked} questions, split {report.split}, backend {report.backend}"
    )
    cats = list(report.by_category)
    for column in ["metric", "overall", *cats]:
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name in HIGHER_IS_BETTER:
        table.add_row(
            name,
            fmt(name, report.overall[name]),
            *(fmt(name, report.by_category[c][name]) for c in cats),
        )
    return table


def print_comparison(console: Console, a: Report, b: Report) -> None:
    """What improved and what regressed from report A to report B."""
    if (a.question_set, a.split) != (b.question_set, b.split):
        console.print(
            f"note: A scored split {a.split} of {a.question_set}, B split {b.split} of "
            f"{b.question_set}; the figures are not of the same questions",
            markup=False,
        )
    table = Table(title="A → B")
    for column in ("metric", "scope", "A", "B", "change"):
        table.add_column(column)
    style = {"improved": "green", "regressed": "red", "same": "dim"}
    for c in compare(a, b):
        if c.scope == "overall" or c.verdict != "same":
            table.add_row(
                c.metric,
                c.scope,
                fmt(c.metric, c.a),
                fmt(c.metric, c.b),
                c.verdict,
                style=style[c.verdict],
            )
    console.print(table)
    for line in question_changes(a, b):
        console.print(line, markup=False)


def select_questions(
    question_sets: list[Path], split: SplitChoice, limit: int | None
) -> list[EvalQuestion]:
    """The questions of `split` from every set, in order, the first `limit` of them.

    A split that leaves no question is an error, not an empty report that would pass
    every `--fail-under`.
    """
    try:
        questions = [q for path in question_sets for q in load_questions(path)]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--set") from exc
    chosen = in_split(questions, split)[:limit]
    if not chosen:
        names = ", ".join(str(p) for p in question_sets)
        raise typer.BadParameter(f"no questions of split {split} in {names}", param_hint="--split")
    return chosen


def run_eval(
    question_sets: list[Path],
    split: SplitChoice,
    url: str | None,
    judge_name: JudgeName,
    backend: str | None,
    limit: int | None,
    top_k: int,
    calibrate_judge: bool,
    console: Console,
) -> Report:
    """Ask, judge and score the set; the report, not yet written anywhere."""
    from eval.calibration import CALIBRATION_SET, calibrate, load_pairs
    from eval.faithfulness import Judge, OfflineJudge
    from eval.report import build_report
    from eval.runner import in_process, over_http, run
    from rag.llm import load_backend
    from rag.settings import get_settings

    settings = get_settings()
    if backend:
        settings = settings.model_copy(update={"backend": backend})
    questions = select_questions(question_sets, split, limit)
    judge: Judge = OfflineJudge()
    chat = None
    if judge_name is JudgeName.llm:
        from eval.llm_judge import LLMJudge

        chat = load_backend(settings)
        if chat is None:
            raise typer.BadParameter(
                "--judge llm needs an LLM backend: set RAG_BACKEND (or --backend) to "
                "openai or llamacpp",
                param_hint="--judge",
            )
        judge = LLMJudge(chat)
    began = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with ExitStack() as stack:
        ask = stack.enter_context(over_http(url, settings)) if url else in_process(settings, chat)
        progress = stack.enter_context(Progress(*columns, TimeElapsedColumn(), console=console))
        task = progress.add_task("asking", total=len(questions))
        results = run(questions, ask, judge, top_k, lambda q: progress.advance(task))
        calibration = None
        if calibrate_judge:
            progress.update(task, description="calibrating the judge")
            calibration = calibrate(judge, load_pairs(CALIBRATION_SET), CALIBRATION_SET.name)
    answered_by = Counter(r.answer.backend for r in results if r.answer.answered)
    return build_report(
        results,
        question_set=", ".join(str(p) for p in question_sets),
        split=split.value,
        target=f"over HTTP at {url}" if url else "in-process",
        backend=answered_by.most_common(1)[0][0] if answered_by else settings.backend,
        judge=judge.name,
        top_k=top_k,
        duration_s=time.perf_counter() - began,
        calibration=calibration,
    )


def write_reports(report: Report, out: Path) -> list[Path]:
    """report.json, report.md and report.html in `out`, created if missing."""
    from eval.html import render
    from eval.report import markdown

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "report.json": report.model_dump_json(indent=2),
        "report.md": markdown(report),
        "report.html": render(report),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


def eval_command(
    question_sets: Annotated[
        list[Path] | None,
        typer.Option(
            "--set",
            help=f"JSONL question set (default {DEFAULT_SET.name}); repeatable, the sets are "
            "scored as one.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    split: Annotated[
        SplitChoice,
        typer.Option(
            help="Only the questions on this split's papers: dev (what answering may be "
            "tuned on), test (papers never tuned on) or all."
        ),
    ] = SplitChoice.all,
    url: Annotated[
        str | None, typer.Option(help="Ask a running server's /ask instead of in-process.")
    ] = None,
    judge: Annotated[
        JudgeName, typer.Option(help="Faithfulness judge: offline (no model) or llm.")
    ] = JudgeName.offline,
    backend: Annotated[
        str | None, typer.Option(help="Answering backend in-process (default RAG_BACKEND).")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N questions.")] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=20, help=TOP_K_HELP)] = 5,
    out: Annotated[Path, typer.Option(help="Folder for report.json, .md and .html.")] = Path(
        "eval-report"
    ),
    compare_with: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Compare two report.json files (A B) instead of running."),
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-under",
            help="METRIC=VALUE: exit 1 if the metric is under VALUE (over it for latencies "
            "and false_refusals). Repeatable.",
        ),
    ] = None,
    calibrate_judge: Annotated[
        bool | None,
        typer.Option(
            "--calibrate/--no-calibrate",
            help="Score the judge on the labelled pairs (default: yes for offline, no for "
            "llm, which would cost two LLM calls per pair).",
        ),
    ] = None,
) -> None:
    """Score answers on the eval set: retrieval, citations, facts, faithfulness, refusals."""
    from rag.errors import RagError

    console = Console()
    if compare_with:
        try:
            reports = [load_report(p) for p in compare_with]
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--compare") from exc
        print_comparison(console, *reports)
        return
    if backend and url:
        raise typer.BadParameter("the server at --url answers with its own backend")
    limits = parse_limits(fail_under or [])
    try:
        report = run_eval(
            question_sets or [DEFAULT_SET],
            split,
            url,
            judge,
            backend,
            limit,
            top_k,
            judge is JudgeName.offline if calibrate_judge is None else calibrate_judge,
            console,
        )
    except RagError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    console.print(metrics_table(report))
    if report.calibration:
        c = report.calibration
        console.print(
            f"judge {c.judge}: balanced accuracy {c.balanced_accuracy:.3f} on {c.pairs} pairs"
        )
    for path in write_reports(report, out):
        console.print(f"wrote {path}")
    failures = threshold_failures(report, limits)
    for failure in failures:
        Console(stderr=True).print(f"[bold red]below the bar:[/] {failure}")
    if failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `eval` to the `rag` command."""
    app.command("eval")(eval_command)
