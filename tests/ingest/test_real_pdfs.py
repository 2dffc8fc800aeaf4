"""The two committed ACL papers, read as a researcher would drop them in, against the truth
written by reading them (`tests/fixtures/papers/expected.toml`)."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import pytest
from bibtexparser.entrypoint import parse_string
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.clean import clean
from ingest.indexer import _Prepared, ingest, prepare
from ingest.loaders import LayoutPdfParser, load
from ingest.pdf_line import Line
from ingest.quality import Expected, failed_probes, flat, key, load_expected, score
from rag.citations import cite
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import ANSWER_KINDS, PaperMeta

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "papers"
COMMITTED = [p for p in load_expected(FIXTURES / "expected.toml") if p.committed]
S2ORC = next(p for p in COMMITTED if p.file == "2020.acl-main.447.pdf")


def settings_for(folder: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=folder, data_dir=folder / "data")


@cache
def prepared(file: str) -> _Prepared:
    """A committed paper prepared once per test session, with no catalog entry."""
    return prepare(FIXTURES / file, None, "test", Settings(_env_file=None))


@pytest.mark.parametrize("paper", COMMITTED, ids=lambda p: p.file)
def test_metadata_is_read_from_the_paper_itself(paper: Expected) -> None:
    meta = prepared(paper.file).record.meta
    got = score(paper, meta, prepared(paper.file).chunks)
    assert got.wrong_fields == [], meta
    assert list(meta.authors) == list(paper.authors)
    assert meta.abstract is not None and meta.abstract.startswith(
        {"2020.acl-main.447.pdf": "We introduce S2ORC", "2023.eacl-main.121.pdf": "While human"}[
            paper.file
        ]
    )


@pytest.mark.parametrize("paper", COMMITTED, ids=lambda p: p.file)
def test_headings_are_the_real_ones(paper: Expected) -> None:
    got = score(paper, prepared(paper.file).record.meta, prepared(paper.file).chunks)
    assert got.heading_precision >= 0.9 and got.heading_recall >= 0.9, (
        got.missed_headings,
        got.extra_headings,
    )


def test_headings_keep_their_hierarchy_and_chunks_their_nearest_heading() -> None:
    doc = clean(load(FIXTURES / S2ORC.file))
    levels = {key(h.text): h.level for h in doc.headings}
    assert levels[key("2 Constructing the corpus")] == 1
    assert levels[key("2.1 Processing PDFs")] == 2
    assert levels[key("B PDF filters")] == 1
    chunks = prepared(S2ORC.file).chunks
    intro = next(c for c in chunks if c.text.startswith("Academic papers are an increasingly"))
    assert intro.section == "1 Introduction" and intro.kind == "body"
    parsing = next(c for c in chunks if "We process PDFs from the Semantic Scholar" in c.text)
    assert parsing.section == "2.1 Processing PDFs"


@pytest.mark.parametrize("paper", COMMITTED, ids=lambda p: p.file)
def test_probes_land_in_the_right_kind_of_chunk(paper: Expected) -> None:
    assert failed_probes(paper.probes, prepared(paper.file).chunks) == []


@pytest.mark.parametrize("paper", COMMITTED, ids=lambda p: p.file)
def test_every_kind_is_found_and_no_reference_text_is_answerable(paper: Expected) -> None:
    chunks = prepared(paper.file).chunks
    kinds = {c.kind for c in chunks}
    assert kinds == {"body", "abstract", "footnote", "caption", "table", "references", "front"}
    assert score(paper, prepared(paper.file).record.meta, chunks).reference_lines_answerable == 0
    references = [c for c in chunks if c.kind == "references"]
    assert len(references) > 10
    answerable = " ".join(flat(c.text) for c in chunks if c.kind in ANSWER_KINDS)
    for entry in (line for c in references for line in c.text.splitlines()):
        assert flat(entry) not in answerable


@pytest.mark.parametrize("paper", COMMITTED, ids=lambda p: p.file)
def test_no_chunk_is_over_the_chunk_size_but_by_one_sentence(paper: Expected) -> None:
    size = Settings(_env_file=None).chunk_size
    for chunk in prepared(paper.file).chunks:
        assert len(chunk.text) <= size, (chunk.kind, chunk.text[:80])


def test_two_columns_are_read_left_column_first() -> None:
    body = " ".join(flat(c.text) for c in prepared(S2ORC.file).chunks if c.kind == "body")
    left_end = body.index("network analysis. Digital archives like arXiv,")
    right_start = body.index("are popular resources for deriving large text corpora")
    next_left = body.index("S2ORC is constructed using data from")
    assert left_end < right_start < next_left


def test_ligatures_hyphens_and_markers_are_undone() -> None:
    text = " ".join(flat(c.text) for c in prepared(S2ORC.file).chunks)
    assert "ﬁ" not in text and "ﬂ" not in text
    assert "The corpus consists of rich metadata" in text
    assert "Saier and Färber (2019)" in text
    # The footnote sign after "Lo" and the anchor after "(2009)" are gone, not glued on.
    assert "(Radev et al., 2009) derived from the ACL Anthology" in text


def test_a_catalog_entry_wins_over_what_the_paper_says(tmp_path: Path) -> None:
    entry = PaperMeta(id="s2orc", title="S2ORC (as catalogued)", year=2019, source=S2ORC.file)
    meta = prepare(FIXTURES / S2ORC.file, entry, "h", settings_for(tmp_path)).record.meta
    assert (meta.title, meta.year) == ("S2ORC (as catalogued)", 2019)
    assert meta.authors == S2ORC.authors
    assert meta.venue == S2ORC.venue


def test_bibtex_of_a_paper_read_from_itself_parses() -> None:
    record = prepared(S2ORC.file).record
    library = parse_string(cite(record, "bibtex"))
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry.entry_type == "inproceedings"
    assert entry["title"] == S2ORC.title and entry["year"] == "2020"
    assert entry["author"] == " and ".join(S2ORC.authors)
    assert entry["booktitle"] == S2ORC.venue


def test_a_pdf_whose_layout_cannot_be_read_keeps_its_plain_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unreadable(_data: bytes) -> list[list[Line]]:
        raise ValueError("a page tree pdfium cannot follow")

    parser = LayoutPdfParser(read_layout=unreadable)
    with caplog.at_level(logging.WARNING):
        parsed = parser.parse((FIXTURES / S2ORC.file).read_bytes(), S2ORC.file)
    assert parsed.lines == [] and len(parsed.pages) == 15
    assert "S2ORC" in parsed.pages[0]
    assert f"{S2ORC.file}: its layout could not be read" in caplog.text
    assert "plain text" in caplog.text


def test_the_plain_parser_setting_reads_the_text_stream_alone(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, corpus_dir=tmp_path, data_dir=tmp_path / "d", pdf_parser="pypdf"
    )
    item = prepare(FIXTURES / S2ORC.file, None, "h", settings)
    assert {c.kind for c in item.chunks} <= {"body", "footnote"}
    assert item.record.pages == 15


def test_references_are_found_only_when_asked_for(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / S2ORC.file).write_bytes((FIXTURES / S2ORC.file).read_bytes())
    settings = settings_for(corpus)
    report = ingest(None, settings, embedder=embedder)
    assert not report.failed
    pipeline = Pipeline(settings, embedder=embedder)
    query = "Cohan and Goharian scientific article summarization using citation-context"
    default = pipeline.search(query, top_k=10)
    assert default and all(p.kind in ANSWER_KINDS for p in default)
    found = pipeline.search(query, top_k=3, kinds=["references"])
    assert found[0].kind == "references" and "Nazli Goharian. 2015" in found[0].text
    with TestClient(create_app(settings, pipeline), base_url="http://127.0.0.1") as client:
        searched = client.get("/passages", params={"q": query, "kinds": ["references"]})
        assert searched.status_code == 200
        assert {p["kind"] for p in searched.json()} == {"references"}
        wrong = client.get("/passages", params={"q": query, "kinds": ["tables"]})
        assert wrong.status_code == 422
    answer = pipeline.ask("Who wrote Scientific article summarization using citation-context?")
    stored = pipeline.view().by_id
    cited = [c.chunk_id for c in [*answer.citations, *answer.related]]
    assert cited and all(stored[cid].metadata["kind"] in ANSWER_KINDS for cid in cited)
    assert "Goharian. 2015. Scientific" not in answer.answer


def test_a_word_hyphenated_across_a_page_is_joined() -> None:
    body = clean(load(FIXTURES / S2ORC.file)).body
    assert "leverage citation contexts include classifying citation intent" in body
