"""Sentence-aware chunks: packed to a size, overlapping by whole sentences, never cut.

Text without sentences (reference entries, table rows, front matter) is packed line by
line instead, and nothing is left longer than the chunk size but a single sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from rag.sentences import Span, sentence_spans
from rag.store import chunk_id
from rag.types import Chunk, ChunkKind, Document, PaperMeta

# Kinds made of lines, not sentences: split at line ends and never overlapped.
LINE_KINDS: frozenset[ChunkKind] = frozenset({"references", "table", "front"})


def pack(spans: list[Span], size: int, overlap: int) -> Iterator[Span]:
    """Group consecutive sentences into spans of about `size` characters.

    A sentence longer than `size` becomes a chunk of its own rather than being cut.
    The next chunk starts with the last sentences of the previous one that fit in
    `overlap`, so a fact straddling two chunks is whole in at least one.
    """
    i, n = 0, len(spans)
    while i < n:
        j = i + 1
        while j < n and spans[j][1] - spans[i][0] <= size:
            j += 1
        yield spans[i][0], spans[j - 1][1]
        if j >= n:
            return
        k = j
        while k - 1 > i and spans[j - 1][1] - spans[k - 1][0] <= overlap:
            k -= 1
        i = k


def bounded(spans: list[Span], text: str, size: int) -> list[Span]:
    """The spans, with any longer than `size` cut at its line breaks, then between words.

    A reference list, a table or a list has no sentence punctuation, so it arrives as one
    "sentence"; left whole it would make a chunk the embedding model reads only the
    start of.
    """
    out: list[Span] = []
    for start, end in spans:
        if end - start <= size:
            out.append((start, end))
            continue
        for a, b in _pieces(text, start, end, "\n"):
            if b - a <= size:
                out.append((a, b))
            else:
                out.extend(_words(text, a, b, size))
    return out


def _pieces(text: str, start: int, end: int, sep: str) -> list[Span]:
    """The non-blank stretches of `text[start:end]` between occurrences of `sep`."""
    spans: list[Span] = []
    a = start
    while a < end:
        b = text.find(sep, a, end)
        b = end if b < 0 else b
        piece = text[a:b]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((a + lead, a + len(piece.rstrip())))
        a = b + len(sep)
    return spans


def _words(text: str, start: int, end: int, size: int) -> list[Span]:
    """`text[start:end]` cut between words into pieces of at most `size` characters."""
    out: list[Span] = []
    a = start
    while end - a > size:
        cut = text.rfind(" ", a + 1, a + size)
        cut = a + size if cut <= a else cut
        out.append((a, cut))
        a = cut + 1 if text[cut : cut + 1] == " " else cut
    if a < end:
        out.append((a, end))
    return out


def units(text: str, start: int, end: int, kind: ChunkKind) -> list[Span]:
    """What a chunk of `kind` is made of: sentences for prose, lines for the rest.

    Reference entries, table rows and front-matter lines end without a full stop, so
    they are split where they end, one line each.
    """
    if kind in LINE_KINDS:
        return _pieces(text, start, end, "\n")
    return sentence_spans(text[start:end], base=start)


def chunk_document(
    doc: Document, meta: PaperMeta, content_hash: str, size: int, overlap: int
) -> list[Chunk]:
    """Running-text chunks, then captions and tables, then footnotes, each text once.

    A running-text chunk stays within one section, kind and paragraph and holds the
    units that start on one page, so that citing its page is exact. No chunk is longer
    than `size`, but for one sentence longer than that. A text the paper repeats is kept
    where it first appears: a copy adds nothing to retrieve, only cost to embed and
    neighbours that crowd the index.
    """
    seen: set[str] = set()
    chunks: list[Chunk] = []

    def label(page: int) -> str | None:
        own = doc.page_labels[page] if page < len(doc.page_labels) else None
        shown = own or meta.printed_page(page)
        return shown if shown != str(page + 1) else None

    def make(
        kind: ChunkKind,
        text: str,
        start: int,
        end: int,
        page: int,
        page_end: int,
        section: str | None,
    ) -> None:
        if text in seen:
            return
        seen.add(text)
        chunks.append(
            Chunk(
                id=chunk_id(meta.id, content_hash, kind, text, 1),
                paper_id=meta.id,
                text=text,
                kind=kind,
                page=page + 1,
                page_end=page_end + 1,
                section=section,
                start=start,
                end=end,
                ordinal=len(chunks),
                page_label=label(page),
            )
        )

    for block_start, block_end in doc.blocks():
        kind = doc.kind_at(block_start)
        spans = bounded(units(doc.body, block_start, block_end, kind), doc.body, size)
        keep = 0 if kind in LINE_KINDS else overlap
        by_page = groupby(spans, key=lambda span: doc.page_at(span[0]))
        for start, end in (p for _, run in by_page for p in pack(list(run), size, keep)):
            make(
                kind,
                doc.body[start:end],
                start,
                end,
                doc.page_at(start),
                doc.page_at(end - 1),
                doc.section_at(start),
            )

    asides = ""
    for aside in doc.asides:
        base = len(asides) + 2 * bool(asides)
        asides += ("\n\n" if asides else "") + aside.text
        spans = bounded(units(asides, base, len(asides), aside.kind), asides, size)
        keep = 0 if aside.kind in LINE_KINDS else overlap
        for start, end in pack(spans, size, keep):
            section = doc.section_at(aside.anchor)
            make(aside.kind, asides[start:end], start, end, aside.page, aside.page, section)

    notes = ""
    group: list[tuple[int, int, int, str | None]] = []

    def flush() -> None:
        if group:
            start, end = group[0][0], group[-1][1]
            make("footnote", notes[start:end], start, end, group[0][2], group[-1][2], group[0][3])
            group.clear()

    for note in doc.footnotes:
        if notes:
            notes += "\n"
        start = len(notes)
        notes += note.text if note.number is None else f"{note.number}) {note.text}"
        if group and (note.page != group[-1][2] or len(notes) - group[0][0] > size):
            flush()
        group.append((start, len(notes), note.page, doc.section_at(note.anchor)))
    flush()
    return chunks
