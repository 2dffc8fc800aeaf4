"""Text as every cleaning step compares it: normalised, and reduced to a key.

Cleaning keeps every word as it is, but PDFs and text exports write one word several
ways (ligatures, curly quotes, non-breaking spaces), and a heading or title is found
again whatever its case and punctuation.
"""

from __future__ import annotations

import re
import unicodedata

QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "\u00a0": " ",
        "\t": " ",
    }
)
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "toward",
        "towards",
        "vs",
        "with",
    ]
)


def normalise(line: str) -> str:
    """Unicode compatibility forms, straight quotes, single spaces: the words stay as they are."""
    text = unicodedata.normalize("NFKC", line).translate(QUOTES)
    return re.sub(r" {2,}", " ", text).strip()


def is_title_case(text: str) -> bool:
    """Whether every word but the small ones starts with a capital (or it is all capitals)."""
    words = text.split()
    if not words or not words[0][0].isupper():
        return False
    if text.isupper():
        return True
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in SMALL_WORDS for w in words)


def text_key(text: str) -> str:
    """The text lower-cased with its punctuation gone, to find a heading or title again."""
    return re.sub(r"\W+", " ", normalise(text).lower()).strip()
