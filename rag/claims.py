"""What a sentence claims, read off its words: quantities, years, names, polarity, direction.

A claim is checked against a passage by aligning these pieces, not by counting shared
words: `81.1M` and `81.1 million` are one quantity, `Tang et al., 2018` names a person
and a year that must sit together in the passage as they do in the sentence, `rarely`
and `fail to` negate like `not`, `few` is not `many`, `smallest` reverses `largest`.
The word lists are English function words and comparatives only; which of these
mismatches decide a verdict, and how much each weighs, is fitted (`rag.judge`).

The pieces live apart: the types a reading is made of (`rag.reading`), numbers and years
(`rag.quantities`), names and the pairs of them a sentence relates (`rag.entities`),
negation, quantifiers and comparisons (`rag.qualifiers`). This module reads a sentence
or a passage into them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.entities import find_names
from rag.quantities import find_quantities
from rag.reading import Reading
from rag.sentences import sentences
from rag.terms import stem

# Brackets and clause punctuation are tokens too, so a name ends at them.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*[A-Za-z]*|[^\W\d_][\w'’-]*|%|[(),;:]")
LONG_SENTENCE = 400
BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"])")


def tokens(text: str) -> list[str]:
    """Words, numbers (with a unit suffix: `81.1M`, `25k`), `%` and clause punctuation.

    A typographic apostrophe is read as a plain one, so PDF text's `haven’t` negates.
    """
    return [re.sub(r"'s$", "", t) for t in TOKEN.findall(text.replace("’", "'"))]


@lru_cache(maxsize=4096)
def read(sentence: str) -> Reading:
    """A sentence's tokens, stems and anchors; cached, since passages are read again."""
    words = tokens(sentence)
    quantities = find_quantities(words)
    anchors = sorted([*quantities, *find_names(words, quantities)], key=lambda a: a.start)
    return Reading(tuple(words), tuple(stem(w) for w in words), tuple(anchors))


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage, a run the splitter left whole cut at full stops.

    The splitter does not end a sentence inside an unclosed bracket or quote, and text
    from a PDF has stray ones, so a run longer than `LONG_SENTENCE` is cut wherever a
    full stop is followed by a capital.
    """
    out: list[str] = []
    for s in sentences(text):
        out += BREAK.split(s) if len(s) > LONG_SENTENCE else [s]
    return out


@lru_cache(maxsize=1024)
def read_passage(passage: str) -> tuple[Reading, ...]:
    """Every sentence of a passage, read."""
    return tuple(read(s) for s in passage_sentences(passage))
