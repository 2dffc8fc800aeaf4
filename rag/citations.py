"""Citation export: what the catalog knows about a paper as BibTeX, RIS or CSL-JSON.

Reference managers import these formats, so a cited paper can go straight into a
bibliography. Only what is known (`papers.toml`, a reference-manager export, or what the
paper itself prints, and the indexed page count) is written; a field that is not known
is left out rather than guessed. The API and the CLI both
format through `cite`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rispy
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import Entry, Field

from rag.errors import InvalidInputError
from rag.types import ARXIV_VENUE, CITATION_FORMATS, PaperMeta, PaperRecord

# A venue that is the proceedings of a conference or workshop.
PROCEEDINGS = re.compile(r"\bProceedings\b|\bConference\b|\bWorkshop\b|\bSymposium\b", re.I)


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
        raise InvalidInputError(
            "format", f"must be one of {', '.join(CITATION_FORMATS)}, not {fmt!r}"
        )
    return writer(record)


def page_range(record: PaperRecord) -> tuple[int, int] | None:
    """First and last journal page, known only when the catalog gives the first page."""
    first = record.meta.first_page
    return None if first is None else (first, first + max(record.pages, 1) - 1)


def in_proceedings(meta: PaperMeta) -> bool:
    """A venue that is a conference's proceedings."""
    return bool(meta.venue and PROCEEDINGS.search(meta.venue))


def in_periodical(meta: PaperMeta) -> bool:
    """A volume or issue, or a venue that is neither proceedings nor arXiv: a journal."""
    if meta.volume is not None or meta.issue is not None:
        return True
    preprint = meta.arxiv_id is not None and meta.venue == ARXIV_VENUE
    return meta.venue is not None and not in_proceedings(meta) and not preprint


def bibtex(record: PaperRecord) -> str:
    """A BibTeX entry keyed by the paper id, special characters LaTeX-encoded."""
    m = record.meta
    pages = page_range(record)
    proceedings = in_proceedings(m)
    values = {
        "title": m.title,
        "author": " and ".join(m.authors) or None,
        "booktitle": m.venue if proceedings else None,
        "journal": m.venue if in_periodical(m) else None,
        "volume": m.volume,
        "number": m.issue,
        "year": None if m.year is None else str(m.year),
        "date": m.date,
        "pages": None if pages is None else f"{pages[0]}--{pages[1]}",
        "doi": m.doi,
        "eprint": m.arxiv_id,
        "archiveprefix": None if m.arxiv_id is None else "arXiv",
        "abstract": m.abstract,
    }
    fields = [Field(k, v) for k, v in values.items() if v is not None]
    kind = "inproceedings" if proceedings else "article" if in_periodical(m) else "misc"
    entry = Entry(kind, m.id, fields)
    text = write_string(Library([entry]), prepend_middleware=[LatexEncodingMiddleware()])
    return text.strip() + "\n"


def ris(record: PaperRecord) -> str:
    """A RIS record (the tagged format EndNote, Zotero and Mendeley import)."""
    m = record.meta
    pages = page_range(record)
    kind = "CPAPER" if in_proceedings(m) else "JOUR" if in_periodical(m) else "GEN"
    values: dict[str, Any] = {
        "type_of_reference": kind,
        "id": m.id,
        "title": m.title,
        "authors": [_last_first(a) for a in m.authors] or None,
        "secondary_title" if in_proceedings(m) else "journal_name": m.venue
        if in_proceedings(m) or in_periodical(m)
        else None,
        "volume": m.volume,
        "number": m.issue,
        "year": None if m.year is None else str(m.year),
        "date": None if m.date is None else m.date.replace("-", "/"),
        "start_page": None if pages is None else str(pages[0]),
        "end_page": None if pages is None else str(pages[1]),
        "doi": m.doi,
        "abstract": m.abstract,
    }
    text: str = rispy.dumps(
        [{k: v for k, v in values.items() if v is not None}], implementation=_RisWriter
    )
    return text.lstrip()


def csl_json(record: PaperRecord) -> str:
    """A CSL-JSON item (what citeproc processors and Zotero read), as a one-item array."""
    m = record.meta
    pages = page_range(record)
    kind = "paper-conference" if in_proceedings(m) else None
    item: dict[str, Any] = {
        "id": m.id,
        "type": kind or ("article-journal" if in_periodical(m) else "article"),
        "title": m.title,
        "author": [_csl_name(a) for a in m.authors] or None,
        "container-title": m.venue,
        "volume": m.volume,
        "issue": m.issue,
        "issued": _csl_date(m),
        "page": None if pages is None else f"{pages[0]}-{pages[1]}",
        "DOI": m.doi,
        "number": None if m.arxiv_id is None else f"arXiv:{m.arxiv_id}",
        "abstract": m.abstract,
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
