"""Does a passage support a claim? Lexical checks that need no language model.

A claim passes only if its numbers (digits or words, magnitudes included), its names
(hyphenated ones whole: `Kim Jong-un` is not `Kim Jong-il`) and most of its content
words are in the passages, and, against the stretch of passage closest to it, it
keeps the same polarity (no negation added or lost), uses no word whose opposite the
passage uses instead (`more` for `less`, `supported` for `opposed`), and does not swap
two things around the words that relate them (`Moscow suspended aid to Pyongyang`
against `Pyongyang suspended aid to Moscow`). Cheap enough to run on every sentence an
LLM writes, and measured on the eval's labelled calibration pairs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rag.sentences import sentences
from rag.terms import STOPWORDS, WORD, content_terms, stem, vocabulary

CITE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# One or more markers in a row: `[1][2, 3]`.
CITE_RUN = re.compile(rf"(?:{CITE.pattern})+")
# Share of a sentence's content words that the cited passages must contain.
MIN_COVERAGE = 0.7
NEGATION = re.compile(
    r"\b(not|no|never|neither|nor|none|nothing|without|cannot|unable|lack|lacks|lacking)\b"
    r"|n't\b",
    re.I,
)
NOT_ONLY = re.compile(r"\bnot\s+only\b|\bno\s+(?:less|more|sooner)\b", re.I)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NAME = re.compile(r"\b[A-Z][A-Za-z']*(?:-[A-Za-z]+)*")
UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
MAGNITUDES = ("hundred", "thousand", "million", "billion", "trillion", "dozen")
# A lone "one" is more often a pronoun ("one of the reasons") than a count.
NUMBER_WORD = re.compile(
    rf"\b(?:({'|'.join(TENS)})(?:-({'|'.join(UNITS)}))?|({'|'.join(set(UNITS) - {'one'})}))\b"
    rf"|\b({'|'.join(MAGNITUDES)})s?\b",
    re.I,
)
# Words whose swap for the other reverses a claim; prefixed forms (un-, in-, im-, dis-,
# il-, ir-) of any word are its opposites too.
OPPOSITES = (
    "more/less", "more/fewer", "most/least", "larger/smaller", "large/small", "big/small",
    "bigger/smaller", "greater/smaller", "greater/lesser", "higher/lower", "high/low",
    "first/last", "major/minor", "faster/slower", "increase/decrease", "increase/reduce",
    "rise/fall", "rise/decline", "grow/decline", "grow/shrink", "before/after",
    "earlier/later", "strong/weak", "stronger/weaker", "strengthen/weaken", "better/worse",
    "best/worst", "win/lose", "won/lost", "victory/defeat", "success/failure",
    "succeed/fail", "support/oppose", "accept/reject", "approve/reject", "agree/refuse",
    "improve/deteriorate", "improve/worsen", "allow/forbid", "allow/prohibit",
    "friendly/hostile", "ally/enemy", "rich/poor", "gain/lose", "export/import",
    "include/exclude", "open/close", "begin/end", "start/end", "maximum/minimum",
    "positive/negative", "always/never", "everything/nothing", "expand/contract",
    "east/west", "above/below", "tough/soft", "tougher/softer", "impose/lift",
    "praise/condemn", "welcome/condemn", "keep/lose", "kept/lost", "lift/tighten",
    "north/south", "cause/prevent", "same/different", "similar/different",
)  # fmt: skip
NEGATING_PREFIXES = ("un", "in", "im", "dis", "il", "ir")
# Shorter words are not read as prefixed opposites (`it` and `unit`).
MIN_PREFIXED = 4
MONTHS = frozenset(
    {
        "januari", "februari", "march", "april", "may", "june",
        "juli", "august", "septemb", "octob", "novemb", "decemb",
    }
)  # fmt: skip
YEAR = re.compile(r"1[6-9]\d\d|20\d\d")
# Longest phrase, in content words, that the swap check exchanges.
MAX_SWAPPED = 4


def cited_numbers(text: str) -> list[int]:
    """The passage numbers every `[n]` or `[n, m]` marker in `text` names, in order."""
    return [int(n) for m in CITE.finditer(text) for n in m.group(1).split(",")]


@dataclass(frozen=True)
class SentenceVerdict:
    """Whether the passages support a sentence, a score in [0, 1], and why not."""

    supported: bool
    score: float
    reason: str = ""


def numbers(text: str) -> set[str]:
    """Numbers as written in digits or words, and magnitude words (`million`).

    A comma followed by exactly three digits separates thousands (`$1,000`); any other
    comma is a decimal point (`$1,5 billion`, as one of the papers writes it).
    """
    out = set()
    for n in NUMBER.findall(text):
        parts = re.split(r",(?=\d{3}(?:\D|$))", n.rstrip("."))
        out.add("".join(parts).replace(",", "."))
    for tens, unit, single, magnitude in NUMBER_WORD.findall(text):
        if magnitude:
            out.add(magnitude.lower())
        elif tens:
            out.add(str(TENS[tens.lower()] + (UNITS[unit.lower()] if unit else 0)))
        else:
            out.add(str(UNITS[single.lower()]))
    return out


def _names(text: str) -> set[str]:
    """Capitalised words but the sentence's first word, hyphenated ones whole."""
    first = WORD.search(text)
    opening = first.start() if first else -1
    return {
        m.group().lower()
        for m in NAME.finditer(text)
        if m.start() != opening and m.group().lower() not in STOPWORDS
    }


