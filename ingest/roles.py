"""What each laid-out line of a paper is.

A line is front matter, abstract, body, heading, caption, table, footnote, reference or
figure text.

The rules read the look of a line against the paper's own body text (its most common
font size and line spacing), never a particular paper's template: a heading is a short
line set apart by weight or size, numbered or not; a footnote is set smaller below the
last body line of its column, starting with a marker; a caption starts with its figure
or table number; a table is a row of cells side by side; the references are what follows
their heading.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

from ingest.layout import CAPTION_START
from ingest.pdf_line import Line

Role = Literal[
    "front", "abstract", "body", "references", "heading", "caption", "table", "footnote", "figure"
]

NUMBERED_HEADING = re.compile(r"^((?:\d{1,2}|[A-Z])(?:\.\d{1,2})*)\.?\s+(\S.*)$")
REFERENCES_HEADING = re.compile(
    r"^(references|bibliography|works cited|literature cited|references and notes)$", re.I
)
ABSTRACT_HEADING = re.compile(r"^(abstract|summary)$", re.I)
# Lines of index terms and reference-format blocks: metadata, never an answer.
KEYWORD_LINE = re.compile(
    r"^(CCS Concepts|Additional Key Words|Key\s*-?\s*words|Index Terms|ACM Reference Format)\b",
    re.I,
)
# A sentence ending inside a line, with another after it: prose, never a heading.
SENTENCE_BREAK = re.compile(r"[a-z]{2}[.?!][\"')\]]*\s+[A-Z]")
REFERENCE_ENTRY = re.compile(r"^(\[\d{1,4}\]|\d{1,4}\.\s)")
FOOTNOTE_SIGN = "*∗†‡§¶"
# A line this much smaller than the body text is set apart (footnotes, captions).
SMALLER = 0.93
# A numbered heading may set a word in another font (code, a name): this share of its
# characters bold is enough for it, where an unnumbered one must be all bold.
NUMBERED_BOLD_SHARE = 0.5
# A heading is at least this much larger than the body text when it is not bold.
LARGER = 1.08
MAX_HEADING_WORDS = 14
# A table cell is narrower than this share of the page's text width, and a row of
# three or more of them side by side is a table row.
CELL_WIDTH = 0.35
# Two lines are of one paragraph when no further apart than this times the body's pitch.
PARAGRAPH_SLACK = 1.15
DEFAULT_PITCH = 1.25
# Lines set in a font under this size are figure innards or invisible text.
MIN_SIZE = 4.0


def body_size(pages: Sequence[Sequence[Line]]) -> float:
    """The font size most of the paper's characters are set in: its body text."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for ln in page:
            if not ln.rotated:
                sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _overlaps(a: Line, b: Line) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1


def rows(lines: Sequence[Line], by_column: bool = False) -> list[list[Line]]:
    """Lines of one page grouped into rows: side by side at one height (in one column)."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (by_column and ln.column, ln.top)):
        same_column = not by_column or (bool(rows) and rows[-1][0].column == ln.column)
        if rows and same_column and ln.top - rows[-1][0].top < 0.5 * ln.size:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows


def _numeric(text: str) -> bool:
    """Whether most of a line's tokens are numbers: a row of table cells."""
    tokens = text.split()
    digits = sum(bool(re.fullmatch(r"[-+±]?[\d.,%]+[a-zA-Z%]?|[-–—]", t)) for t in tokens)
    return len(tokens) >= 3 and digits / len(tokens) >= 0.6


@dataclass
class JudgedPage:
    """One page's lines and the role found for each, by index."""

    lines: list[Line]
    roles: dict[int, Role] = field(default_factory=dict)


def _mark_tables(page: JudgedPage, skip: set[int]) -> None:
    """Rows of three or more cells, numeric rows, and what lies between them, as tables."""
    index = {id(ln): i for i, ln in enumerate(page.lines)}
    shown = [ln for ln in page.lines if not ln.rotated]
    if not shown:
        return
    width = max(ln.x1 for ln in shown) - min(ln.x0 for ln in shown)
    in_columns = sum(ln.column > 0 and ln.x1 - ln.x0 > 0.3 * width for ln in shown)
    across = sum(ln.column == 0 and ln.x1 - ln.x0 > 0.6 * width for ln in shown)
    free = [ln for i, ln in enumerate(page.lines) if i not in skip and i not in page.roles]
    cells: set[int] = set()
    for row in rows(free, by_column=in_columns > across):
        narrow = [ln for ln in row if ln.x1 - ln.x0 < CELL_WIDTH * width]
        if len(narrow) >= 3:
            cells.update(index[id(ln)] for ln in narrow)
        cells.update(index[id(ln)] for ln in row if _numeric(ln.text))
    for i in cells:
        if not CAPTION_START.match(page.lines[i].text):
            page.roles[i] = "table"
    marked = [page.lines[i] for i in cells]
    for i, ln in enumerate(page.lines):
        if i in page.roles or i in skip or CAPTION_START.match(ln.text):
            continue
        above = any(
            c.top < ln.top and _overlaps(c, ln) and ln.top - c.bottom < 3 * ln.size for c in marked
        )
        below = any(
            c.top > ln.top and _overlaps(c, ln) and c.top - ln.bottom < 3 * ln.size for c in marked
        )
        if above and below:
            page.roles[i] = "table"


