"""A paper's metadata read from the paper itself: its title page, margins and PDF info.

What a catalog entry does not say is taken from what the file prints: the title (the
largest type of the title block, over as many lines as it runs), the authors (names
only, without their affiliation signs, e-mail addresses or institutions), the
institutions, the venue and year of a proceedings or journal line or an arXiv stamp,
a DOI or arXiv id, and the abstract. The PDF's own information fields count when they
are filled in. A field nothing prints stays unset: none is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ingest.layout import by_rows
from ingest.pdf_line import Line
from ingest.structure import Structured, join_lines
from rag.types import ARXIV_VENUE

# Words that make a line of a title block an institution rather than a person.
INSTITUTION_WORDS = re.compile(
    r"\b(University|Universit[äéà]t?|Institute|Institut|College|School|Department|Dept\.?|"
    r"Laborator(y|ies)|Lab|Labs|Center|Centre|Research|Inc\.?|Corporation|Corp\.?|Ltd\.?|"
    r"Foundation|Hospital|Academy|Faculty|Polytechnic|GmbH|LLC)\b"
)
# A place (country, state) that ends an institution's line: `..., USA`.
NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del"})
NAME_WORD = re.compile(r"^(?:[A-Z][a-zA-Z'’\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*)$")
VENUE_LINE = re.compile(
    r"((?:In )?Proceedings of .+?|[A-Z][\w&.\- ]*Journal of .+?|Journal of .+?)"
    r"(?=,\s*(?:pages|pp\.|vol\.|volume)\b|\s+\d{1,2}\s*[-–]|\s*\(|\s+[A-Z][a-z]+ \d|\.\s|$)"
)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
ARXIV_STAMP = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5})(?:v\d+)?(?:\s*\[[^\]]+\])?\s*(.*)")
DOI = re.compile(r"\b(10\.\d{4,9}/[-._;()/:A-Za-z0-9]+[A-Za-z0-9])")
AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


def front_matter(laid: Structured, info: dict[str, str]) -> dict[str, Any]:
    """The metadata fields the paper prints (and its PDF info holds), by `PaperMeta` name."""
    fields: dict[str, Any] = {}
    title_lines, rest = _title_block(laid.front)
    title = join_lines(title_lines) if title_lines else info.get("Title")
    if title:
        fields["title"] = " ".join(title.split())
    authors, institutions = _people(rest)
    if not authors and info.get("Author"):
        authors = [a for a in AUTHOR_SEPARATORS.split(info["Author"]) if _is_name(a)]
    if authors:
        fields["authors"] = tuple(dict.fromkeys(authors))
    if institutions:
        fields["affiliation"] = "; ".join(dict.fromkeys(institutions))
    small_print = " ".join(ln.text for ln in laid.foot)
    venue = VENUE_LINE.search(small_print)
    if venue:
        fields["venue"] = venue.group(1).removeprefix("In ").strip(" ,.")
        year = YEAR.search(small_print, venue.end())
        if year:
            fields["year"] = int(year.group(1))
    for stamp in laid.stamps:
        arxiv = ARXIV_STAMP.search(stamp)
        if arxiv:
            fields["arxiv_id"] = arxiv.group(1)
            fields.setdefault("venue", ARXIV_VENUE)
            year = YEAR.search(arxiv.group(2))
            if year:
                fields.setdefault("year", int(year.group(1)))
    if "year" not in fields:
        year = re.search(r"(?:©|\(c\)|\bc)\s?(19[5-9]\d|20\d\d)\b", small_print)
        if year:
            fields["year"] = int(year.group(1))
    first_page = " ".join(
        [*(ln.text for ln in laid.front + laid.foot), *(n.text for n in laid.notes if n.page == 0)]
    )
    doi = DOI.search(first_page)
    if doi:
        fields["doi"] = doi.group(1)
    if laid.abstract:
        fields["abstract"] = laid.abstract
    if laid.headings:
        fields["sections"] = tuple(h.text for h in laid.headings)
    return fields


def _title_block(front: Sequence[Line]) -> tuple[list[Line], list[Line]]:
    """The title's lines (the largest type, from its first line on) and the lines after."""
    if not front:
        return [], []
    largest = max(ln.size for ln in front)
    start = next(i for i, ln in enumerate(front) if ln.size >= largest - 0.3)
    end = start
    while end < len(front) and front[end].size >= largest - 0.3:
        end += 1
    return list(front[start:end]), list(front[end:])


def _people(lines: Sequence[Line]) -> tuple[list[str], list[str]]:
    """The names and the institutions of the title block's lines after the title.

    A line (or a piece of one between affiliation signs and wide gaps) that names an
    institution is one; an e-mail line is neither; the rest is split into names at
    commas and "and", and each kept only if it looks like a name.
    """
    authors: list[str] = []
    institutions: list[str] = []
    for ln in by_rows(lines):
        if "@" in ln.text:
            continue
        for part in ln.parts or (ln.text,):
            if INSTITUTION_WORDS.search(part):
                name, _, rest = part.partition(",")
                if _is_name(name) and INSTITUTION_WORDS.search(rest):
                    authors.append(_name(name))
                    part = rest
                institutions.extend(_institutions(part))
                continue
            authors.extend(_name(p) for p in AUTHOR_SEPARATORS.split(part) if _is_name(p))
    return authors, institutions


def _institutions(text: str) -> list[str]:
    """The institutions of a line naming one or more: split where each starts."""
    pieces = [p.strip(" ,;") for p in re.split(r",\s*(?=[A-Z])", text)]
    out: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if out and not INSTITUTION_WORDS.search(piece):
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    return out


def _is_name(text: str) -> bool:
    """Whether `text` looks like a person's name: two to five capitalised words."""
    words = text.strip(" ,;").split()
    if not 2 <= len(words) <= 5:
        return False
    return all(NAME_WORD.match(w) or w in NAME_PARTICLES for w in words) and any(
        len(w.rstrip(".")) > 1 for w in words
    )


def _name(text: str) -> str:
    """A name as it is written, an all-capitals one (set in capitals) in title case."""
    name = " ".join(text.strip(" ,;").split())
    return name.title() if name.isupper() else name
