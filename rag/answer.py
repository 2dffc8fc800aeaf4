"""The `Answer` every entry point returns, and its citations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from rag.models import PassageRef


class Citation(PassageRef):
    """What one `[n]` marker points at: a passage of a named paper and page."""

    n: int


class Retrieved(PassageRef):
    """A passage retrieval ranked for the question, cited or not, so callers can audit it."""

    rank: int
    score: float


class Turn(BaseModel):
    """One earlier message of a conversation, so a follow-up question can be understood."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)


class Answer(BaseModel):
    """An answer whose sentences come from cited passages, or a plain refusal."""

    answer: str
    answered: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    backend: str
    fallback_reason: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
