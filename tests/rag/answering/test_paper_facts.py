"""Questions about a paper itself, answered from its metadata and cited to its title block."""

from __future__ import annotations

import pytest

from rag.answering.paper_facts import answer_fact, asked_fact
from rag.pipeline import Pipeline
from rag.types import PaperMeta

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
