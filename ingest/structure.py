"""The clean text of each kind of a laid-out paper, from what each line is.

`ingest.roles` says what each line is; this joins them into the running text (front
matter, abstract, body, references, in reading order, with where each kind and section
starts) and the asides taken out of it: captions, tables and footnotes, so they never
split a body sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.layout import CAPTION_START
from ingest.pdf_line import Line
from ingest.roles import (
    FOOTNOTE_SIGN,
    PARAGRAPH_SLACK,
    REFERENCE_ENTRY,
    Role,
    continues_heading,
    heading_level,
    roles,
    rows,
)
from rag.types import TABLE_CELL_SEPARATOR, Aside, ChunkKind


@dataclass(frozen=True)
class Heading:
    """A section heading: its text, its depth (1 for "3", 2 for "3.2"), where it starts."""

    text: str
    level: int
    page: int
    offset: int


@dataclass(frozen=True)
class Note:
    """A footnote as printed: its marker (`1`, `∗`), its text and page."""

    marker: str
    text: str
    page: int
    anchor: int


@dataclass
class Structured:
    """A paper's text by kind.

    The running text with where each kind and section starts, the asides and footnotes
    taken out of it; the title block of the first page (`front`), its other front
    matter (`foot`: index terms, the venue and copyright lines) and turned text
    (`stamps`: an arXiv stamp up the margin).
    """

    body: str
    page_offsets: list[tuple[int, int]]
    kinds: list[tuple[int, ChunkKind]]
    headings: list[Heading]
    asides: list[Aside]
    notes: list[Note]
    front: list[Line]
    foot: list[Line]
    stamps: list[str]
    abstract: str


def join_lines(lines: Sequence[Line]) -> str:
    """Lines of one paragraph as one text (see `_joined`)."""
    return _joined(lines)[0]


def _joined(lines: Sequence[Line]) -> tuple[str, list[int]]:
    """Lines of one paragraph as one text, and where in it each line starts.

    A hyphen pdfium found at a line's end joins the word when it goes on in lower case
    (`cor-` + `pus`), and stays when a capital follows (`Anglo-` + `Saxon`); a URL broken
    after `/` is not spaced. pdfium cannot see a word go on past the page or column, so
    there a plain hyphen after a letter, with lower case after it, is taken as a break.
    """
    text = ""
    starts: list[int] = []
    for n, ln in enumerate(lines):
        if n and text:
            prev = lines[n - 1]
            moved = ln.page != prev.page or ln.column != prev.column
            if prev.hyphenated:
                text += "" if ln.text[:1].islower() else "-"
            elif moved and re.search(r"[^\W\d_]-$", text) and ln.text[:1].islower():
                text = text[:-1]
            elif not text.endswith("/"):
                text += " "
        starts.append(len(text))
        text += ln.text
    return text, starts


@dataclass
class _Builder:
    """The running text, paragraph by paragraph, with its kinds, sections and pages."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    page_offsets: list[tuple[int, int]] = field(default_factory=list)
    kinds: list[tuple[int, ChunkKind]] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)

    def paragraph(self, lines: list[Line], kind: ChunkKind, entries: bool = False) -> None:
        """Add one paragraph; reference entries are kept one to a line."""
        text, starts = _joined(lines)
        if not text:
            return
        sep = "\n" if entries and self.kinds and self.kinds[-1][1] == kind else "\n\n"
        if self.length:
            self._emit(sep)
        if not self.kinds or self.kinds[-1][1] != kind:
            self.kinds.append((self.length, kind))
        for ln, start in zip(lines, starts, strict=True):
            if not self.page_offsets or self.page_offsets[-1][1] != ln.page:
                self.page_offsets.append((self.length + start, ln.page))
        self._emit(text)

    def heading(self, ln: Line, level: int) -> None:
        """A heading starts a section at the next paragraph."""
        self.headings.append(Heading(ln.text, level, ln.page, self.length + 2 * bool(self.length)))

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


def _new_paragraph(prev: Line, ln: Line, role: Role, pitch: float) -> bool:
    """Whether `ln` starts a new paragraph (or reference entry) after `prev`."""
    if ln.page != prev.page or ln.column != prev.column:
        return role == "references" and bool(REFERENCE_ENTRY.match(ln.text))
    if not 0 < ln.top - prev.top <= PARAGRAPH_SLACK * pitch * ln.size:
        return True
    if role == "references":
        return bool(REFERENCE_ENTRY.match(ln.text)) or ln.x0 < prev.x0 - 2
    ends = bool(re.search(r"[.!?:][\"')\]]*$", prev.text))
    return ends and ln.x0 > prev.x0 + 0.8 * ln.size


