"""Words that matter in a question: content terms, and key terms the evidence must contain."""

from __future__ import annotations

import re

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
        "does",
        "did",
    ]
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\d,.]*")


def stem(word: str) -> str:
    """A crude stem so that `relations` meets `relation` and `signed` meets `sign`."""
    w = word.lower().strip("'")
    for suffix in ("'s", "ies", "es", "s", "ed", "ing"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def content_terms(text: str) -> set[str]:
    """Stems of the words that carry meaning."""
    return {stem(w) for w in WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 1}


def key_terms(question: str) -> set[str]:
    """Numbers and proper names: an answer without them in its evidence is not an answer."""
    out: set[str] = set()
    words = WORD.findall(question)
    for i, w in enumerate(words):
        if w[0].isdigit():
            out.add(w.rstrip(".,"))
        elif w[0].isupper() and i > 0 and w.lower() not in STOPWORDS:
            out.add(stem(w))
    return out
