"""Lines of a PDF page with their look: font size, weight and position, in reading order.

The text stream alone cannot tell a heading from a sentence, a footnote from the body
it interrupts, or a running header from the first line of a page; the page's layout can.
pdfium (through pypdfium2) gives every character's box, baseline, font size and weight,
from which this module builds lines, orders two-column pages column by column, keeps
superscript markers from gluing to words, and drops what repeats at the page edges.
It runs inside the PDF reader's child process (`ingest.loaders`), so its input is
untrusted and its limits are that process's.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

# Two characters of one line are a word apart past this share of the font size, and in
# different segments (columns, table cells) past the second.
WORD_GAP = 0.2
SEGMENT_GAP = 1.2
PART_GAP = 0.8
# A character this much smaller than its line and raised above its baseline is a marker
# (a footnote or affiliation sign), not part of the word it follows.
SUPERSCRIPT_SIZE = 0.85
SUPERSCRIPT_RISE = 0.2
# A capital this much smaller than the one before it in its word is a small capital.
SMALL_CAPS = 0.9
# Font weight from which a character counts as bold.
BOLD_WEIGHT = 600
# Share of a line's characters that must be bold for the line to count as bold: a
# paragraph that opens with a bold run-in heading is not a bold line.
BOLD_SHARE = 0.75
# Share of the page height at the top and bottom where running headers, footers and page
# numbers live.
EDGE_BAND = 0.12
# Figures: embedded images and drawings looked for this deep in nested form objects,
# counted when at least this share of the page's width and height, and at most this
# share of its area (a larger one wraps the whole page).
FIGURE_DEPTH = 3
FIGURE_MIN_SIDE = 0.06
FIGURE_MAX_AREA = 0.5
LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
# pdfium's code for a hyphen it found at a line's end, and what it stands for here: the
# line is marked, and `ingest.structure` decides whether the word goes on.
LINE_END_HYPHEN = 0x2
BREAK_HYPHEN = "\u00ad"
# Spacing accents TeX places over a letter, and the combining mark each one is.
ACCENTS = {
    "¨": "\u0308",
    "´": "\u0301",
    "`": "\u0300",
    "ˆ": "\u0302",
    "˜": "\u0303",
    "ˇ": "\u030c",
    "˚": "\u030a",
    "¸": "\u0327",
}
# The first line of a figure's or table's caption.
CAPTION_START = re.compile(
    r"^(Figure|Fig\.|Table|Tab\.|Algorithm|Listing|Chart|Exhibit)\s*[A-Z]?\d+(\.\d+)*\s*[:.|]"
)
PAGE_NUMBER = re.compile(r"^(page\s*)?[\divxlc]{1,5}(\s*(of|/)\s*\d+)?$", re.I)


@dataclass
class Line:
    """One line of one column, as printed: its text and how it looks.

    `top` and `bottom` are distances from the top of the page in points, `size` the
    font size most of its characters have, `bold_share` the share of them set bold. `marker` is a
    superscript the line starts with (a footnote's number), kept apart from its text;
    `parts` are its pieces between inner markers and wide gaps (names, table cells);
    `hyphenated` says pdfium found a hyphen at its end, left out of `text`; `column`
    is 1 or 2 for the left or right column of a two-column part, 0 across the page;
    `figure` says the line lies inside a figure (an embedded image or drawing).
    """

    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold_share: float
    marker: str = ""
    rotated: bool = False
    parts: tuple[str, ...] = ()
    hyphenated: bool = False
    column: int = 0
    figure: bool = False

    @property
    def bold(self) -> bool:
        """Whether (nearly) all the line is bold: a run-in bold lead-in does not make it so."""
        return self.bold_share >= BOLD_SHARE

    def to_json(self) -> dict[str, object]:
        """The line as JSON-safe values, to cross the child process's pipe."""
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Line:
        """Inverse of `to_json`."""
        return cls(**{**raw, "parts": tuple(raw.get("parts", ()))})


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    base: float
    top: float
    bottom: float
    size: float
    bold: bool
    generated: bool
    angle: float


def _chars(textpage: pypdfium2.PdfTextPage, height: float) -> list[_Char]:
    """Every character of a page with its box, baseline and font, top-down coordinates."""
    tp = textpage.raw
    box = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[_Char] = []
    for i in range(pdfium_c.FPDFText_CountChars(tp)):
        code = pdfium_c.FPDFText_GetUnicode(tp, i)
        if code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        generated = bool(pdfium_c.FPDFText_IsGenerated(tp, i))
        pdfium_c.FPDFText_GetLooseCharBox(tp, i, box)
        pdfium_c.FPDFText_GetCharOrigin(tp, i, ox, oy)
        size = float(pdfium_c.FPDFText_GetFontSize(tp, i))
        out.append(
            _Char(
                text=BREAK_HYPHEN if code == LINE_END_HYPHEN else chr(code),
                x0=box.left,
                x1=box.right,
                base=height - oy.value,
                top=height - box.top,
                bottom=height - box.bottom,
                size=size,
                bold=pdfium_c.FPDFText_GetFontWeight(tp, i) >= BOLD_WEIGHT,
                generated=generated,
                angle=float(pdfium_c.FPDFText_GetCharAngle(tp, i)),
            )
        )
    return _place_accents(out)


def _place_accents(chars: list[_Char]) -> list[_Char]:
    """Put each accent TeX draws as a character of its own onto the letter under it.

    `Fa¨rber` arrives as `Farber` plus a lone `¨` somewhere later in the stream; the
    accent joins the letter whose box it overlaps, composed to `ä` when the line is made.
    """
    letters = [c for c in chars if c.text.isalpha()]
    kept: list[_Char] = []
    for ch in chars:
        mark = ACCENTS.get(ch.text)
        if mark is None:
            kept.append(ch)
            continue
        centre = (ch.x0 + ch.x1) / 2
        under = [
            c
            for c in letters
            if c.x0 <= centre <= c.x1 and 0 <= c.base - ch.base <= max(c.size, 1.0)
        ]
        if under:
            target = min(under, key=lambda c: c.base - ch.base)
            target.text += mark
    return kept


def _runs(chars: list[_Char]) -> list[list[_Char]]:
    """Characters split where the text leaves its baseline or jumps across: one line each.

    pdfium's own line breaks are not trusted: it breaks before a superscript that opens
    a footnote, and around an anchor inside a sentence.
    """
    runs: list[list[_Char]] = []
    run: list[_Char] = []
    for ch in chars:
        if ch.generated or ch.text.isspace():
            if run and not run[-1].text.isspace():
                run.append(ch)
            continue
        if run:
            last = next(c for c in reversed(run) if not c.text.isspace())
            size = max(ch.size, last.size) or 1.0
            same_line = (
                abs(ch.base - last.base) < 0.6 * size or _raised(ch, last) or _raised(last, ch)
            )
            gap = ch.x0 - last.x1
            if not same_line or gap > SEGMENT_GAP * size or gap < -1.5 * size:
                runs.append(run)
                run = []
        run.append(ch)
    if run:
        runs.append(run)
    return [r for r in runs if any(not c.text.isspace() for c in r)]


def _raised(ch: _Char, near: _Char) -> bool:
    """Whether `ch` is a superscript beside `near`: in a smaller font, above its baseline."""
    return (
        ch.size < SUPERSCRIPT_SIZE * near.size
        and near.base - ch.base > SUPERSCRIPT_RISE * near.size - 1
    )


def _line(run: list[_Char], page: int) -> Line | None:
    """A run of characters as a `Line`: words spaced, markers set apart, parts split.

    A superscript that opens the line is its `marker` (a footnote's number); one inside
    it (an author's affiliation sign, a footnote anchor) is dropped and ends a part, as
    does a gap wider than a word space, so names and table cells stay apart. Small
    capitals (a capital set smaller than the capital that opens its word) are the lower
    case letters they stand for: `LONGEVAL` in small caps reads `LongEval`.
    """
    visible = [c for c in run if not c.text.isspace()]
    size = Counter(round(c.size, 1) for c in visible).most_common(1)[0][0]
    main = [c for c in visible if c.size >= SUPERSCRIPT_SIZE * size] or visible
    base = statistics.median(c.base for c in main)
    parts: list[str] = [""]
    marker: list[str] = []
    prev: _Char | None = None
    capital = 0.0
    for ch in run:
        if ch.text.isspace():
            parts[-1] += " "
            continue
        if ch.size < SUPERSCRIPT_SIZE * size and base - ch.base > SUPERSCRIPT_RISE * size - 1:
            if not "".join(parts).strip():
                marker.append(ch.text)
            elif parts[-1].strip():
                parts.append("")
            prev = None
            continue
        if prev is not None:
            gap = ch.x0 - prev.x1
            if gap > PART_GAP * size and parts[-1].strip():
                parts.append("")
            elif gap > WORD_GAP * size:
                parts[-1] += " "
        if parts[-1][-1:].isspace() or not parts[-1]:
            capital = 0.0
        if ch.text.isupper() and capital and ch.size < SMALL_CAPS * capital:
            parts[-1] += ch.text.lower()
        else:
            parts[-1] += ch.text
            capital = ch.size if ch.text.isupper() else capital
        prev = ch
    cleaned = [_tidy(p) for p in parts]
    cleaned = [p for p in cleaned if p]
    if not cleaned:
        return None
    text = " ".join(cleaned)
    hyphenated = text.endswith(BREAK_HYPHEN)
    weights = Counter(c.bold for c in main)
    return Line(
        text=text.rstrip(BREAK_HYPHEN).replace(BREAK_HYPHEN, "-"),
        page=page,
        x0=min(c.x0 for c in visible),
        x1=max(c.x1 for c in visible),
        top=min(c.top for c in main),
        bottom=max(c.bottom for c in main),
        size=float(size),
        bold_share=weights[True] / len(main),
        marker="".join(marker).strip(),
        parts=tuple(p.replace(BREAK_HYPHEN, "") for p in cleaned),
        hyphenated=hyphenated,
    )


def _tidy(text: str) -> str:
    """One part's text: accents composed, ligatures undone, single spaces."""
    composed = unicodedata.normalize("NFC", text).translate(LIGATURES)
    return re.sub(r"\s+", " ", composed).strip()


def reading_order(lines: list[Line], width: float) -> list[Line]:
    """Lines as one reads them: down the page, and in two-column parts left column first.

    A line that crosses the middle of the page (a title, a wide figure's caption) closes
    the columns above it; between two such lines the left column comes before the right.
    """
    mid = width / 2
    spans = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    ordered: list[Line] = []
    band: list[Line] = []

    def flush() -> None:
        left = [ln for ln in band if ln.x1 <= mid + 2]
        right = [ln for ln in band if ln.x1 > mid + 2]
        for column, lines in ((1, left), (2, right)):
            for ln in lines:
                ln.column = column
            ordered.extend(lines)
        band.clear()

    for ln in by_rows(spans):
        if ln.x0 < mid - 2 and ln.x1 > mid + 2:
            flush()
            ordered.append(ln)
        else:
            band.append(ln)
    flush()
    return ordered


def by_rows(lines: Sequence[Line]) -> list[Line]:
    """Lines sorted top-down, those side by side on one row (names, cells) left to right."""
    out: list[Line] = []
    row: list[Line] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        if row and ln.top - row[0].top > 0.5 * row[0].size:
            out.extend(sorted(row, key=lambda r: r.x0))
            row = []
        row.append(ln)
    out.extend(sorted(row, key=lambda r: r.x0))
    return out


def page_lines(document: pypdfium2.PdfDocument) -> list[list[Line]]:
    """Every page's lines in reading order, running headers, footers and page numbers gone.

    Turned text (an arXiv stamp up the margin) is not part of the reading order: it
    comes last on its page as one `rotated` line in stream order, for the metadata.
    """
    pages: list[list[Line]] = []
    heights: list[float] = []
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        chars = _chars(page.get_textpage(), height)
        upright = [c for c in chars if abs(c.angle) <= 0.1 or c.generated]
        found = [ln for ln in (_line(run, index) for run in _runs(upright)) if ln is not None]
        boxes = _figure_boxes(page, width, height, found)
        for ln in found:
            x, y = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
            ln.figure = any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)
        lines = reading_order(found, width)
        turned = "".join(c.text for c in chars if abs(c.angle) > 0.1 and not c.generated)
        if turned.strip():
            lines.append(Line(turned.strip(), index, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rotated=True))
        pages.append(lines)
        heights.append(height)
    return drop_running_lines(pages, heights)


