"""The extractive answer's text and citations from the sentences picked."""

from __future__ import annotations

from rag import wording
from rag.answering.composition import ATTRIBUTION, EXTRACTIVE, compose, refusal
from rag.answering.sentence_scoring import Pick
from rag.types import ScoredPassage


def passage(cid: str, paper: str, title: str, authors: str, page: int) -> ScoredPassage:
    return ScoredPassage(
        chunk_id=cid,
        paper_id=paper,
        title=title,
        authors=authors,
        year=2021,
        page=page,
        page_end=page,
        text=f"Text of {cid}.",
    )


PASSAGES = [
    passage("a1", "a", "Reading Aids: A Study", "Ada Lovelace; Alan Turing", 3),
    passage("b1", "b", "Toolkits", "Grace Hopper", 7),
    passage("a2", "a", "Reading Aids: A Study", "Ada Lovelace; Alan Turing", 5),
]


def test_sentences_are_grouped_by_paper_each_group_attributed_and_numbered_by_passage() -> None:
    picks = [Pick(0, 0, "First."), Pick(1, 0, "Second."), Pick(2, 1, "Third.")]
    body, citations = compose(picks, PASSAGES)
    first, second = body.split("\n\n")
    assert first == (
        f"{wording.ACCORDING_TO} Reading Aids (Lovelace, 2021, p. 3): First. [1] Third. [3]"
    )
    assert second == f"{wording.ACCORDING_TO} Toolkits (Hopper, 2021, p. 7): Second. [2]"
    assert [(c.n, c.chunk_id) for c in citations] == [(1, "a1"), (2, "b1"), (3, "a2")]
    assert [m.group(1) for m in ATTRIBUTION.finditer(body)] == [
        "Lovelace, 2021, p. 3",
        "Hopper, 2021, p. 7",
    ]


def test_two_sentences_of_one_passage_share_its_citation() -> None:
    body, citations = compose([Pick(0, 0, "One."), Pick(0, 1, "Two.")], PASSAGES)
    assert body.endswith("One. [1] Two. [1]")
    assert len(citations) == 1


def test_a_refusal_says_why_and_lists_the_three_closest_passages() -> None:
    answer = refusal("the passages are about something else", [*PASSAGES, PASSAGES[0]])
    assert not answer.answered and answer.backend == EXTRACTIVE
    assert "the passages are about something else" in answer.answer
    assert [c.chunk_id for c in answer.related] == ["a1", "b1", "a2"]
    assert answer.citations == []


def test_a_papers_own_citation_numbers_do_not_read_as_the_answers_markers() -> None:
    body, _ = compose(
        [Pick(0, 0, "Readers use definitions [44], and answers [23, 110].")], PASSAGES
    )
    assert body.endswith(": Readers use definitions, and answers. [1]")