def _mentioned(name: str, evidence: str, found: set[str]) -> bool:
    """A name, or its demonym (`Korea`/`Korean`, `Russia`/`Russian`), is in the evidence.

    A hyphenated name must appear whole, its parts joined by a hyphen or a space
    (`Jae-in` meets `Jae in`), so `Jong-il` does not pass on the strength of `Jong-un`.
    """
    if "-" in name:
        parts = r"[\s-]+".join(re.escape(p) for p in name.split("-"))
        return re.search(rf"\b{parts}\b", evidence, re.I) is not None
    return name in found or any(
        len(w) >= 4 and (w.startswith(name) or name.startswith(w)) for w in found
    )


def _stems(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(text)]


def _lower_words(text: str) -> list[str]:
    """Words as written: `unlikely` stems to `unlik`, which no longer shows `likely`."""
    return [w.lower() for w in WORD.findall(text)]


@lru_cache(maxsize=1)
def opposites() -> dict[str, set[str]]:
    """Stem -> stems of its opposites, both ways."""
    out: dict[str, set[str]] = {}
    for pair in OPPOSITES:
        a, b = (stem(w) for w in pair.split("/"))
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return out


def _negated(text: str) -> bool:
    return bool(NEGATION.search(NOT_ONLY.sub(" ", text)))


def closest_stretch(claim_terms: set[str], passages: Sequence[str]) -> str:
    """The passage sentence, or pair of consecutive sentences, sharing most claim terms.

    A pair lets a claim that condenses two sentences meet both; on a tie the shorter
    stretch wins, so a claim copied from one sentence is compared with that sentence.
    """
    return max(
        stretches(passages), key=lambda s: (len(claim_terms & vocabulary(s)), -len(s)), default=""
    )


def stretches(passages: Sequence[str]) -> list[str]:
    """Every sentence of the passages, and every pair of consecutive ones."""
    out = []
    for p in passages:
        parts = sentences(p)
        out += parts + [f"{a} {b}" for a, b in pairwise(parts)]
    return out


def _copied(claim: str, passages: Sequence[str]) -> bool:
    """The claim is one passage sentence, or a run of them, word for word.

    Whole sentences only: "the sanctions failed." is in "It is not true that the
    sanctions failed." as text, but not as a claim the passage makes.
    """
    target = " ".join(claim.split())
    for p in passages:
        parts = [" ".join(s.split()) for s in sentences(p)]
        for i in range(len(parts)):
            run = ""
            for part in parts[i:]:
                run = f"{run} {part}".strip()
                if run == target:
                    return True
                if len(run) >= len(target):
                    break
    return False


def reversed_word(claim: str, stretch: str) -> tuple[str, str] | None:
    """A word of the claim where the passage has its opposite instead, with that opposite.

    Counted, not just present: a claim saying `deteriorated` twice where the passage
    says it once and `improve` once has turned the second into the first.
    """
    table = opposites()
    for words in (_stems, _lower_words):
        mine, theirs = Counter(words(claim)), Counter(words(stretch))
        for word in mine:
            if mine[word] <= theirs[word]:
                continue
            flips = set(table.get(word, ()))
            if len(word) >= MIN_PREFIXED:
                flips |= {p + word for p in NEGATING_PREFIXES}
                flips |= {word[len(p) :] for p in NEGATING_PREFIXES if word.startswith(p)}
            for other in flips:
                if theirs[other] > mine[other]:
                    return word, other
    return None