def _same_paragraph(above: Line, ln: Line, pitch: float) -> bool:
    """Whether `ln` reads on from the line just above it.

    Same look, same column, and no more space between them than between two lines of a
    paragraph.
    """
    return (
        abs(above.size - ln.size) < 0.3
        and above.column == ln.column
        and above.page == ln.page
        and 0 < ln.top - above.top <= PARAGRAPH_SLACK * pitch * ln.size
    )


def line_pitch(pages: Sequence[Sequence[Line]], size: float) -> float:
    """Distance from one body line's top to the next, as a share of the font size.

    Templates differ (1.25 in ACL's, 1.5 in ACM's), and every "is there a gap" question
    is asked against the paper's own spacing.
    """
    pitches = [
        b.top - a.top
        for page in pages
        for a, b in pairwise(page)
        if a.size == b.size == size
        and a.column == b.column
        and 0.8 * size < b.top - a.top < 2.5 * size
    ]
    return statistics.median(pitches) / size if pitches else DEFAULT_PITCH


def _mark_captions(page: JudgedPage, pitch: float) -> None:
    """A caption's first line by its number, and the lines that continue it."""
    i = 0
    while i < len(page.lines):
        ln = page.lines[i]
        if i in page.roles or not CAPTION_START.match(ln.text):
            i += 1
            continue
        before = page.lines[i - 1] if i else None
        if before is not None and _same_paragraph(before, ln, pitch):
            i += 1
            continue
        page.roles[i] = "caption"
        prev = ln
        j = i + 1
        while j < len(page.lines):
            nxt = page.lines[j]
            if j in page.roles or not _same_paragraph(prev, nxt, pitch):
                break
            page.roles[j] = "caption"
            prev, j = nxt, j + 1
        i = j


def _mark_footnotes(page: JudgedPage, size: float, pitch: float) -> None:
    """Footnotes: smaller lines under the last body-size line of their column.

    One starts at a superscript marker or a footnote sign and runs on through the
    smaller lines below it.
    """
    body = [ln for ln in page.lines if ln.size >= SMALLER * size]
    prev: Line | None = None
    for i, ln in enumerate(page.lines):
        if i in page.roles or ln.size >= SMALLER * size:
            prev = None
            continue
        under_body = not any(b.top > ln.top and _overlaps(b, ln) for b in body)
        starts = bool(ln.marker) or ln.text[:1] in FOOTNOTE_SIGN
        runs_on = prev is not None and 0 < ln.top - prev.top <= PARAGRAPH_SLACK * pitch * ln.size
        if body and under_body and (starts or runs_on):
            page.roles[i] = "footnote"
            prev = ln
        else:
            prev = None


def heading_level(ln: Line, size: float) -> int | None:
    """The depth of the heading `ln` is, or None when it is not one.

    A heading is a short line set in bold or a larger font, without a sentence's end;
    its number ("3.2") gives its depth, an unnumbered one is a top-level heading.
    """
    text = ln.text
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > 120:
        return None
    weighty = ln.bold_share >= NUMBERED_BOLD_SHARE and ln.size >= SMALLER * size
    if not weighty and ln.size < LARGER * size:
        return None
    if re.search(r"[,;:]$|[a-z]\.$", text) or not re.search(r"[A-Za-z]{2}", text):
        return None
    if SENTENCE_BREAK.search(text):
        return None
    numbered = NUMBERED_HEADING.match(text)
    if numbered and numbered.group(2)[:1].isupper():
        return numbered.group(1).count(".") + 1
    if not (ln.bold or ln.size >= LARGER * size):
        return None
    first = words[0]
    return 1 if first[:1].isupper() and not text.endswith(".") else None


def _runs_in(lines: Sequence[Line], i: int, pitch: float) -> bool:
    """Whether line `i` is a bold run-in heading: as wide as the plain text it runs into."""
    if i + 1 >= len(lines):
        return False
    ln, nxt = lines[i], lines[i + 1]
    return _same_paragraph(ln, nxt, pitch) and not nxt.bold and ln.x1 >= nxt.x1 - 2


