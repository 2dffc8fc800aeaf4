"""A question names a paper by its short name, a possessive of it, or its whole title."""

from __future__ import annotations

from rag.answering.question import analyse
from rag.paper_names import paper_marks
from rag.types import PaperMeta, PaperRecord


def record(pid: str, title: str) -> PaperRecord:
    return PaperRecord(
        meta=PaperMeta(id=pid, title=title), content_hash=pid, chunk_count=1, pages=1
    )


MARKS = paper_marks(
    {
        "s": record("s", "S2ORC: The Semantic Scholar Open Research Corpus"),
        "p": record("p", "Paper Plain: Making Medical Research Papers Approachable"),
        "r": record("r", "Reading Medical Research Papers Closely"),
    }
)


def test_the_short_name_before_a_colon_names_the_paper_and_stays_a_term() -> None:
    q = analyse("How many papers does S2ORC contain?", MARKS)
    assert q.papers == ("s",) and "orc" in q.terms
    assert analyse("What does Paper Plain's gist show?", MARKS).papers == ("p",)


def test_a_whole_title_names_the_paper_and_its_words_only_point() -> None:
    q = analyse("Who wrote 'Reading Medical Research Papers Closely'?", MARKS)
    assert q.papers == ("r",) and not {"medic", "close"} & q.terms


def test_title_words_in_a_question_of_its_own_name_no_paper() -> None:
    assert analyse("Which medical research papers are hard to read?", MARKS).papers == ()
    assert analyse("Is the paper plain text?", MARKS).papers == ()
    assert analyse("what does s2orc hold?", MARKS).papers == ("s",)


def test_naming_several_papers_compares_them_without_asking_each_to_name_the_other() -> None:
    q = analyse("How do S2ORC and Paper Plain each use GPT-3?", MARKS)
    assert q.papers == ("p", "s") and q.wants_both
    assert not {"orc", "plain"} & q.terms and "gpt" in q.terms