def _figure_boxes(
    page: pypdfium2.PdfPage, width: float, height: float, lines: list[Line]
) -> list[tuple[float, float, float, float]]:
    """Boxes (top-down) of the page's figures: images and embedded drawings (form objects).

    A box over most of the page is a wrapper around the whole page, and a small one (a
    logo, a stamp) holds no figure text, so neither counts; objects nested in such a
    wrapper do. An image is often larger
    than the part the page shows of it, so a box ends at the caption inside it.
    """
    kinds = [pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM]
    boxes = []
    outer = (0.0, 0.0, width, height)
    for obj in page.get_objects(filter=kinds, max_depth=FIGURE_DEPTH):
        left, bottom, right, top = obj.get_bounds()
        if obj.level == 0:
            outer = (left, bottom, right, top)
        elif not _inside((left, bottom, right, top), outer):
            continue
        w, h = right - left, top - bottom
        if w * h > FIGURE_MAX_AREA * width * height:
            continue
        if w < FIGURE_MIN_SIDE * width or h < FIGURE_MIN_SIDE * height:
            continue
        box_top, box_bottom = height - float(top), height - float(bottom)
        captions = [
            ln.top
            for ln in lines
            if CAPTION_START.match(ln.text)
            and box_top < ln.top < box_bottom
            and left <= (ln.x0 + ln.x1) / 2 <= right
        ]
        boxes.append((float(left), box_top, float(right), min(captions, default=box_bottom)))
    return boxes


