"""The `Answer` every entry point returns, and its citations."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """What one `[n]` marker points at: a passage of a named paper and page."""

    n: int
    chunk_id: str
    paper_id: str
    title: str
    authors: str = ""
    year: int | None = None
    page: int
    section: str | None = None
    text: str


class Answer(BaseModel):
    """An answer whose sentences come from cited passages, or a plain refusal."""

    answer: str
    answered: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    backend: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
