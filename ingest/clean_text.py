"""Cleaning text without layout line by line: wrapped lines joined, headings and footnotes found.

A text export or a PDF read without its layout is a stream of lines. Lines are joined
into paragraphs (a line-break hyphen dropped where it splits a word), footnotes are kept
apart from the body they interrupt, headings start sections, front matter above the
first heading is left to the metadata, and a text export's pages are split at form
feeds, running headers and (where the catalog says so) indented lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.normalise import is_title_case, normalise, text_key
from rag.types import Footnote

# `32  Russia's Korea Policy in the 21st Century` or `Title of the paper  33`.
RUNNING_HEADER = re.compile(r"^(\d{1,4}\s{2,}\S.{0,100}|\S.{0,100}\S\s{2,}\d{1,4})$")
# A footnote number glued to the end of a sentence or quote: `interests."1 As`.
FOOTNOTE_REF = re.compile(r"(?<=[^\d\s][.,;:!?\"')\]])(\d{1,3})(?=\s|$)")
URL_TAIL = re.compile(r"(https?://|www\.)\S*[./]$")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(\S.*?)\s*#*$")
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
# The title page holds these and the start of the body, so they never end a page.
FRONT_MATTER_HEADINGS = frozenset({"abstract", "summary"})
# `Key Words: Russia, South Korea, ...` closes an abstract.
KEYWORDS_LINE = re.compile(r"^key\s*-?\s*words?\s*:", re.IGNORECASE)


@dataclass
class TextCleaner:
    """What cleaning a text without layout has found so far: body, pages, sections, footnotes."""

    layout: str
    known_headings: dict[str, str]
    footnote_starts: dict[tuple[int, int], tuple[int, str]]
    front_matter: set[str]
    indent_starts_page: bool = False
    masthead_lines: int = 0
    parts: list[str] = field(default_factory=list)
    length: int = 0
    prev_line: str = ""
    prev_open_hyphen: bool = False
    page: int = 0
    page_has_body: bool = False
    page_offsets: list[tuple[int, int]] = field(default_factory=list)
    sections: list[tuple[int, str | None]] = field(default_factory=list)
    pending_section: str | None = None
    pending_break: bool = False
    footnotes: list[Footnote] = field(default_factory=list)
    footnote: list[str] | None = None
    footnote_number: int = 0
    seen_heading: bool = False

    def page_break(self) -> None:
        """A text export's next page, counted only once this one has body text or footnotes."""
        self.end_footnote()
        page_footnotes = self.footnotes and self.footnotes[-1].page == self.page
        if self.page_has_body or page_footnotes:
            self.page += 1
            self.page_has_body = False

    def physical_page(self, index: int) -> None:
        """A PDF's page `index` (0-based) begins, whatever the pages before it held."""
        self.end_footnote()
        self.page = index
        self.page_has_body = False

    def start_footnote(self, number: int, text: str) -> None:
        """Footnote `number` starts with `text`; the one before it ends."""
        self.end_footnote()
        self.footnote_number = number
        self.footnote = [text]

    def end_footnote(self) -> None:
        """The footnote being read, if any, ends: its lines are joined and it is kept."""
        if self.footnote is not None:
            text = self.footnote[0]
            for line in self.footnote[1:]:
                drop, sep = _joint(text, line, open_hyphen=True)
                text = (text[:-1] if drop else text) + sep + line
            self.footnotes.append(Footnote(self.footnote_number, text, self.page, self.length))
            self.footnote = None

    def heading(self, text: str) -> None:
        """A heading: the next body text starts a section under it (the first one, if several)."""
        self.end_footnote()
        self.seen_heading = True
        if self.pending_section is None:
            self.pending_section = text

    def end_abstract(self, keywords: str) -> None:
        """Key words close the abstract: what follows is body outside any heading."""
        self.append_body(keywords, open_hyphen=False)
        self.pending_break = True
        self.page_has_body = False

    def is_front_matter(self, line: str) -> bool:
        """Title, author and issue lines above the first heading live in the metadata."""
        if self.seen_heading:
            return False
        key = text_key(line)
        return any(key.startswith(k) for k in self.front_matter)

    def append_body(self, line: str, open_hyphen: bool) -> None:
        """A body line joins the text, its footnote references gone, a new section started."""
        line = FOOTNOTE_REF.sub(
            lambda m: "" if int(m.group(1)) in self.footnote_numbers() else m.group(1), line
        ).rstrip()
        if not line:
            return
        if self.pending_section is not None or self.pending_break:
            self._emit("\n\n" if self.length else "")
            self.sections.append((self.length, self.pending_section))
            self.pending_section = None
            self.pending_break = False
        elif self.parts:
            drop, sep = _joint(self.prev_line, line, self.prev_open_hyphen)
            if drop:
                self.parts[-1] = self.parts[-1][:-1]
                self.length -= 1
            self._emit(sep)
        if not self.page_offsets or self.page_offsets[-1][1] != self.page:
            self.page_offsets.append((self.length, self.page))
        self._emit(line)
        self.prev_line = line
        self.prev_open_hyphen = open_hyphen
        current = self.sections[-1][1] if self.sections else None
        self.page_has_body |= current is None or text_key(current) not in FRONT_MATTER_HEADINGS

    def footnote_numbers(self) -> set[int]:
        """The numbers of all the footnotes the pages hold."""
        return {n for n, _ in self.footnote_starts.values()}

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def body_ends_sentence(self) -> bool:
        """Whether the body so far ends a sentence, so a heading may follow."""
        return (
            not self.parts
            or self.pending_section is not None
            or bool(SENTENCE_END.search(self.prev_line))
        )