def _inside(
    box: tuple[float, float, float, float], outer: tuple[float, float, float, float]
) -> bool:
    """Whether `box` lies within `outer` (a point of slack).

    pdfium gives an object nested in a form in the form's own space; one that does not
    fit in its page-level container is in such a space, and its box says nothing of
    where it is on the page.
    """
    return (
        box[0] >= outer[0] - 1
        and box[1] >= outer[1] - 1
        and box[2] <= outer[2] + 1
        and box[3] <= outer[3] + 1
    )


def _shape(text: str) -> str:
    """A line's text with its numbers blanked, so `4970` and `4971` footers compare equal."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Remove lines at a page's top or bottom edge that repeat on other pages, or only number it.

    A running header or footer is what sits in the edge band of several pages with the
    same text up to its numbers; a page number is a lone number there.
    """

    def at_edge(ln: Line, height: float) -> bool:
        return ln.top < EDGE_BAND * height or ln.bottom > (1 - EDGE_BAND) * height

    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        seen.update({_shape(ln.text) for ln in lines if at_edge(ln, height)})
    repeated = {s for s, n in seen.items() if n >= 2 and len(pages) >= 3}
    return [
        [
            ln
            for ln in lines
            if ln.rotated
            or not (
                at_edge(ln, height)
                and (_shape(ln.text) in repeated or PAGE_NUMBER.fullmatch(ln.text))
            )
        ]
        for lines, height in zip(pages, heights, strict=True)
    ]