def _is_prose(ln: Line) -> bool:
    """A line of running text: long, and most of its words lower-case."""
    words = ln.text.split()
    lower = sum(w[:1].islower() for w in words)
    return len(ln.text) >= 50 and lower >= 0.5 * len(words) and "@" not in ln.text


def roles(pages: Sequence[Sequence[Line]]) -> tuple[list[JudgedPage], float, float]:
    """Every line's role, page by page, and the body font size and line pitch.

    The size and pitch are what every line was judged against.
    """
    size = body_size(pages)
    pitch = line_pitch(pages, size)
    out: list[JudgedPage] = []
    state: Role = "front"
    for number, lines in enumerate(pages):
        page = JudgedPage([ln for ln in lines if ln.rotated or ln.size >= MIN_SIZE])
        front_rows = set()
        if number == 0:
            front_rows = {
                i for i, ln in enumerate(page.lines) if _before_first_heading(page.lines, i, size)
            }
        page.roles.update({i: "figure" for i, ln in enumerate(page.lines) if ln.figure})
        _mark_captions(page, pitch)
        _mark_tables(page, front_rows)
        _mark_footnotes(page, size, pitch)
        heading: list[int] = []
        before_heading = state
        for i, ln in enumerate(page.lines):
            if ln.rotated or i in page.roles:
                continue
            if heading and continues_heading(page.lines[heading[-1]], ln, pitch):
                if not SENTENCE_BREAK.search(ln.text):
                    page.roles[i] = "heading"
                    heading.append(i)
                    continue
                page.roles.update({j: before_heading for j in heading})
                state = before_heading
            heading = []
            if state in ("front", "abstract") and KEYWORD_LINE.match(ln.text):
                state = "front"
                page.roles[i] = state
                continue
            if state == "front" and i in front_rows:
                level = heading_level(ln, size) if _is_section_start(ln, size) else None
            else:
                level = heading_level(ln, size)
            if level is not None and not _runs_in(page.lines, i, pitch):
                page.roles[i] = "heading"
                before_heading, state = state, _state_after(ln.text, state)
                heading = [i]
                continue
            if state == "front" and number == 0 and _is_prose(ln) and i in front_rows:
                state = "abstract"
            page.roles[i] = state
        if number == 0:
            _mark_page_foot(page, size)
        if state == "front":
            state = "body"
        out.append(page)
    return out, size, pitch


def _before_first_heading(lines: Sequence[Line], i: int, size: float) -> bool:
    """Whether line `i` of the title page is above where the sections begin."""
    for ln in lines[:i]:
        if _is_section_start(ln, size) and not ABSTRACT_HEADING.match(ln.text):
            return False
    return True


def _is_section_start(ln: Line, size: float) -> bool:
    """A heading that opens the paper's text: "Abstract", "1 Introduction"."""
    if heading_level(ln, size) is None:
        return False
    return bool(ABSTRACT_HEADING.match(ln.text) or NUMBERED_HEADING.match(ln.text))


def _state_after(heading: str, state: Role) -> Role:
    """What the text under a heading is: abstract, references, or body."""
    if ABSTRACT_HEADING.match(heading):
        return "abstract"
    if REFERENCES_HEADING.match(heading):
        return "references"
    return "body"


def _mark_page_foot(page: JudgedPage, size: float) -> None:
    """The title page's small print under all its body text (venue, copyright) is front."""
    body = [
        ln
        for i, ln in enumerate(page.lines)
        if page.roles.get(i) == "body" and ln.size >= SMALLER * size
    ]
    lowest = max((ln.bottom for ln in body), default=None)
    if lowest is None:
        return
    for i, ln in enumerate(page.lines):
        if ln.top > lowest and ln.size < SMALLER * size and page.roles.get(i) != "footnote":
            page.roles[i] = "front"


def continues_heading(prev: Line | None, ln: Line, pitch: float) -> bool:
    """Whether `ln` is the next line of the heading `prev`.

    Same size and weight (or a hanging indent), below it with no gap, and not a heading
    or caption of its own. A heading across the page may wrap into one column's width.
    """
    return (
        prev is not None
        and prev.page == ln.page
        and abs(prev.size - ln.size) < 0.3
        and (prev.bold == ln.bold or ln.x0 > prev.x0 + 0.5 * ln.size)
        and 0 < ln.top - prev.top <= PARAGRAPH_SLACK * pitch * ln.size
        and _overlaps(prev, ln)
        and not NUMBERED_HEADING.match(ln.text)
        and not CAPTION_START.match(ln.text)
    )
