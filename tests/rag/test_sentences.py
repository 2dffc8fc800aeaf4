"""Sentence boundaries where the segmenter alone gets them wrong, and what an answer drops."""

from __future__ import annotations

import pytest

from rag.sentences import (
    continues_a_sentence,
    is_prose,
    sentence_spans,
    sentences,
    without_citation_numbers,
)
from rag.support import copied


def test_a_text_that_opens_with_a_numbered_item_is_still_split() -> None:
    text = "(3) Do humans benefit from alignment? We deploy it (twice). It works."
    assert sentences(text) == [
        "(3) Do humans benefit from alignment?",
        "We deploy it (twice).",
        "It works.",
    ]


def test_spans_point_into_the_original_text() -> None:
    text = "  (a) One claim here. Another (with a note)."
    spans = sentence_spans(text, base=10)
    assert [text[a - 10 : b - 10] for a, b in spans] == [
        "(a) One claim here.",
        "Another (with a note).",
    ]


@pytest.mark.parametrize(
    ("sentence", "prose"),
    [
        ("Second, Russia does not want a war in Korea.", True),
        ("(1) magelib, a library for representing visually-rich documents,", True),
        ("20k No authors 0.3M < 100 chars of text 80.0M Not English", False),
        ("1 >>> from papermage import Document 2 >>> doc .", False),
        ("3.0.1 Participants & recruiting.", False),
        ("(7) Here, πold θ and V old φ is used for sampling", False),
        ("Augmenting Reading and Collecting Evidence.", False),
        ("Kim Jong Un met Vladimir Putin in Vladivostok.", True),
    ],
)
def test_only_prose_can_be_an_answer_sentence(sentence: str, prose: bool) -> None:
    assert is_prose(sentence) is prose


def test_a_sentence_cut_after_an_abbreviation_and_a_citation_is_made_whole() -> None:
    text = "Bell et al. [3] reports that 1 in 5 patients find a mistake. papermage reads it."
    assert sentences(text) == [
        "Bell et al. [3] reports that 1 in 5 patients find a mistake.",
        "papermage reads it.",
    ]


def test_a_papers_own_citation_numbers_are_left_out_of_an_answer_sentence() -> None:
    sentence = (
        "It uses term definitions [44], question answering [23, 110] and reading [12\u201314]."
    )
    assert without_citation_numbers(sentence) == (
        "It uses term definitions, question answering and reading."
    )
    passage = f"Paper Plain builds on prior work. {sentence} It was tested."
    assert copied(without_citation_numbers(sentence), [passage])
    assert not copied("It uses term definitions and reading.", [passage])


def test_a_chunk_opening_mid_sentence_is_told_from_one_opening_with_a_lower_case_name() -> None:
    tail = "necessary for evaluation on S2-VL."
    assert continues_a_sentence(tail, "Macro Avg (Grobid Subset)")
    assert not continues_a_sentence("papermage is three parts.", "It was built in 2023.")
    assert not continues_a_sentence("papermage is three parts.", None)
    assert not continues_a_sentence("The toolkit has three parts.", "Macro Avg")
