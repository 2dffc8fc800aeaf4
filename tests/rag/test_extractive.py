"""Which sentences the extractive backend reads as describing the paper, not its subject."""

from __future__ import annotations

from typing import cast

import pytest

from rag.extractive import _Sentences
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