def _joint(before: str, after: str, open_hyphen: bool) -> tuple[bool, str]:
    """How two wrapped lines meet: whether to drop the line-break hyphen, and the separator.

    `inter-` + `national` is one word. A hyphen the export left a space after
    (`thirty- ` + `eight`), or one before a capital (`Russia-` + `Korea`), is a real one.
    """
    if before.endswith("-") and len(before) > 1 and before[-2].isalpha():
        return open_hyphen and after[:1].islower(), ""
    if before.endswith("/") or URL_TAIL.search(before):
        return False, ""
    return False, " "


def _next_text(lines: Sequence[str], i: int) -> tuple[int, str]:
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            return j, normalise(lines[j])
    return len(lines), ""


def clean_page(c: TextCleaner, lines: list[str], page_no: int) -> None:
    """Feed one page's lines to the cleaner: body, footnotes, headings, page breaks."""
    skip_to = c.masthead_lines - 1 if page_no == 0 else -1
    for i, raw in enumerate(lines):
        line = normalise(raw)
        if i <= skip_to:
            continue
        if not line:
            c.end_footnote()
            continue
        at_start = page_no == 0 and i == 0
        if c.layout == "text-export" and not at_start:
            if RUNNING_HEADER.match(raw.strip()):
                c.page_break()
                continue
            if c.indent_starts_page and raw[:1].isspace() and c.page_has_body:
                c.page_break()
        start = c.footnote_starts.get((page_no, i))
        if start is not None:
            c.start_footnote(*start)
            continue
        if c.footnote is not None:
            c.footnote.append(line)
            continue
        if c.is_front_matter(line):
            continue
        if KEYWORDS_LINE.match(line):
            c.end_abstract(line)
            continue
        heading, skip_to = _heading(c, lines, i, line)
        if heading is not None:
            c.heading(heading)
        else:
            c.append_body(line, open_hyphen=not raw[-1:].isspace())


def _heading(c: TextCleaner, lines: Sequence[str], i: int, line: str) -> tuple[str | None, int]:
    """The heading starting at line `i`, if any, and the index of its last line."""
    md = MARKDOWN_HEADING.match(line)
    if md and c.layout == "markdown":
        return md.group(1), i
    if text_key(line) in c.known_headings:
        return c.known_headings[text_key(line)], i
    j, nxt = _next_text(lines, i)
    if nxt and f"{text_key(line)} {text_key(nxt)}" in c.known_headings:
        return c.known_headings[f"{text_key(line)} {text_key(nxt)}"], j
    looks_like = (
        len(line) <= 70
        and 1 <= len(line.split()) <= 8
        and not re.search(r"[.,;:!?\"'\-/]$", line)
        and is_title_case(line)
        and nxt[:1].isupper()
        and c.body_ends_sentence()
    )
    return (line, i) if looks_like else (None, i)
