"""The catalog: what is known about a paper, and what the index remembers of it.

The stage types (`Document`, `Chunk`, `ScoredPassage`, `Answer`) are in `rag.types`.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# How a text export marks its pages, beside form feeds and running headers.
PageStart = Literal["formfeed", "indent"]
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
