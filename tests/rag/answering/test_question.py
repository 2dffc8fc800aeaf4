"""Question analysis against the marks a snapshot precomputes for its papers."""

from __future__ import annotations

from rag.answering.question import analyse
from rag.paper_names import paper_marks
from rag.types import PaperMeta, PaperRecord


def record(pid: str, title: str, authors: tuple[str, ...], year: int | None) -> PaperRecord:
    meta = PaperMeta(id=pid, title=title, authors=authors, year=year)
    return PaperRecord(meta=meta, content_hash=pid, chunk_count=1, pages=1)


PAPERS = {
    "a": record("a", "Glacier retreat in the Andes", ("Ana Quispe",), 2019),
    "b": record("b", "Glacier mass balance of the Alps", ("Jonas Meier", "Ana Quispe"), 2021),
    "c": record("c", "Coral bleaching events", ("Lee Park",), None),
}


def test_marks_hold_surnames_and_the_title_words_of_one_paper_only() -> None:
    marks = paper_marks(PAPERS)
    assert marks.surnames["quisp"] == frozenset({"a", "b"})
    assert marks.titles["andes"] == "a" and marks.titles["2021"] == "b"
    # Both titles say "glacier": it names neither paper.
    assert "glacier" not in marks.titles


def test_a_question_names_papers_by_author_or_title_words_before_paper() -> None:
    marks = paper_marks(PAPERS)
    by_author = analyse("What did Meier measure?", marks)
    assert by_author.papers == ("b",) and "meier" not in by_author.terms
    by_title = analyse("What does the Andes paper say about glacier retreat?", marks)
    assert by_title.papers == ("a",) and "andes" not in by_title.terms
    assert "glacier" in by_title.terms
    assert analyse("What is coral bleaching?", marks).papers == ()


def test_a_surname_that_is_also_a_word_or_a_month_names_a_paper_only_as_a_name() -> None:
    marks = paper_marks(
        {"d": record("d", "Reading aids for lay readers", ("Tal August", "Andrew Head"), 2022)}
    )
    assert analyse("What does August say about lay readers?", marks).papers == ("d",)
    assert analyse("What did Kozyrev announce in August 1991?", marks).papers == ()
    assert analyse("Who was the head of state in 1991?", marks).papers == ()
    assert analyse("What did Head build?", marks).papers == ("d",)
