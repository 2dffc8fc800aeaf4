"""Citation export: what the catalog knows about a paper as BibTeX, RIS or CSL-JSON.

Reference managers import these formats, so a cited paper can go straight into a
bibliography. Only what `papers.toml` (and the indexed page count) says is written; a
field that is not known is left out rather than guessed. The API and the CLI both
format through `cite`.
"""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

import rispy
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import Entry, Field

from rag.errors import InvalidInputError
from rag.models import PaperMeta, PaperRecord

CitationFormat = Literal["bibtex", "ris", "csl-json"]
FORMATS: tuple[str, ...] = get_args(CitationFormat)
MEDIA_TYPES: dict[str, str] = {
    "bibtex": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "csl-json": "application/vnd.citationstyles.csl+json",
}


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no type hints
    """rispy's writer without the `1.` counter line it puts before each reference."""

    def set_header(self, count: int) -> str:
        """No header: one reference needs no numbering, and some importers trip on it."""
        return ""


def cite(record: PaperRecord, fmt: str) -> str:
    """The paper's citation in `fmt` (bibtex, ris or csl-json).

    Raises:
        InvalidInputError: `fmt` is not one of the formats, naming the `format` field.
    """
    writers = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json}
    writer = writers.get(fmt)
    if writer is None:
        raise InvalidInputError("format", f"must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return writer(record)


def page_range(record: PaperRecord) -> tuple[int, int] | None:
    """First and last journal page, known only when the catalog gives the first page."""
    first = record.meta.first_page
    return None if first is None else (first, first + max(record.pages, 1) - 1)


def in_periodical(meta: PaperMeta) -> bool:
    """A venue, volume or issue means the paper appeared in a journal."""
    return any(v is not None for v in (meta.venue, meta.volume, meta.issue))


def bibtex(record: PaperRecord) -> str:
    """A BibTeX entry keyed by the paper id, special characters LaTeX-encoded."""
    m = record.meta
    pages = page_range(record)
    values = {
        "title": m.title,
        "author": " and ".join(m.authors) or None,
        "journal": m.venue,
        "volume": m.volume,
        "number": m.issue,
        "year": None if m.year is None else str(m.year),
        "date": m.date,
        "pages": None if pages is None else f"{pages[0]}--{pages[1]}",
    }
    fields = [Field(k, v) for k, v in values.items() if v is not None]
    entry = Entry("article" if in_periodical(m) else "misc", m.id, fields)
    text = write_string(Library([entry]), prepend_middleware=[LatexEncodingMiddleware()])
    return text.strip() + "\n"


def ris(record: PaperRecord) -> str:
    """A RIS record (the tagged format EndNote, Zotero and Mendeley import)."""
    m = record.meta
    pages = page_range(record)
    values: dict[str, Any] = {
        "type_of_reference": "JOUR" if in_periodical(m) else "GEN",
        "id": m.id,
        "title": m.title,
        "authors": [_last_first(a) for a in m.authors] or None,
        "journal_name": m.venue,
        "volume": m.volume,
        "number": m.issue,
        "year": None if m.year is None else str(m.year),
        "date": None if m.date is None else m.date.replace("-", "/"),
        "start_page": None if pages is None else str(pages[0]),
        "end_page": None if pages is None else str(pages[1]),
    }
    text: str = rispy.dumps(
        [{k: v for k, v in values.items() if v is not None}], implementation=_RisWriter
    )
    return text.lstrip()


def csl_json(record: PaperRecord) -> str:
    """A CSL-JSON item (what citeproc processors and Zotero read), as a one-item array."""
    m = record.meta
    pages = page_range(record)
    item: dict[str, Any] = {
        "id": m.id,
        "type": "article-journal" if in_periodical(m) else "article",
        "title": m.title,
        "author": [_csl_name(a) for a in m.authors] or None,
        "container-title": m.venue,
        "volume": m.volume,
        "issue": m.issue,
        "issued": _csl_date(m),
        "page": None if pages is None else f"{pages[0]}-{pages[1]}",
    }
    return json.dumps([{k: v for k, v in item.items() if v is not None}], indent=2) + "\n"


def _csl_date(meta: PaperMeta) -> dict[str, list[list[int]]] | None:
    """The full date when known (`2018-06-30`), else the year alone."""
    if meta.date:
        parts = [int(p) for p in meta.date.split("-") if p.isdigit()]
        if parts:
            return {"date-parts": [parts]}
    return None if meta.year is None else {"date-parts": [[meta.year]]}


def _csl_name(name: str) -> dict[str, str]:
    """A name split the way BibTeX splits `author`, so every format agrees on it."""
    parts = parse_single_name_into_parts(name, strict=False)
    fields = {
        "given": " ".join(parts.first),
        "non-dropping-particle": " ".join(parts.von),
        "family": " ".join(parts.last),
        "suffix": " ".join(parts.jr),
    }
    return {k: v for k, v in fields.items() if v} or {"literal": name}


def _last_first(name: str) -> str:
    """`Koslov, Anton`: the order RIS asks for, split as BibTeX would split it."""
    parts = parse_single_name_into_parts(name, strict=False)
    last = " ".join(parts.von + parts.last)
    rest = ", ".join(p for p in (" ".join(parts.first), " ".join(parts.jr)) if p)
    return f"{last}, {rest}" if last and rest else name
