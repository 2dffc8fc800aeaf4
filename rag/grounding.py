"""Checking a generated answer against the passages it cites, sentence by sentence.

A language model may cite a passage that does not exist, cite the wrong one, or say
something no passage says. Every sentence must cite at least one real passage, and its
numbers, names and content words must be found in what it cites, with the same polarity
(a "not" the passage lacks, or the reverse, fails). No model is needed for this, so the
check runs offline and costs well under a millisecond per sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.sentences import sentences
from rag.terms import STOPWORDS, WORD, content_terms, stem, vocabulary

CITE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATION = re.compile(r"\b(not|no|never|neither|nor|none|nothing|without)\b|n't\b", re.I)
# Share of a sentence's content words that the cited passages must contain.
MIN_COVERAGE = 0.7


@dataclass(frozen=True)
class SentenceVerdict:
    """Whether the passages support a sentence, a score in [0, 1], and why not."""

    supported: bool
    score: float
    reason: str = ""


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in NUMBER.findall(text)}


def _names(text: str) -> set[str]:
    """Capitalised words past the first: people, places, organisations, months."""
    words = WORD.findall(text)
    return {stem(w) for w in words[1:] if w[0].isupper() and w.lower() not in STOPWORDS}


def _mentioned(name: str, found: set[str]) -> bool:
    """A name, or its demonym (`Korea`/`Korean`, `Russia`/`Russian`), is in the evidence."""
    return name in found or any(
        len(w) >= 4 and (w.startswith(name) or name.startswith(w)) for w in found
    )


def judge_sentence(sentence: str, passages: Sequence[str]) -> SentenceVerdict:
    """Support of one sentence by the passages: numbers, names, content, polarity."""
    claim = CITE.sub("", sentence).strip()
    evidence = " ".join(passages)
    found = vocabulary(evidence)
    missing_numbers = sorted(_numbers(claim) - _numbers(evidence))
    if missing_numbers:
        return SentenceVerdict(False, 0.0, f"numbers not in the passages: {missing_numbers}")
    missing_names = sorted(n for n in _names(claim) if not _mentioned(n, found))
    if missing_names:
        return SentenceVerdict(False, 0.0, f"names not in the passages: {missing_names}")
    terms = content_terms(claim)
    if not terms:
        return SentenceVerdict(False, 0.0, "says nothing checkable")
    coverage = len(terms & found) / len(terms)
    if coverage < MIN_COVERAGE:
        return SentenceVerdict(False, coverage, f"only {coverage:.0%} of its words are there")
    closest = max(
        (s for p in passages for s in sentences(p)),
        key=lambda s: len(terms & vocabulary(s)),
        default="",
    )
    if bool(NEGATION.search(claim)) != bool(NEGATION.search(closest)):
        return SentenceVerdict(False, coverage / 2, "negation differs from the closest passage")
    return SentenceVerdict(True, coverage)


@dataclass
class Grounded:
    """A checked answer: kept text with renumbered markers, which passages it cites."""

    text: str
    cited: list[int] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _cited_numbers(sentence: str, limit: int) -> list[int]:
    """Passage numbers the sentence's markers name, phantoms (no such passage) left out."""
    named = [int(n) for m in CITE.finditer(sentence) for n in m.group(1).split(",")]
    return [n for n in dict.fromkeys(named) if 1 <= n <= limit]


def ground(text: str, passages: Sequence[str], strict: bool = True) -> Grounded:
    """Keep the sentences their cited passages support; renumber markers from [1].

    A marker naming no passage is removed; a sentence left citing nothing, or not
    supported by what it cites, goes to `unsupported` and, when `strict`, out of the text.
    """
    kept: list[tuple[str, list[int]]] = []
    out = Grounded(text="")
    for sentence in sentences(text):
        real = _cited_numbers(sentence, len(passages))
        bare = CITE.sub("", sentence).strip()
        if not bare:
            continue
        verdict = (
            judge_sentence(bare, [passages[n - 1] for n in real])
            if real
            else SentenceVerdict(False, 0.0, "cites no passage")
        )
        if not verdict.supported:
            out.unsupported.append(bare)
            if strict or not real:
                continue
        kept.append((bare, real))
    order: dict[int, int] = {}
    for _, real in kept:
        for n in real:
            order.setdefault(n, len(order) + 1)
    out.text = " ".join(
        f"{bare} {''.join(f'[{order[n]}]' for n in real)}".strip() for bare, real in kept
    )
    out.cited = list(order)
    return out
