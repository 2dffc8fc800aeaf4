"""From a PDF page's characters to its lines: words spaced, superscripts set apart.

pdfium gives every character's box, baseline, font size and weight. Characters are
split into runs where the text leaves its baseline or jumps across (one run a line
of one column), and each run becomes a `Line`: words spaced by the gaps between
characters, a superscript that opens it kept as its marker, TeX's loose accents put on
their letters, small capitals read as the lower case they stand for.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c

from ingest.pdf_line import Line

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


@dataclass
class Char:
    """One character of a page: its text, box, baseline and font, in top-down coordinates."""

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


def page_chars(textpage: pypdfium2.PdfTextPage, height: float) -> list[Char]:
    """Every character of a page with its box, baseline and font, top-down coordinates."""
    tp = textpage.raw
    box = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[Char] = []
    for i in range(pdfium_c.FPDFText_CountChars(tp)):
        code = pdfium_c.FPDFText_GetUnicode(tp, i)
        if code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            continue
        generated = bool(pdfium_c.FPDFText_IsGenerated(tp, i))
        pdfium_c.FPDFText_GetLooseCharBox(tp, i, box)
        pdfium_c.FPDFText_GetCharOrigin(tp, i, ox, oy)
        size = float(pdfium_c.FPDFText_GetFontSize(tp, i))
        out.append(
            Char(
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


def _place_accents(chars: list[Char]) -> list[Char]:
    """Put each accent TeX draws as a character of its own onto the letter under it.

    `Fa¨rber` arrives as `Farber` plus a lone `¨` somewhere later in the stream; the
    accent joins the letter whose box it overlaps, composed to `ä` when the line is made.
    """
    letters = [c for c in chars if c.text.isalpha()]
    kept: list[Char] = []
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


def line_runs(chars: list[Char]) -> list[list[Char]]:
    """Characters split where the text leaves its baseline or jumps across: one line each.

    pdfium's own line breaks are not trusted: it breaks before a superscript that opens
    a footnote, and around an anchor inside a sentence.
    """
    runs: list[list[Char]] = []
    run: list[Char] = []
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


def _raised(ch: Char, near: Char) -> bool:
    """Whether `ch` is a superscript beside `near`: in a smaller font, above its baseline."""
    return (
        ch.size < SUPERSCRIPT_SIZE * near.size
        and near.base - ch.base > SUPERSCRIPT_RISE * near.size - 1
    )


def as_line(run: list[Char], page: int) -> Line | None:
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
    prev: Char | None = None
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
