"""Typed records passed between stages: paper metadata and chunks."""

from __future__ import annotations

import json
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["body", "footnote", "abstract", "caption", "table", "references", "front"]
# How a text export marks its pages, beside form feeds and running headers.
PageStart = Literal["formfeed", "indent"]
# Kinds whose sentences may become answer sentences; the others (reference lists, table
# cells, title-page front matter) stay searchable through an explicit kinds filter only.
ANSWER_KINDS: tuple[ChunkKind, ...] = ("body", "abstract", "footnote", "caption")
CHUNK_KINDS: tuple[str, ...] = get_args(ChunkKind)
# The venue of a paper known only as an arXiv preprint.
ARXIV_VENUE = "arXiv"


TOP_K_HELP = (
    "Most passages to retrieve, 1 to 20; fewer when the rest are far less similar to the "
    "question than the best one (RAG_MIN_SIMILARITY_RATIO)."
)


class PaperMeta(BaseModel):
    """What is known about a paper; unknown fields stay None rather than being guessed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)
    title: str
    authors: tuple[str, ...] = ()
    affiliation: str | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    year: int | None = None
    date: str | None = None
    first_page: int | None = Field(None, ge=1)
    sections: tuple[str, ...] = ()
    source: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    abstract: str | None = None
    page_start: PageStart = Field(
        "formfeed",
        description="How a text export marks a new page beside form feeds and running "
        'headers: "indent" when a line that starts with a space begins one.',
    )

    def printed_page(self, page_index: int) -> str | None:
        """The journal's page number for a 0-based page index, when the first page is known."""
        return None if self.first_page is None else str(self.first_page + page_index)

    @property
    def authors_text(self) -> str:
        """Authors joined for display and for flat metadata stores."""
        return "; ".join(self.authors)


class Chunk(BaseModel):
    """A retrievable piece of one paper, never cutting a sentence in two."""

    model_config = ConfigDict(frozen=True)

    id: str
    paper_id: str
    text: str
    kind: ChunkKind
    page: int
    page_end: int
    section: str | None
    start: int
    end: int
    ordinal: int
    page_label: str | None = Field(
        None, description="The paper's printed number for `page` (`iv`, `1650`) where it differs."
    )


class PassageRef(BaseModel):
    """What it takes to cite a passage: the paper, where in it, and the text."""

    chunk_id: str
    paper_id: str
    title: str
    authors: str = ""
    year: int | None = None
    page: int = Field(description="1-based page of the file, as a PDF viewer counts it.")
    page_label: str | None = Field(
        None,
        description="The page as the paper prints it (the PDF's own label, or counted from "
        "the catalog's `first_page`), where that differs from `page`.",
    )
    section: str | None = None
    text: str

    @property
    def printed_page(self) -> str:
        """The page a reader looks up in the paper: what it prints, else the file's page."""
        return self.page_label or str(self.page)


class PaperRecord(BaseModel):
    """What the index remembers about an indexed paper, to skip or replace it later."""

    meta: PaperMeta
    content_hash: str
    chunk_count: int
    pages: int
    file_hash: str | None = Field(
        None, description="Hash of the file's bytes alone; absent in records of older indexes."
    )

    def to_json(self) -> str:
        """Serialised form kept beside the chunks in the store."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, raw: str) -> PaperRecord:
        """Inverse of `to_json`."""
        return cls.model_validate(json.loads(raw))
