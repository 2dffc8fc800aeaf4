"""Sentence-aware chunking on the real papers."""

from __future__ import annotations

import pytest

from ingest.catalog import load_catalog
from ingest.chunking import chunk_document, pack
from ingest.clean import clean
from ingest.clean_document import CleanDocument
from ingest.loaders import load
from rag.sentences import sentence_spans
from rag.types import PaperMeta
from tests.conftest import CORPUS


def cleaned(file: str) -> tuple[CleanDocument, PaperMeta]:
    meta = load_catalog(CORPUS)[file]
    doc = clean(
        load(CORPUS / file),
        meta.title,
        meta.authors,
        meta.affiliation,
        meta.sections,
        meta.page_start,
    )
    return doc, meta


@pytest.mark.parametrize("file", ["000_03297f04ea68092a.txt", "002_fb44eeff083fdf3e.txt"])
@pytest.mark.parametrize("size", [400, 1000])
def test_no_sentence_is_cut_in_two(file: str, size: int) -> None:
    doc, meta = cleaned(file)
    sentences = {doc.body[a:b] for a, b in sentence_spans(doc.body)}
    chunks = [c for c in chunk_document(doc, meta, "h", size, 100) if c.kind == "body"]
    for chunk in chunks:
        assert doc.body[chunk.start : chunk.end] == chunk.text
        for a, b in sentence_spans(chunk.text):
            assert chunk.text[a:b] in sentences or len(chunk.text[a:b]) < 4
    long_sentences = sum(1 for s in sentences if len(s) > size)
    assert sum(1 for c in chunks if len(c.text) > size) <= long_sentences


def test_pack_respects_size_and_overlaps_by_whole_sentences() -> None:
    spans = [(i * 100, i * 100 + 90) for i in range(10)]
    packed = list(pack(spans, size=300, overlap=100))
    assert packed[0] == (0, 290)
    assert packed[1][0] == 200
    assert all(b - a <= 300 for a, b in packed)
    assert packed[-1][1] == 990


def test_chunks_record_page_section_and_kind() -> None:
    doc, meta = cleaned("000_03297f04ea68092a.txt")
    chunks = chunk_document(doc, meta, "h", 1000, 150)
    putin = next(c for c in chunks if "President Vladimir Putin stated" in c.text)
    assert (putin.page, putin.page_label) == (1, "31") and putin.kind == "body"
    dprk = next(c for c in chunks if "Russia's neighbor, the Democratic People's" in c.text)
    assert dprk.section == "Russia and the DPRK"
    notes = [c for c in chunks if c.kind == "footnote"]
    assert notes and notes[0].text.startswith("1) Vladimir Putin")
    assert notes[0].page_label == "31"


def test_ids_depend_on_content_only() -> None:
    doc, meta = cleaned("002_fb44eeff083fdf3e.txt")
    first = chunk_document(doc, meta, "h", 1000, 150)
    again = chunk_document(doc, meta, "h", 1000, 150)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    other_version = chunk_document(doc, meta, "h2", 1000, 150)
    assert not {c.id for c in first} & {c.id for c in other_version}