def structure(pages: Sequence[Sequence[Line]]) -> Structured:
    """The paper's running text by kind, its headings, asides, footnotes and front lines."""
    judged, size, pitch = roles(pages)
    out = _Builder()
    asides: list[Aside] = []
    notes: list[Note] = []
    front: list[Line] = []
    foot: list[Line] = []
    past_title = False
    stamps: list[str] = []
    paragraph: list[Line] = []
    para_role: Role = "front"
    abstract: list[str] = []
    last_heading: Line | None = None
    heading_end = -1

    def flush() -> None:
        if paragraph:
            kind = _kind_of(para_role)
            if para_role == "abstract":
                abstract.append(join_lines(paragraph))
            out.paragraph(paragraph, kind, entries=para_role == "references")
            paragraph.clear()

    for page in judged:
        groups: dict[str, list[Line]] = {}
        for i, ln in enumerate(page.lines):
            if ln.rotated:
                stamps.append(ln.text)
                continue
            role = page.roles[i]
            if role == "figure":
                continue
            if role in ("caption", "table", "footnote"):
                _collect(groups, role, ln, asides, notes, out.length)
                continue
            if role == "front" and ln.page == 0:
                (foot if past_title else front).append(ln)
            past_title = past_title or role != "front"
            if role == "heading":
                flush()
                if out.length == heading_end and continues_heading(last_heading, ln, pitch):
                    last = out.headings.pop()
                    out.headings.append(
                        Heading(f"{last.text} {ln.text}", last.level, last.page, last.offset)
                    )
                else:
                    out.heading(ln, heading_level(ln, size) or 1)
                last_heading, heading_end = ln, out.length
                para_role = "body"
                continue
            if paragraph and (role != para_role or _new_paragraph(paragraph[-1], ln, role, pitch)):
                flush()
            para_role = role
            paragraph.append(ln)
        _flush_groups(groups, asides, notes, out.length)
    flush()
    return Structured(
        body="".join(out.parts),
        page_offsets=out.page_offsets or [(0, 0)],
        kinds=out.kinds,
        headings=out.headings,
        asides=asides,
        notes=notes,
        front=front,
        foot=foot,
        stamps=stamps,
        abstract="\n\n".join(abstract),
    )


def _kind_of(role: Role) -> ChunkKind:
    """The chunk kind of running text in `role`."""
    kinds: dict[Role, ChunkKind] = {
        "front": "front",
        "abstract": "abstract",
        "references": "references",
    }
    return kinds.get(role, "body")


def _collect(
    groups: dict[str, list[Line]],
    role: Role,
    ln: Line,
    asides: list[Aside],
    notes: list[Note],
    anchor: int,
) -> None:
    """Gather the lines of one caption, table or footnote until the next one starts."""
    starts = (
        (role == "caption" and CAPTION_START.match(ln.text))
        or (role == "footnote" and (ln.marker or ln.text[:1] in FOOTNOTE_SIGN))
        or (
            role == "table"
            and groups.get("table")
            and ln.top - groups["table"][-1].bottom > 3 * ln.size
        )
    )
    if starts and groups.get(role):
        _flush_group(role, groups.pop(role), asides, notes, anchor)
    groups.setdefault(role, []).append(ln)


def _flush_groups(
    groups: dict[str, list[Line]], asides: list[Aside], notes: list[Note], anchor: int
) -> None:
    for role, lines in groups.items():
        _flush_group(role, lines, asides, notes, anchor)
    groups.clear()


def _flush_group(
    role: str, lines: list[Line], asides: list[Aside], notes: list[Note], anchor: int
) -> None:
    """One caption, table or footnote made text."""
    page = lines[0].page
    if role == "footnote":
        marker = lines[0].marker
        text = join_lines(lines)
        if not marker and text[:1] in FOOTNOTE_SIGN:
            marker, text = text[0], text[1:].lstrip()
        notes.append(Note(marker, text, page, anchor))
    elif role == "table":
        cells = rows(lines)
        text = "\n".join(
            TABLE_CELL_SEPARATOR.join(c.text for c in sorted(r, key=lambda c: c.x0)) for r in cells
        )
        asides.append(Aside("table", text, page, anchor))
    else:
        asides.append(Aside("caption", join_lines(lines), page, anchor))
