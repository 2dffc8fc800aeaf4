"""A sentence read against its passages: the common ground of the judge's features.

The judge (`rag.judge`) does not compare a sentence with its passages as strings; it
reads both (`rag.claims`), finds the closest stretch of the passages, and matches the
claim's names and numbers with theirs however they are written (`Korea` in `North
Korean`, `UN` for `United Nations`, `81.1M` rounded from `81.14M`). Every feature
(`rag.anchor_features`, `rag.wording_features`) works on the `Alignment` built here and
gives a `Finding`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from rag.claims import passage_sentences, read, read_passage
from rag.reading import Anchor, Reading
from rag.terms import content_terms, stem, vocabulary

# The most a count feature adds: a fourth missing number says no more than a third.
CAP = 3.0
# Shortest word read as a prefix of a longer form of the same name (`Brazil` in `Brazilian`).
MIN_PREFIX = 4


@dataclass(frozen=True)
class Finding:
    """One feature's value for a sentence, and what it found, for the verdict's reason."""

    value: float
    detail: str = ""


@dataclass(frozen=True)
class Alignment:
    """A sentence read against its passages: its reading, theirs, the closest stretch."""

    text: str
    stretch_text: str
    claim: Reading
    passages: tuple[Reading, ...]
    stretch: Reading
    terms: frozenset[str]
    evidence_terms: frozenset[str]


def _same_value(mine: str, theirs: str) -> bool:
    """Equal values, or the passage's rounded to as many figures as the claim gives."""
    if mine == theirs:
        return True
    a, b = float(mine), float(theirs)
    digits = len(mine.split("e")[0].replace(".", "").replace("-", "").lstrip("0")) or 1
    return b != 0 and float(f"{b:.{digits}g}") == a


def _initials(word: str, names: Sequence[str]) -> bool:
    """An acronym spelling the initials of consecutive words (`UN`, `United Nations`)."""
    n = len(word)
    return (
        word.isupper()
        and n >= 2
        and any(
            "".join(t[0] for t in names[k : k + n]) == word.lower()
            for k in range(len(names) - n + 1)
        )
    )


@lru_cache(maxsize=4096)
def _name_parts(name: str) -> frozenset[str]:
    """The forms a name's words also go by: hyphenated parts, stems, singulars."""
    words = name.split()
    return frozenset(
        {p for t in words for p in t.split("-")}
        | {stem(t) for t in words}
        | {t.removesuffix("s") for t in words}
    )


def same_name(mine: str, theirs: str, acronyms: Sequence[str] = ()) -> bool:
    """Every word of the claim's name is in the passage's (`Korea` in `North Korean`).

    A word also meets its plural or another inflection (`Grants`, `Grant`) and a part of
    a hyphenated word (`AI` in `AI-supported`).
    """
    words = theirs.split()
    parts = _name_parts(theirs)
    return all(
        any(w == t or (len(w) >= MIN_PREFIX and t.startswith(w)) for t in words)
        or w in parts
        or stem(w) in parts
        or (w.upper() in acronyms and _initials(w.upper(), words))
        for w in mine.split()
    )


def _matches(anchor: Anchor, other: Anchor, acronyms: Sequence[str] = ()) -> bool:
    if anchor.kind == "name":
        return other.kind == "name" and same_name(anchor.key, other.key, acronyms)
    return other.kind != "name" and _same_value(anchor.key, other.key)


def occurrences(a: Alignment, anchor: Anchor) -> list[tuple[Reading, Anchor]]:
    """Where the passages mention an anchor of the claim."""
    acronyms = [w for w in a.claim.tokens[anchor.start : anchor.end] if w.isupper()]
    return [(r, o) for r in a.passages for o in r.anchors if _matches(anchor, o, acronyms)]


def preferred(a: Alignment, anchor: Anchor) -> set[str]:
    """The passage names a claim's name stands for, the same name if the passages have it."""
    found = {o.key for _, o in occurrences(a, anchor)}
    return {anchor.key} if anchor.key in found else found


def closest(terms: frozenset[str], passages: Sequence[str]) -> str:
    """The passage sentence, or two consecutive ones, sharing most of the claim's terms.

    Two let a claim that condenses them meet both; on a tie the shorter wins, so a claim
    made from one sentence is compared with that sentence.
    """
    best: tuple[int, int] = (-1, 0)
    stretch = ""
    for p in passages:
        parts = passage_sentences(p)
        for text in [*parts, *(f"{a} {b}" for a, b in pairwise(parts))]:
            key = (len(terms & vocabulary(text)), -len(text))
            if key > best:
                best, stretch = key, text
    return stretch


def _leads(name: str, run: str) -> bool:
    """Whether a run of capitalised words opens with a whole name of two words or more.

    A title block runs an author into the next line (`Daniel S. Weld Allen Institute`):
    a sentence's opening run is a name when a name the claim or passages know opens it.
    """
    words = name.split()
    return len(words) > 1 and run.split()[: len(words)] == words


def _names_only(reading: Reading, known: Sequence[str]) -> Reading:
    """The reading with a sentence's opening run read as a name only where it is `known`.

    Otherwise its capitalised first word is taken for an ordinary word and the rest of
    the run, if any, for the name (`Despite Russia` is `Russia`).
    """
    kept: list[Anchor] = []
    for x in reading.anchors:
        if not x.opening or any(same_name(x.key, k) or _leads(k, x.key) for k in known):
            kept.append(x)
        elif x.end - x.start > 1:
            tail = " ".join(w.lower() for w in reading.tokens[x.start + 1 : x.end])
            kept.append(Anchor("name", tail, x.start + 1, x.end))
    return replace(reading, anchors=tuple(kept))


def align(claim: str, passages: Sequence[str]) -> Alignment | None:
    """The claim read against its passages; None when it has no content word to check."""
    mine = read(claim)
    numeric = {
        mine.stems[i] for x in mine.anchors if x.kind != "name" for i in range(x.start, x.end)
    }
    terms = frozenset(content_terms(claim) - numeric)
    if not terms:
        return None
    readings = tuple(r for p in passages for r in read_passage(p))
    stretch = closest(terms, passages)
    theirs = [o.key for r in readings for o in r.anchors if o.kind == "name"]
    known = [x.key for x in mine.anchors if x.kind == "name"] + [
        o.key for r in readings for o in r.anchors if o.kind == "name" and not o.opening
    ]
    return Alignment(
        text=claim,
        stretch_text=stretch,
        claim=_names_only(mine, theirs),
        passages=tuple(_names_only(r, known) for r in readings),
        stretch=read(stretch),
        terms=terms,
        evidence_terms=frozenset(vocabulary(" ".join(passages))),
    )
