"""The eval sets: questions written from the papers, with what a right answer must hold.

Each question belongs to a split, and a split is a set of papers, never a sample of
questions: `dev` papers are the ones answering may be tuned on, `test` papers are only
scored. A question's split is data in its own line, so the code names no paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eval.jsonl import load_jsonl

DEFAULT_SET = Path(__file__).with_name("questions.jsonl")
REAL_PAPERS_SET = Path(__file__).with_name("questions_realpapers.jsonl")
Category = Literal[
    # The seed set: questions on one of its two papers, on both, or on neither.
    "factual-p1",
    "factual-p2",
    "both",
    # The real-papers set: the kind of question, whatever paper it is on.
    "factual",
    "paraphrased",
    "numeric",
    "how-why",
    "cross-paper",
    "metadata",
    # Either set: questions the papers do not answer.
    "unanswerable",
]
Split = Literal["dev", "test"]


class SplitChoice(StrEnum):
    """Which questions `rag eval --split` scores: one split's, or all of them."""

    dev = "dev"
    test = "test"
    all = "all"


class EvalQuestion(BaseModel):
    """One question; `key_facts` are regexes an answer must match, case-insensitively.

    `split` is the split of the papers the question is about (its gold papers, or for
    an unanswerable one the papers it asks about), so tuning on `dev` never sees them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    question: str
    category: Category
    split: Split = "dev"
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


def in_split(questions: Sequence[EvalQuestion], split: SplitChoice) -> list[EvalQuestion]:
    """The questions of one split, in set order; all of them for `all`."""
    return [q for q in questions if split is SplitChoice.all or q.split == split.value]
