"""Sentence boundaries where the segmenter alone gets them wrong."""

from __future__ import annotations

import pytest

from rag.sentences import is_prose, sentence_spans, sentences


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
