"""Names in a sentence (people, places, datasets) and the pairs of them it relates.

A name is a run of capitalised words or acronyms; two names with lower-case content
words between them are related by those words, agent first, so `Korea was annexed by
Japan` meets `Japan annexed Korea` and not `Korea annexed Japan`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.reading import Anchor, Reading
from rag.terms import STOPWORDS

CALENDAR = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
PASSIVE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
# The most tokens apart two anchors may be for the words between them to relate them.
RELATED = 15


def _capitalised(word: str) -> bool:
    return word[0].isupper() or any(c.isupper() for c in word[1:]) or word[0].isdigit()


def _acronym(word: str) -> bool:
    """Capitals or digits past the first letter (`S2ORC`, `AMiner`, `MAG`)."""
    return any(c.isupper() or c.isdigit() for c in word[1:])


def find_names(words: Sequence[str], numbers: Iterable[Anchor]) -> list[Anchor]:
    """Runs of capitalised words and acronyms; months and weekdays belong to dates.

    A capitalised first word may be any word (`Despite`), so unless it is an acronym the
    run it opens (`Despite Russia`, `Joseph Chee Chang`) is marked `opening`; the judge
    takes it whole only where the other side knows that name, and otherwise reads the
    rest of the run (`Russia`) as the name.
    """
    taken = {i for a in numbers for i in range(a.start, a.end)}

    def part(i: int) -> bool:
        w = words[i]
        return i not in taken and w[0].isalpha() and _capitalised(w) and w.lower() not in CALENDAR

    out = []
    i = 0
    while i < len(words):
        if not part(i) or (words[i].lower() in STOPWORDS and not _acronym(words[i])):
            i += 1
            continue
        end = i + 1
        while end < len(words) and part(end):
            end += 1
        key = " ".join(x.lower() for x in words[i:end])
        out.append(Anchor("name", key, i, end, opening=i == 0 and not _acronym(words[0])))
        i = end
    return out


def related_pairs(reading: Reading) -> dict[tuple[str, str], set[str]]:
    """Pairs of names related by the words between them, agent first, with those words.

    Only pairs with a lower-case content word between them count, so a list (`Russia,
    China and the US`) says nothing about order; a passive (`Korea was annexed by
    Japan`) is read agent first, so it meets `Japan annexed Korea`.
    """
    names = [a for a in reading.anchors if a.kind == "name"]
    out: dict[tuple[str, str], set[str]] = {}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            words = relation(reading, a, b)
            if b.start - a.end > RELATED or a.key == b.key or not words:
                continue
            between = {w.lower() for w in reading.tokens[a.end : b.start]}
            passive = "by" in between and bool(between & PASSIVE)
            out.setdefault((b.key, a.key) if passive else (a.key, b.key), set()).update(words)
    return out


def relation(reading: Reading, a: Anchor, b: Anchor) -> set[str]:
    """Stems of the lower-case content words between two anchors: what relates them."""
    span = slice(a.end, b.start)
    return {
        s
        for w, s in zip(reading.tokens[span], reading.stems[span], strict=True)
        if len(w) > 2 and w[0].isalpha() and not _capitalised(w) and w.lower() not in STOPWORDS
    }
