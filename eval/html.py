"""`report.html`: one self-contained page, readable offline and attachable to an issue.

Charts are inline SVG bars, one chart per metric with a bar per category, so the page
needs no script, no stylesheet and nothing from the network. Each question is a
`<details>` block: the answer, its citations, each sentence's verdict, what was missed.
"""

from __future__ import annotations

from html import escape

from eval.metrics import HIGHER_IS_BETTER, Value
from eval.report import QuestionRecord, Report, fmt

BAR_WIDTH = 240
ROW_HEIGHT = 22
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.5em} h2{margin-top:2em} table{border-collapse:collapse}
td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1em}
figure{margin:0;padding:.5em;border:1px solid #e4e4e4;border-radius:6px}
figcaption{font-weight:600;margin-bottom:.3em}
details{border-bottom:1px solid #eee;padding:.4em 0} summary{cursor:pointer}
.bad{color:#a40000} .ok{color:#1b6e20} .muted{color:#666} .answer{white-space:pre-wrap}
"""


def _chart(name: str, report: Report) -> str:
    """Bars for one metric: overall, then each category, scaled to the largest value."""
    rows: list[tuple[str, Value]] = [("overall", report.overall[name])]
    rows += [(c, s[name]) for c, s in report.by_category.items()]
    top = 1.0 if not name.endswith("_ms") else max((v or 0.0) for _, v in rows) or 1.0
    bars = []
    for i, (label, value) in enumerate(rows):
        y = i * ROW_HEIGHT
        width = 0 if value is None else max(1, round(BAR_WIDTH * value / top))
        bars.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>'
            f'<rect x="95" y="{y + 4}" width="{width}" height="14" fill="#4a78b5"/>'
            f'<text x="{100 + width}" y="{y + 15}" font-size="12">{fmt(name, value)}</text>'
        )
    height = ROW_HEIGHT * len(rows)
    direction = "higher is better" if HIGHER_IS_BETTER[name] else "lower is better"
    return (
        f"<figure><figcaption>{escape(name)} <span class='muted'>({direction})</span>"
        f'</figcaption><svg width="{BAR_WIDTH + 160}" height="{height}" role="img" '
        f'aria-label="{escape(name)} by category">{"".join(bars)}</svg></figure>'
    )


def _question(q: QuestionRecord) -> str:
    verdict = "answered" if q.answered else "refused"
    right = q.answered == q.answerable and not q.missed_facts
    sentences = "".join(
        f"<li class='{'ok' if s.supported else 'bad'}'>{escape(s.sentence)} "
        f"<span class='muted'>[{', '.join(map(str, s.cited)) or 'no citation'}] "
        f"{'supported' if s.supported else 'unsupported: ' + escape(s.reason)}"
        f" ({s.score:.2f})</span></li>"
        for s in q.sentences
    )
    citations = "".join(
        f"<li>[{c.n}] {escape(c.title)}, p. {c.printed or c.page} "
        f"<span class='muted'>({escape(c.paper_id)})</span></li>"
        for c in q.citations
    )
    missed = "".join(f"<li>key fact <code>{escape(f)}</code></li>" for f in q.missed_facts)
    missed += "".join(f"<li>evidence not cited: “{escape(e)}”</li>" for e in q.missed_evidence)
    metrics = ", ".join(f"{k} {fmt(k, v)}" for k, v in q.metrics.items() if v is not None)
    return (
        f"<details><summary><b>{escape(q.id)}</b> <span class='muted'>{escape(q.category)}, "
        f"{escape(q.split)}, "
        f"{verdict}, {q.latency_ms:.0f} ms</span> <span class='{'ok' if right else 'bad'}'>"
        f"{'✓' if right else '✗'}</span> {escape(q.question)}</summary>"
        f"<p><b>Answer</b></p><p class='answer'>{escape(q.answer)}</p>"
        f"<p><b>Reference</b>: {escape(q.reference_answer)}</p>"
        f"<p><b>Citations</b></p><ul>{citations or '<li>none</li>'}</ul>"
        f"<p><b>Sentences</b></p><ul>{sentences or '<li>none judged</li>'}</ul>"
        f"<p><b>Missed</b></p><ul>{missed or '<li>nothing</li>'}</ul>"
        f"<p class='muted'>{escape(metrics)}</p></details>"
    )


def render(report: Report) -> str:
    """The whole page."""
    cats = list(report.by_category)
    head = "".join(f"<th>{escape(c)}</th>" for c in ["metric", "overall", *cats])
    rows = "".join(
        f"<tr><td>{escape(m)}</td><td>{fmt(m, report.overall[m])}</td>"
        + "".join(f"<td>{fmt(m, report.by_category[c][m])}</td>" for c in cats)
        + "</tr>"
        for m in HIGHER_IS_BETTER
    )
    by_split = ""
    if len(report.by_split) > 1:
        splits = list(report.by_split)
        by_split = (
            "<h2>By split</h2><table><tr><th>metric</th>"
            + "".join(f"<th>{escape(s)}</th>" for s in splits)
            + "</tr>"
            + "".join(
                f"<tr><td>{escape(m)}</td>"
                + "".join(f"<td>{fmt(m, report.by_split[s][m])}</td>" for s in splits)
                + "</tr>"
                for m in HIGHER_IS_BETTER
            )
            + "</table>"
        )
    calibration = ""
    if report.calibration:
        c = report.calibration
        calibration = (
            f"<p>Judge <code>{escape(c.judge)}</code>: balanced accuracy "
            f"{c.balanced_accuracy:.3f} on {c.pairs} labelled pairs.</p>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Eval report {escape(report.created)}</title><style>{STYLE}</style></head>"
        f"<body><h1>Eval report</h1><p>{report.questions_asked} questions of split "
        f"<code>{escape(report.split)}</code> from "
        f"<code>{escape(report.question_set)}</code>, asked {escape(report.target)}, backend "
        f"<code>{escape(report.backend)}</code>, judge <code>{escape(report.judge)}</code>, "
        f"top_k {report.top_k}, {report.duration_s:g} s, {escape(report.created)}.</p>"
        f"{calibration}<table><tr>{head}</tr>{rows}</table>{by_split}"
        f"<h2>By category</h2><div class='charts'>"
        + "".join(_chart(m, report) for m in HIGHER_IS_BETTER)
        + "</div><h2>Questions</h2>"
        + "".join(_question(q) for q in report.questions)
        + "</body></html>\n"
    )
