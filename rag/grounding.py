"""Checking a generated answer against the passages it cites, sentence by sentence.

A language model may cite a passage that does not exist, cite the wrong one, or say
something no passage says. Every sentence must cite at least one real passage and be
supported by what it cites according to the claim-aware judge of `rag.judge` (the one
`rag eval` scores with), whose fitted threshold decides what is dropped. No language
model is needed for this, so the check runs offline in a few milliseconds a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.judge import judge_sentence
from rag.sentences import sentences
from rag.support import CITE, SentenceVerdict, cited_numbers


@dataclass
class Grounded:
    """A checked answer: kept text with renumbered markers, which passages it cites."""

    text: str
    cited: list[int] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def _cited_numbers(sentence: str, limit: int) -> list[int]:
    """Passage numbers the sentence's markers name, phantoms (no such passage) left out."""
    return [n for n in dict.fromkeys(cited_numbers(sentence)) if 1 <= n <= limit]


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
