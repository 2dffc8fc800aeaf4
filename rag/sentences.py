"""Sentence boundaries, shared by chunking at ingest and sentence picking at answer time."""

from __future__ import annotations

from sentencex import segment

Span = tuple[int, int]


def sentence_spans(text: str, base: int = 0) -> list[Span]:
    """(start, end) of each sentence in `text`, offset by `base`, whitespace trimmed."""
    spans: list[Span] = []
    pos = 0
    for piece in segment("en", text):
        core = piece.strip()
        if not core:
            continue
        at = text.find(core, pos)
        if at < 0:
            continue
        spans.append((base + at, base + at + len(core)))
        pos = at + len(core)
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of `text`, trimmed."""
    return [text[a:b] for a, b in sentence_spans(text)]
