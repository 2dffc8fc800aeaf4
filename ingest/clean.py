"""From raw page text to clean body text with pages, sections and footnotes kept apart.

Text exported from a PDF comes with layout noise: blank lines between lines, words
hyphenated across lines, running headers, footnotes between two halves of a body
sentence, a masthead above the title. Cleaning removes the noise without changing a
word, and remembers where each page and section begins so chunks can cite them. A
PDF's pages are numbered as the PDF numbers them (blank and image-only pages count); a
text export's pages are split at form feeds and running headers, and, where its
catalog entry says so (`page_start = "indent"`), at a line that starts with a space.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from ingest.layout import Line
from ingest.loaders import LoadedDocument
from ingest.structure import Aside, Heading, Structured, structure
from rag.models import ChunkKind, PageStart

QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "\u00a0": " ",
        "\t": " ",
    }
)
# `32  Russia's Korea Policy in the 21st Century` or `Title of the paper  33`.
RUNNING_HEADER = re.compile(r"^(\d{1,4}\s{2,}\S.{0,100}|\S.{0,100}\S\s{2,}\d{1,4})$")
# A footnote line: its number, then `)`, `_`, `.`, `:` or only a space, then its text
# (`3) Ibid`, `3 _ Ibid`, `3. Ibid`, `3 Ibid`). The last two are also how numbered
# headings and lists look, so they count only for a number the body referred to first.
FOOTNOTE_START = re.compile(r"^(\d{1,3})(?:\s*([)_:])|(\.?))\s+(\S.*)$")
# A number glued to the word or sign before it (`peninsula1.`, `combined".2`): perhaps a
# footnote reference.
REFERENCE_MARK = re.compile(r"(?<=[^\d\s])(\d{1,3})(?=[\s.,;:]|$)")
# A footnote number glued to the end of a sentence or quote: `interests."1 As`.
FOOTNOTE_REF = re.compile(r"(?<=[^\d\s][.,;:!?\"')\]])(\d{1,3})(?=\s|$)")
URL_TAIL = re.compile(r"(https?://|www\.)\S*[./]$")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(\S.*?)\s*#*$")
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "toward",
        "towards",
        "vs",
        "with",
    ]
)
# The title page holds these and the start of the body, so they never end a page.
FRONT_MATTER_HEADINGS = frozenset({"abstract", "summary"})
# `Key Words: Russia, South Korea, ...` closes an abstract.
KEYWORDS_LINE = re.compile(r"^key\s*-?\s*words?\s*:", re.IGNORECASE)
# How far down the first page a title may start, under a masthead (journal, issue, date).
MASTHEAD_LINES = 6


@dataclass(frozen=True)
class Footnote:
    """A footnote's text, kept apart from the body so it never splits a sentence.

    `number` is None for a footnote marked by a sign (`∗`), which its text then starts with.
    """

    number: int | None
    text: str
    page: int
    anchor: int


@dataclass
class CleanDocument:
    """Body text plus where its pages and sections start (offsets into `body`)."""

    body: str
    page_offsets: list[tuple[int, int]]
    sections: list[tuple[int, str | None]]
    footnotes: list[Footnote]
    page_count: int
    first_line: str | None
    page_labels: tuple[str, ...] = ()
    kinds: list[tuple[int, ChunkKind]] = field(default_factory=list)
    asides: list[Aside] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    layout: Structured | None = None

    def page_at(self, offset: int) -> int:
        """0-based page index of the body character at `offset`."""
        starts = [o for o, _ in self.page_offsets]
        i = bisect_right(starts, offset) - 1
        return self.page_offsets[i][1] if i >= 0 else 0

    def section_at(self, offset: int) -> str | None:
        """Heading of the section the body character at `offset` is in, if it has one."""
        starts = [o for o, _ in self.sections]
        i = bisect_right(starts, offset) - 1
        return self.sections[i][1] if i >= 0 else None

    def kind_at(self, offset: int) -> ChunkKind:
        """Kind of the body text at `offset`: body, unless the layout said otherwise."""
        starts = [o for o, _ in self.kinds]
        i = bisect_right(starts, offset) - 1
        return self.kinds[i][1] if i >= 0 else "body"

    def blocks(self) -> list[tuple[int, int]]:
        """(start, end) spans that no chunk should cross: sections, kinds, paragraphs."""
        cuts = sorted(
            {0, len(self.body), *(o for o, _ in self.sections), *(o for o, _ in self.kinds)}
        )
        cuts += [m.end() for m in re.finditer(r"\n\n", self.body)]
        cuts = sorted(set(cuts))
        spans = []
        for a, b in pairwise(cuts):
            text = self.body[a:b]
            lead = len(text) - len(text.lstrip())
            trail = len(text.rstrip())
            if trail > lead:
                spans.append((a + lead, a + trail))
        return spans


def normalise(line: str) -> str:
    """Unicode compatibility forms, straight quotes, single spaces: the words stay as they are."""
    text = unicodedata.normalize("NFKC", line).translate(QUOTES)
    return re.sub(r" {2,}", " ", text).strip()


def is_title_case(text: str) -> bool:
    """Whether every word but the small ones starts with a capital (or it is all capitals)."""
    words = text.split()
    if not words or not words[0][0].isupper():
        return False
    if text.isupper():
        return True
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in SMALL_WORDS for w in words)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", normalise(text).lower()).strip()


@dataclass
class _Cleaner:
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
        self.end_footnote()
        self.footnote_number = number
        self.footnote = [text]

    def end_footnote(self) -> None:
        if self.footnote is not None:
            text = self.footnote[0]
            for line in self.footnote[1:]:
                drop, sep = _joint(text, line, open_hyphen=True)
                text = (text[:-1] if drop else text) + sep + line
            self.footnotes.append(Footnote(self.footnote_number, text, self.page, self.length))
            self.footnote = None

    def heading(self, text: str) -> None:
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
        key = _key(line)
        return any(key.startswith(k) for k in self.front_matter)

    def append_body(self, line: str, open_hyphen: bool) -> None:
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
        self.page_has_body |= current is None or _key(current) not in FRONT_MATTER_HEADINGS

    def footnote_numbers(self) -> set[int]:
        return {n for n, _ in self.footnote_starts.values()}

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def body_ends_sentence(self) -> bool:
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


def _strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
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


def _footnote_starts(pages: Sequence[Sequence[str]]) -> dict[tuple[int, int], tuple[int, str]]:
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


def clean(
    doc: LoadedDocument,
    title: str | None = None,
    authors: Sequence[str] = (),
    affiliation: str | None = None,
    sections: Sequence[str] = (),
    page_start: PageStart = "formfeed",
) -> CleanDocument:
    """Clean a loaded document; `sections` are headings to recognise whatever their look.

    A PDF read with its layout is cleaned from its lines (`ingest.structure`), which know
    what each line is; the rules below are for text without layout.
    """
    if doc.lines:
        return _from_layout(doc, structure([[_normalised(ln) for ln in pg] for pg in doc.lines]))
    texts = (
        doc.pages if doc.layout == "pdf" else [p for page in doc.pages for p in page.split("\f")]
    )
    pages = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in texts]
    if doc.layout == "pdf":
        pages = _strip_running_lines(pages)
    cleaner = _Cleaner(
        layout=doc.layout,
        known_headings={_key(s): normalise(s) for s in sections},
        footnote_starts=_footnote_starts(pages),
        front_matter={_key(x) for x in (title, affiliation, *authors) if x and _key(x)},
        indent_starts_page=page_start == "indent",
        masthead_lines=_masthead_lines(pages[0] if pages else [], title),
    )
    for page_no, lines in enumerate(pages):
        if doc.layout == "pdf":
            cleaner.physical_page(page_no)
        elif page_no:
            cleaner.page_break()
        _clean_page(cleaner, lines, page_no)
    cleaner.end_footnote()
    return CleanDocument(
        body="".join(cleaner.parts),
        page_offsets=cleaner.page_offsets or [(0, 0)],
        sections=cleaner.sections,
        footnotes=cleaner.footnotes,
        page_count=len(pages) if doc.layout == "pdf" else cleaner.page + 1,
        first_line=next((normalise(ln) for page in pages for ln in page if ln.strip()), None),
        page_labels=doc.page_labels,
    )


def _normalised(line: Line) -> Line:
    """A laid-out line with its text normalised as every other text is."""
    return replace(line, text=normalise(line.text), parts=tuple(normalise(p) for p in line.parts))


def _from_layout(doc: LoadedDocument, laid: Structured) -> CleanDocument:
    """The layout's reading of a PDF as a `CleanDocument`."""
    return CleanDocument(
        body=laid.body,
        page_offsets=laid.page_offsets,
        sections=[(h.offset, h.text) for h in laid.headings],
        footnotes=[
            Footnote(
                int(n.marker) if n.marker.isdigit() else None,
                n.text if n.marker.isdigit() else f"{n.marker} {n.text}".strip(),
                n.page,
                n.anchor,
            )
            for n in laid.notes
        ],
        page_count=len(doc.lines),
        first_line=next((normalise(ln.text) for page in doc.lines for ln in page), None),
        page_labels=doc.page_labels,
        kinds=laid.kinds,
        asides=laid.asides,
        headings=laid.headings,
        layout=laid,
    )


