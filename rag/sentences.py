"""Sentence boundaries, shared by chunking at ingest and sentence picking at answer time."""

from __future__ import annotations

from sentencex import segment

Span = tuple[int, int]


def _segmentable(text: str) -> str:
    """`text` with an opening parenthesis at its very start masked, at the same length.

    The segmenter reads a text that opens with `(` as one parenthesis up to the text's
    last `)` and splits nothing inside it, so a list item such as `(3) Why? We ask.` came
    back as one sentence however long it ran.
    """
    lead = len(text) - len(text.lstrip())
    return text[:lead] + "x" + text[lead + 1 :] if text[lead : lead + 1] == "(" else text


def sentence_spans(text: str, base: int = 0) -> list[Span]:
    """(start, end) of each sentence in `text`, offset by `base`, whitespace trimmed."""
    spans: list[Span] = []
    pos = 0
    masked = _segmentable(text)
    for piece in segment("en", masked):
        core = piece.strip()
        if not core:
            continue
        at = masked.find(core, pos)
        if at < 0:
            continue
        spans.append((base + at, base + at + len(core)))
        pos = at + len(core)
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of `text`, trimmed."""
    return [text[a:b] for a, b in sentence_spans(text)]
