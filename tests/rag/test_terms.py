"""Stems that let a question's words meet the papers' words."""

from __future__ import annotations

import pytest

from rag.terms import stem, stemmer


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("LLMs", "LLM"), ("PDFs", "PDF"), ("GPUs", "GPU"), ("IDs", "ID"), ("pdfs", "pdf")],
)
def test_an_acronym_plural_meets_its_singular(plural: str, singular: str) -> None:
    assert stem(plural) == stem(singular)


@pytest.mark.parametrize("word", ["US", "DNS", "bus", "gas", "rhythms", "its"])
def test_other_words_ending_in_s_are_stemmed_as_snowball_does(word: str) -> None:
    assert stem(word) == stemmer().stemWord(word.lower())