def _next_text(lines: Sequence[str], i: int) -> tuple[int, str]:
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            return j, normalise(lines[j])
    return len(lines), ""


def _masthead_lines(lines: Sequence[str], title: str | None) -> int:
    """How many lines above the title on the first page are a masthead, not the paper.

    Journals print their name, issue and date above the title; when the title is known
    and starts within the page's first lines, whatever stands above it goes.
    """
    want = _key(title) if title else ""
    seen = 0
    for i, raw in enumerate(lines):
        key = _key(raw)
        if not key:
            continue
        if want.startswith(key) and (key == want or len(key) >= 12):
            return i
        seen += 1
        if seen >= MASTHEAD_LINES:
            break
    return 0


def _clean_page(c: _Cleaner, lines: list[str], page_no: int) -> None:
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


def _heading(c: _Cleaner, lines: Sequence[str], i: int, line: str) -> tuple[str | None, int]:
    """The heading starting at line `i`, if any, and the index of its last line."""
    md = MARKDOWN_HEADING.match(line)
    if md and c.layout == "markdown":
        return md.group(1), i
    if _key(line) in c.known_headings:
        return c.known_headings[_key(line)], i
    j, nxt = _next_text(lines, i)
    if nxt and f"{_key(line)} {_key(nxt)}" in c.known_headings:
        return c.known_headings[f"{_key(line)} {_key(nxt)}"], j
    looks_like = (
        len(line) <= 70
        and 1 <= len(line.split()) <= 8
        and not re.search(r"[.,;:!?\"'\-/]$", line)
        and is_title_case(line)
        and nxt[:1].isupper()
        and c.body_ends_sentence()
    )
    return (line, i) if looks_like else (None, i)
