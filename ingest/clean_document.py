"""The cleaned text of a paper: its body, and where its pages, sections and footnotes are.

Both ways of cleaning (`ingest.clean`, from a PDF's layout or from text without one)
give a `CleanDocument`; chunking (`ingest.chunking`) cuts it and looks up each chunk's
page, section and kind by offset.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

from ingest.structure import Aside, Heading, Structured
from rag.models import ChunkKind


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
