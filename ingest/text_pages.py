"""Passes over a text's whole pages before its lines are cleaned (text without layout).

Some noise is only seen across pages or on a whole page: running headers and footers
repeat at the edges of several pages, footnotes are numbered in order through the
paper, and a masthead stands above the title on the first page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ingest.normalise import normalise, text_key

# A footnote line: its number, then `)`, `_`, `.`, `:` or only a space, then its text
# (`3) Ibid`, `3 _ Ibid`, `3. Ibid`, `3 Ibid`). The last two are also how numbered
# headings and lists look, so they count only for a number the body referred to first.
FOOTNOTE_START = re.compile(r"^(\d{1,3})(?:\s*([)_:])|(\.?))\s+(\S.*)$")
# A number glued to the word or sign before it (`peninsula1.`, `combined".2`): perhaps a
# footnote reference.
REFERENCE_MARK = re.compile(r"(?<=[^\d\s])(\d{1,3})(?=[\s.,;:]|$)")
# How far down the first page a title may start, under a masthead (journal, issue, date).
MASTHEAD_LINES = 6


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop PDF page headers and footers: edge lines that repeat across pages, page numbers."""

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    edges: Counter[str] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        edges.update({shape(ln) for ln in content[:2] + content[-2:]})
    repeated = {s for s, n in edges.items() if n >= 2 and len(pages) >= 3}
    out = []
    for lines in pages:
        content = [ln for ln in lines if ln.strip()]
        edge = set(content[:2] + content[-2:])
        out.append(
            [
                ln
                for ln in lines
                if not (
                    ln in edge
                    and (
                        shape(ln) in repeated or re.fullmatch(r"\s*(page\s*)?\d{1,4}\s*", ln, re.I)
                    )
                )
            ]
        )
    return out


def find_footnote_starts(pages: Sequence[Sequence[str]]) -> dict[tuple[int, int], tuple[int, str]]:
    """Lines that start footnotes, by (page, line): their number and first text.

    Footnotes are numbered 1, 2, 3 in order through the paper, which tells them from
    the numbered lines around them; a line marked only by its number (or `3.`) needs the
    body to have referred to that number before (`interests.1 As`).
    """
    starts: dict[tuple[int, int], tuple[int, str]] = {}
    referred: set[int] = set()
    for page_no, lines in enumerate(pages):
        for i, raw in enumerate(lines):
            line = normalise(raw)
            m = FOOTNOTE_START.match(line)
            number = int(m.group(1)) if m else 0
            if m and number == len(starts) + 1 and (m.group(2) or number in referred):
                starts[page_no, i] = (number, m.group(4))
                continue
            referred.update(int(n) for n in REFERENCE_MARK.findall(line))
    return starts


def count_masthead_lines(lines: Sequence[str], title: str | None) -> int:
    """How many lines above the title on the first page are a masthead, not the paper.

    Journals print their name, issue and date above the title; when the title is known
    and starts within the page's first lines, whatever stands above it goes.
    """
    want = text_key(title) if title else ""
    seen = 0
    for i, raw in enumerate(lines):
        key = text_key(raw)
        if not key:
            continue
        if want.startswith(key) and (key == want or len(key) >= 12):
            return i
        seen += 1
        if seen >= MASTHEAD_LINES:
            break
    return 0
