"""Words that matter in a question: content terms, and key terms the evidence must contain."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

import Stemmer

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "paper",
        "papers",
        "according",
        "say",
        "says",
        "said",
        "describe",
        "described",
        "tell",
        "give",
        "explain",
        "two",
        "one",
        "document",
        "text",
        "author",
        "authors",
        "many",
        "much",
        "large",
        "big",
        "date",
        "mention",
        "mentioned",
        "identify",
        "characterize",
        "characterise",
    ]
)
# Hyphens split words, so `Soviet-built` meets `Soviet` and `Jae-in` needs `Jae`; numbers
# keep their separators and ordinal suffix (`1,5`, `2.7`, `21st`) but lose trailing dots.
_LOCAL = threading.local()


def stemmer() -> Stemmer.Stemmer:
    """This thread's Snowball stemmer: PyStemmer objects must not be shared across threads."""
    if not hasattr(_LOCAL, "stemmer"):
        _LOCAL.stemmer = Stemmer.Stemmer("english")
    return _LOCAL.stemmer


MONTH = (
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
WORD = re.compile(r"[A-Za-z][A-Za-z']*|\d+(?:[.,]\d+)*(?:st|nd|rd|th)?")


ACRONYM_PLURAL = re.compile(r"^(?:[A-Z][A-Z0-9]+|[b-df-hj-np-tv-xz0-9]{2,})s$")


def stem(word: str) -> str:
    """Snowball (Porter 2) stem, so `replaced` meets `replace` and `relations` `relation`.

    Snowball keeps the `s` of a plural without a vowel before it, so an acronym's plural
    (`LLMs`, `PDFs`, `GPUs`) would not meet its singular; that `s` is dropped first.
    """
    word = word.strip("'")
    if ACRONYM_PLURAL.match(word):
        word = word[:-1]
    return str(stemmer().stemWord(word.lower()))


def content_terms(text: str) -> set[str]:
    """Stems of the words that carry meaning."""
    return {stem(w) for w in WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 1}


def vocabulary(text: str) -> set[str]:
    """Stems of every word and number in `text`, stopwords included, for presence checks."""
    return {stem(w) for w in WORD.findall(text)}


def key_terms(question: str) -> set[str]:
    """Numbers and proper names: an answer without them in its evidence is not an answer."""
    out: set[str] = set()
    words = WORD.findall(question)
    for i, w in enumerate(words):
        if w[0].isdigit():
            out.add(w)
        elif w[0].isupper() and i > 0 and w.lower() not in STOPWORDS:
            out.add(stem(w))
    return out


def until_stopword(words: Iterable[str], limit: int | None = None) -> list[str]:
    """The words up to the first stopword, at most `limit` of them."""
    out: list[str] = []
    for w in words:
        if w.lower() in STOPWORDS or len(out) == limit:
            break
        out.append(w)
    return out
