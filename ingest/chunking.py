"""Sentence-aware chunks: packed to a size, overlapping by whole sentences, never cut."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from ingest.clean import CleanDocument
from rag.models import Chunk, ChunkKind, PaperMeta
from rag.sentences import Span, sentence_spans
from rag.store import chunk_id


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


def chunk_document(
    doc: CleanDocument, meta: PaperMeta, content_hash: str, size: int, overlap: int
) -> list[Chunk]:
    """Body chunks, then footnote chunks, each text once.

    A body chunk stays within one section or paragraph and holds the sentences that
    start on one page, so that citing its page is exact. A text the paper repeats is
    kept where it first appears: a copy adds nothing to retrieve, only cost to embed
    and neighbours that crowd the index.
    """
    seen: set[str] = set()
    chunks: list[Chunk] = []

    def label(page: int) -> str | None:
        shown = doc.page_labels[page] if page < len(doc.page_labels) else None
        return shown if shown != str(meta.page_label(page)) else None

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
                page=meta.page_label(page),
                page_end=meta.page_label(page_end),
                section=section,
                start=start,
                end=end,
                ordinal=len(chunks),
                page_label=label(page),
            )
        )

    for block_start, block_end in doc.blocks():
        spans = sentence_spans(doc.body[block_start:block_end], base=block_start)
        by_page = groupby(spans, key=lambda span: doc.page_at(span[0]))
        for start, end in (p for _, run in by_page for p in pack(list(run), size, overlap)):
            make(
                "body",
                doc.body[start:end],
                start,
                end,
                doc.page_at(start),
                doc.page_at(end - 1),
                doc.section_at(start),
            )

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
        notes += f"{note.number}) {note.text}"
        if group and (note.page != group[-1][2] or len(notes) - group[0][0] > size):
            flush()
        group.append((start, len(notes), note.page, doc.section_at(note.anchor)))
    flush()
    return chunks
