"""What a rewrite or an edit of a training sentence sees, and the token helpers they share.

Faithful rewrites (`eval.judge_rewrites`) and unfaithful edits (`eval.judge_edits`)
have one signature, `Edit`, and draw on one `Context`; both find and replace tokens
the way `rag.claims` reads them, so they share these helpers instead of each its own.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.claims import read
from rag.reading import Anchor

AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "does",
        "do",
        "did",
        "may",
        "might",
        "must",
    ]
)


@dataclass(frozen=True)
class Context:
    """What an edit may draw on: the paper's numbers, years, names and other sentences."""

    numbers: list[str]
    years: list[str]
    names: list[str]
    terms: list[str]
    elsewhere: list[str]
    next_sentence: str | None
    nearby: tuple[list[str], list[str], list[str]]


Edit = Callable[[str, random.Random, Context], str | None]


def replace_token(sentence: str, old: str, new: str) -> str | None:
    """The sentence with its first whole `old` replaced by `new`, None if absent."""
    m = re.search(rf"(?<![\w.,]){re.escape(old)}(?![\w])", sentence)
    return None if m is None else sentence[: m.start()] + new + sentence[m.end() :]


def anchor_text(sentence: str, anchor: Anchor) -> str:
    """The anchor's tokens as the sentence writes them, joined by spaces."""
    return " ".join(read(sentence).tokens[anchor.start : anchor.end])
