"""A line of a PDF page as laid out: its text and its look, shared by every layout step.

`ingest.pdf_chars` builds these from the page's characters and `ingest.layout` puts
them in reading order, in the PDF reader's child process; they cross its pipe as JSON,
and `ingest.structure`, `ingest.roles` and `ingest.frontmatter` read what each line is
from them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Share of a line's characters that must be bold for the line to count as bold: a
# paragraph that opens with a bold run-in heading is not a bold line.
BOLD_SHARE = 0.75


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
