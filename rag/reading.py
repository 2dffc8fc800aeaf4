"""A sentence read for its claims: the `Reading` and `Anchor` types, and an anchor's context.

`rag.claims` builds a `Reading` of each sentence; the judge's features compare the
anchors of one reading (its quantities, years and names) with another's, and the
content words around them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.terms import STOPWORDS

# Tokens either side of an anchor that make its context.
CONTEXT = 6


@dataclass(frozen=True)
class Anchor:
    """A quantity, year or name at a token position of a sentence."""

    kind: str
    key: str
    start: int
    end: int
    opening: bool = False


@dataclass(frozen=True)
class Reading:
    """One sentence read for its claims: tokens, their stems, and its anchors."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    anchors: tuple[Anchor, ...]


def content(reading: Reading, lo: int = 0, hi: int | None = None) -> set[str]:
    """Stems of the content words between two token positions."""
    return {
        s
        for w, s in zip(reading.tokens[lo:hi], reading.stems[lo:hi], strict=True)
        if w.lower() not in STOPWORDS and len(w) > 1
    }


def context(reading: Reading, anchor: Anchor) -> set[str]:
    """Content stems within `CONTEXT` tokens of an anchor, the anchor's own left out."""
    lo, hi = max(0, anchor.start - CONTEXT), anchor.end + CONTEXT
    return content(reading, lo, anchor.start) | content(reading, anchor.end, hi)
