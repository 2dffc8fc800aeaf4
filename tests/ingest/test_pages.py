"""Pages are numbered as the PDF numbers them, blank and image-only pages included."""

from __future__ import annotations

from pathlib import Path

from ingest.indexer import prepare
from rag.settings import Settings
from tests.utils.hostile_pdfs import REAL_PDFS
from tests.utils.pdfs import make_pdf


def settings_for(folder: Path) -> Settings:
    return Settings(_env_file=None, corpus_dir=folder, data_dir=folder / "data")


def test_a_blank_page_does_not_shift_the_pages_after_it(tmp_path: Path) -> None:
    pages = [
        "Page one is about the port of Vladivostok.",
        "",
        "Page three is about the Rajin railway.",
        "",
        "Page five is about the gas pipeline.",
    ]
    path = make_pdf(tmp_path / "gaps.pdf", pages, title="Pages With Gaps")
    item = prepare(path, None, "h", settings_for(tmp_path))
    assert item.result.pages == item.record.pages == 5
    by_page = {c.page: c.text for c in item.chunks}
    assert set(by_page) == {1, 3, 5}
    assert "Rajin" in by_page[3] and "gas pipeline" in by_page[5]


def test_many_blank_pages_count_as_pages(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "mostly-blank.pdf", [""] * 300 + ["The only page with text."])
    item = prepare(path, None, "h", settings_for(tmp_path))
    assert item.record.pages == 301
    assert [c.page for c in item.chunks] == [301]


def test_page_labels_are_kept_beside_the_physical_page(tmp_path: Path) -> None:
    labelled, plain = REAL_PDFS[1], REAL_PDFS[0]
    item = prepare(labelled, None, "h", settings_for(tmp_path))
    assert item.record.pages == 20
    first = min(item.chunks, key=lambda c: c.ordinal)
    assert (first.page, first.page_label) == (1, "1650")
    assert all(c.page_label == str(1649 + c.page) for c in item.chunks)
    unlabelled = prepare(plain, None, "h", settings_for(tmp_path))
    assert unlabelled.record.pages == 15
    assert {c.page_label for c in unlabelled.chunks} == {None}


def test_a_catalog_first_page_is_printed_while_the_page_stays_the_files(tmp_path: Path) -> None:
    from rag.types import PaperMeta

    path = make_pdf(tmp_path / "journal.pdf", ["Opening page text.", "Second page text."])
    meta = PaperMeta(id="journal", title="Journal Paper", first_page=201, source=path.name)
    item = prepare(path, meta, "h", settings_for(tmp_path))
    by_text = {c.text: (c.page, c.page_label) for c in item.chunks}
    assert by_text == {"Opening page text.": (1, "201"), "Second page text.": (2, "202")}
