"""Which sentences the extractive backend reads as describing the paper, and which it picks."""

from __future__ import annotations

from typing import cast

import pytest
from langchain_core.documents import Document

from rag.answering.question import analyse
from rag.answering.sentence_scoring import _Sentences, pick_sentences
from rag.paper_names import PaperMarks
from rag.snapshot import IndexSnapshot
from rag.types import ScoredPassage


def pool(text: str) -> _Sentences:
    passage = ScoredPassage(chunk_id="c", paper_id="p", title="T", page=1, page_end=1, text=text)
    return _Sentences([passage], cast(IndexSnapshot, None))


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("This paper studies trade. It begins with a survey. Trade grew in 2001.", [1, 1, 0]),
        ("In this work we build a parser. They ran it on 5 corpora.", [1, 1]),
        ("Trade grew in 2001. It then fell by half.", [0, 0]),
        ("Our study covers ten cities. The cities lie on a coast.", [1, 0]),
    ],
)
def test_a_sentence_about_the_paper_and_the_pronoun_sentences_after_it(
    text: str, about: list[int]
) -> None:
    sentences = pool(text)
    assert [int(sentences.about_the_paper((0, i))) for i in range(len(about))] == about


class _Neighbours:
    """What `pick_sentences` reads of a snapshot: term weights and the chunks either side."""

    def __init__(self, preceding: dict[str, Document] | None = None) -> None:
        self.preceding = preceding or {}
        self.following: dict[str, Document] = {}

    def idf(self, term: str) -> float:
        return 1.0


def passage(text: str, kind: str = "body", chunk_id: str = "c", ordinal: int = 0) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=chunk_id,
        paper_id="p",
        title="T",
        page=1,
        page_end=1,
        text=text,
        kind=kind,
        ordinal=ordinal,
    )


def picked(question: str, passages: list[ScoredPassage], snapshot: object) -> list[str]:
    q = analyse(question, PaperMarks())
    return [p.text for p in pick_sentences(q, passages, cast(IndexSnapshot, snapshot))[0]]


def test_a_heading_only_chunk_of_the_body_leaves_the_footnote_beside_it_to_answer() -> None:
    note = "4) Yet, the parser requires users to manage a separate service process."
    passages = [passage(note, kind="footnote"), passage("A.3 Evaluating The Parser Offline")]
    assert picked("Why is the parser awkward to run?", passages, _Neighbours()) == [note]


def test_a_conclusion_brings_along_the_sentence_it_is_drawn_from() -> None:
    reason = "Language models still invent facts and reason poorly over long texts."
    text = f"{reason} As such, drafting the whole piece at once and editing it is sub-optimal."
    got = picked(
        "Why is drafting the whole piece at once sub-optimal?", [passage(text)], _Neighbours()
    )
    assert got[:2] == [reason, text.removeprefix(reason + " ")]


def test_the_sentence_a_conclusion_draws_on_is_read_from_the_chunk_before() -> None:
    before = Document(
        page_content=(
            "Models are cheap. They still invent facts in their drafts. As such, we edit by hand."
        ),
        metadata={
            "chunk_id": "b",
            "paper_id": "p",
            "title": "T",
            "page": 1,
            "page_end": 1,
            "ordinal": 4,
        },
    )
    here = passage("As such, we edit by hand. The editing takes an hour.", chunk_id="c", ordinal=5)
    got = picked("Why do they edit by hand?", [here], _Neighbours({"c": before}))
    assert got[:2] == ["They still invent facts in their drafts.", "As such, we edit by hand."]


def test_a_count_asked_for_is_picked_where_the_sentences_chosen_give_only_a_date() -> None:
    first = passage(
        "On February 26, 2001, the president said on TV that relations were good. "
        "The weather in the capital was cold that week. "
        "Trade in grain grew by a little over the winter. "
        "A summit was held in Bangkok, where the president met his counterpart.",
        chunk_id="a",
    )
    count = "Over the decades nine summits have been held between them."
    got = picked(
        "How many summits were held, and what did the president say about relations on TV?",
        [first, passage(count, chunk_id="b", ordinal=1)],
        _Neighbours(),
    )
    assert count in got


def test_the_tail_of_a_sentence_cut_off_before_the_chunk_is_no_answer_sentence() -> None:
    before = Document(
        page_content="Table 2 compares the parsers on layout. Macro Avg (Grobid Subset)",
        metadata={"chunk_id": "b", "paper_id": "p", "page": 1, "ordinal": 4},
    )
    tail = "necessary for evaluation of the parsers on every layout."
    whole = "The parsers were evaluated on every layout of the benchmark."
    here = passage(f"{tail} {whole}", chunk_id="c", ordinal=5)
    question = "How were the parsers evaluated on layout?"
    assert tail not in picked(question, [here], _Neighbours({"c": before}))
    assert tail in picked(question, [here], _Neighbours())
