"""The eval set: questions written from the papers, with what a right answer must hold."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eval.jsonl import load_jsonl

DEFAULT_SET = Path(__file__).with_name("questions.jsonl")
Category = Literal["factual-p1", "factual-p2", "both", "unanswerable"]


class EvalQuestion(BaseModel):
    """One question; `key_facts` are regexes an answer must match, case-insensitively."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    category: Category
    answerable: bool
    reference_answer: str
    key_facts: list[str] = Field(default_factory=list)
    gold_papers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    gold_pages: list[int] = Field(default_factory=list)
    false_premise: bool = False


def load_questions(path: Path = DEFAULT_SET) -> list[EvalQuestion]:
    """Read a JSONL question set, naming the line of any malformed entry."""
    return load_jsonl(path, EvalQuestion)