def _inversions(order: Sequence[int]) -> int:
    return sum(a > b for i, a in enumerate(order) for b in order[i + 1 :])


def _timeless(terms: Sequence[str]) -> bool:
    """Not only a month or a year: "in April 1895" may move anywhere in a sentence."""
    return not all(t in MONTHS or YEAR.fullmatch(t) for t in terms)


def _phrase_pairs(n: int) -> Iterator[tuple[int, int, int, int]]:
    """(i, k, l, m): phrases [i, k) and [l, m) of at most `MAX_SWAPPED` terms, apart."""
    for i in range(n):
        for k in range(i + 1, min(n, i + MAX_SWAPPED) + 1):
            for l_ in range(k + 1, n):
                for m in range(l_ + 1, min(n, l_ + MAX_SWAPPED) + 1):
                    yield i, k, l_, m


def swapped_pair(claim: str, stretch: str) -> tuple[str, str] | None:
    """Two phrases whose exchange alone would put the claim in the passage's word order.

    `Pyongyang suspended aid to Moscow` against `Moscow suspended aid to Pyongyang`:
    exchanging two phrases of at most `MAX_SWAPPED` words and about the same length,
    with at least one word between them, restores the passage sentence's order of the
    words both share exactly. A paraphrase that moves a whole clause or a date ("In
    1895, X" for "X in 1895") is not explained by such an exchange.
    """
    mine = [t for t in _stems(claim) if t not in STOPWORDS]
    mine_once = {t for t, n in Counter(mine).items() if n == 1}
    for part in sentences(stretch):
        theirs = [t for t in _stems(part) if t not in STOPWORDS]
        once = mine_once & {t for t, n in Counter(theirs).items() if n == 1}
        terms = [t for t in mine if t in once]
        order = [theirs.index(t) for t in terms]
        if _inversions(order) == 0:
            continue
        for i, k, l_, m in _phrase_pairs(len(order)):
            first, second = order[i:k], order[l_:m]
            if abs(len(first) - len(second)) > 1:
                continue
            if not (_timeless(terms[i:k]) and _timeless(terms[l_:m])):
                continue
            if _inversions([*order[:i], *second, *order[k:l_], *first, *order[m:]]) == 0:
                return " ".join(terms[i:k]), " ".join(terms[l_:m])
    return None


def judge_sentence(sentence: str, passages: Sequence[str]) -> SentenceVerdict:
    """Support of one sentence by the passages: numbers, names, content, polarity, roles."""
    claim = CITE.sub("", sentence).strip()
    evidence = " ".join(passages)
    if claim and _copied(claim, passages):
        return SentenceVerdict(True, 1.0)
    missing_numbers = sorted(numbers(claim) - numbers(evidence))
    if missing_numbers:
        return SentenceVerdict(False, 0.0, f"numbers not in the passages: {missing_numbers}")
    found = {w.lower() for w in WORD.findall(evidence)}
    missing_names = sorted(n for n in _names(claim) if not _mentioned(n, evidence, found))
    if missing_names:
        return SentenceVerdict(False, 0.0, f"names not in the passages: {missing_names}")
    terms = content_terms(claim)
    if not terms:
        return SentenceVerdict(False, 0.0, "says nothing checkable")
    coverage = len(terms & vocabulary(evidence)) / len(terms)
    if coverage < MIN_COVERAGE:
        return SentenceVerdict(False, coverage, f"only {coverage:.0%} of its words are there")
    stretch = closest_stretch(terms, passages)
    if _negated(claim) != _negated(stretch):
        return SentenceVerdict(False, coverage / 2, "negation differs from the closest passage")
    flipped = reversed_word(claim, stretch)
    if flipped:
        word, other = flipped
        return SentenceVerdict(False, coverage / 2, f"says {word} where the passage says {other}")
    swapped = swapped_pair(claim, stretch)
    if swapped:
        return SentenceVerdict(False, coverage / 2, f"swaps {swapped[0]} and {swapped[1]}")
    return SentenceVerdict(True, coverage)
