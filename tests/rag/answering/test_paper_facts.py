"""Questions about a paper itself, answered from its metadata and cited to its title block."""

from __future__ import annotations

import pytest

from rag.answering.paper_facts import _lead, answer_fact, asked_fact, shared_authors
from rag.pipeline import Pipeline
from rag.types import Citation, PaperMeta

PAPER2 = "russia-korean-crisis-2018"


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Who wrote the Koslov paper?", "authors"),
        ("Who are the authors of PaperMage?", "authors"),
        ("Name the authors of the toolkit paper.", "authors"),
        ("When was the LongEval paper published?", "year"),
        ("In what year did S2ORC come out?", "year"),
        ("Which conference was S2ORC presented at?", "venue"),
        ("Where was the 2018 paper published?", "venue"),
        ("What do the authors of PaperMage propose?", None),
        ("Who led the PaperMage project?", None),
        ("Which author appears on all three of Paper Plain, PaperMage and LongEval?", "authors"),
        ("Which authors are cited by both papers?", None),
        ("Which authors appear in both papers?", "authors"),
        ("Which author is shared by the two papers?", "authors"),
        ("Which author is criticised by Koslov?", None),
        ("Which authors were interviewed?", None),
        ("When did Russia recognize South Korea?", None),
    ],
)
def test_what_a_question_asks_of_a_paper(question: str, fact: str | None) -> None:
    assert asked_fact(question) == fact


def test_a_fact_the_metadata_lacks_is_said_to_be_missing() -> None:
    meta = PaperMeta(id="p", title="A Study", authors=("Ann Lee", "Bo Chen", "Cy Dee"), year=2021)
    assert answer_fact("authors", meta).sentence == (
        "A Study was written by Ann Lee, Bo Chen and Cy Dee."
    )
    assert answer_fact("year", meta).sentence == "A Study was published in 2021."
    venue = answer_fact("venue", meta)
    assert (
        venue.sentence is None and venue.missing == "A Study does not print where it was published"
    )


def test_asking_who_wrote_a_named_paper_cites_it(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Who wrote the Koslov paper?")
    assert answer.answered and answer.answer == (
        "Russia and the Korean Crisis was written by Anton Koslov. [1]"
    )
    assert [c.paper_id for c in answer.citations] == [PAPER2]


def test_a_missing_fact_is_refused_with_the_reason(pipeline: Pipeline) -> None:
    answer = pipeline.ask("In which journal did Koslov publish his paper?")
    assert not answer.answered and not answer.citations and answer.related
    assert "Russia and the Korean Crisis does not print where it was published" in answer.answer


def test_the_authors_several_papers_share_lead_and_cite_where_each_block_names_them() -> None:
    a = PaperMeta(id="a", title="A", authors=("Ann Lee", "Kyle Lo", "Bo Chen"))
    b = PaperMeta(id="b", title="B", authors=("kyle  lo", "Cy Dee", "Bo Chen"))
    assert shared_authors([a, b]) == ("Kyle Lo", "Bo Chen")
    assert shared_authors([a, PaperMeta(id="c", title="C", authors=("Di Ng",))]) == ()
    assert shared_authors([]) == ()

    def cite(n: int, text: str) -> Citation:
        return Citation(n=n, chunk_id=str(n), paper_id="p", title="T", page=1, text=text)

    blocks = [
        [cite(1, "A"), cite(2, "Ann Lee, Kyle Lo")],
        [cite(3, "B: a longer look"), cite(4, "Cy Dee")],
    ]
    # "longer" holds "lo" but not the surname: block B names no shared author, its first is cited.
    assert _lead(("Kyle Lo",), blocks) == "Kyle Lo is an author of each of these papers. [2, 3]"
    assert _lead((), blocks) == "No author is on every one of these papers. [1, 3]"


def test_a_fact_of_several_named_papers_is_told_for_each_even_where_missing(
    pipeline: Pipeline,
) -> None:
    answer = pipeline.ask("When were the 21st-century paper and the Koslov paper published?")
    assert answer.answered
    assert "Russia and the Korean Crisis was published in 2018." in answer.answer
    assert "does not print when it was published" in answer.answer
    assert {c.paper_id for c in answer.citations} == {PAPER2, "russia-korea-policy-21st-century"}
