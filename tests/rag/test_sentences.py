"""Sentence boundaries where the segmenter alone gets them wrong."""

from __future__ import annotations

from rag.sentences import sentence_spans, sentences


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
