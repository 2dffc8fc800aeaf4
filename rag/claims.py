"""What a sentence claims, read off its words: quantities, years, names, polarity, direction.

A claim is checked against a passage by aligning these pieces, not by counting shared
words: `81.1M` and `81.1 million` are one quantity, `Tang et al., 2018` names a person
and a year that must sit together in the passage as they do in the sentence, `rarely`
and `fail to` negate like `not`, `few` is not `many`, `smallest` reverses `largest`.
The word lists are English function words and comparatives only; which of these
mismatches decide a verdict, and how much each weighs, is fitted (`rag.judge`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from rag.sentences import sentences
from rag.terms import STOPWORDS, stem

# Brackets and clause punctuation are tokens too, so a name ends at them.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*[A-Za-z]*|[^\W\d_][\w'’-]*|%|[(),;:]")
NUMERIC = re.compile(r"(\d+(?:[.,]\d+)*)([A-Za-z]*)")
# A comma before exactly three digits groups thousands; any other comma is a decimal point.
THOUSANDS = re.compile(r",(?=\d{3}(?:\D|$))")
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
MAGNITUDE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}
ORDINAL = ("st", "nd", "rd", "th", "s")
PERCENT = frozenset({"%", "percent", "per"})
# After these, `one` is a pronoun ("one of the reasons"), not a count.
NOT_A_COUNT = frozenset({"of", "another", "or", "and", "who", "that", "which", "the", "way"})
FIRST_YEAR, LAST_YEAR = 1600, 2099
NEGATORS = frozenset(
    {
        "not", "no", "never", "neither", "nor", "none", "nothing", "nobody", "without",
        "cannot", "unable", "lack", "lacks", "lacked", "lacking", "rarely", "seldom",
        "hardly", "barely", "scarcely", "n't",
    }
)  # fmt: skip
FAIL = frozenset({"fail", "fails", "failed", "failing"})
NON = "non-"
# `A rather than B` and `A instead of B` deny B, as `A and not B` does.
CONTRASTS = frozenset({("rather", "than"), ("instead", "of")})
# Content words after a negating word that it is read to bear on.
SCOPE = 4
# Tokens before a negating word read as what it bears on too (`the source does not`).
BEFORE = 3
# Quantifier classes: a claim that says `all` where the passage says `many` claims more.
QUANTIFIERS = {
    "all": "universal", "every": "universal", "always": "universal",
    "entire": "universal", "entirely": "universal", "whole": "universal",
    "everyone": "universal", "everything": "universal", "completely": "universal",
    "most": "majority", "mostly": "majority", "many": "majority", "much": "majority",
    "numerous": "majority", "majority": "majority", "largely": "majority",
    "often": "majority", "usually": "majority", "frequently": "majority",
    "typically": "majority",
    "generally": "majority", "hundreds": "majority", "thousands": "majority",
    "millions": "majority", "dozens": "majority",
    "few": "minority", "little": "minority", "minority": "minority",
    "occasionally": "minority", "sometimes": "minority", "some": "minority",
    "several": "minority", "multiple": "minority", "various": "minority",
    "only": "exclusive", "solely": "exclusive", "exclusively": "exclusive",
    "merely": "exclusive", "alone": "exclusive",
}  # fmt: skip
# Comparative and directional words: (axis, +1 or -1); the same axis with the other
# sign reverses a claim.
DIRECTIONS = {
    **dict.fromkeys(
        [
            "more",
            "most",
            "greater",
            "greatest",
            "larger",
            "largest",
            "bigger",
            "biggest",
            "higher",
            "highest",
            "increase",
            "increases",
            "increased",
            "increasing",
            "rise",
            "rises",
            "rose",
            "risen",
            "grow",
            "grows",
            "grew",
            "grown",
            "growth",
            "exceed",
            "exceeds",
            "exceeded",
            "above",
            "maximum",
            "gain",
            "gains",
            "gained",
            "longer",
            "longest",
            "wider",
            "widest",
            "richer",
            "richest",
        ],
        ("amount", 1),
    ),
    **dict.fromkeys(
        [
            "less",
            "least",
            "fewer",
            "fewest",
            "smaller",
            "smallest",
            "lower",
            "lowest",
            "decrease",
            "decreases",
            "decreased",
            "decreasing",
            "fall",
            "falls",
            "fell",
            "fallen",
            "decline",
            "declines",
            "declined",
            "declining",
            "shrink",
            "shrinks",
            "shrank",
            "reduce",
            "reduces",
            "reduced",
            "reduction",
            "below",
            "minimum",
            "loss",
            "lose",
            "loses",
            "lost",
            "shorter",
            "shortest",
            "narrower",
            "narrowest",
            "poorer",
            "poorest",
        ],
        ("amount", -1),
    ),
    **dict.fromkeys(
        [
            "better",
            "best",
            "improve",
            "improves",
            "improved",
            "improvement",
            "outperform",
            "outperforms",
            "outperformed",
            "superior",
            "stronger",
            "strongest",
            "easier",
            "easiest",
        ],
        ("quality", 1),
    ),
    **dict.fromkeys(
        [
            "worse",
            "worst",
            "worsen",
            "worsened",
            "degrade",
            "degrades",
            "degraded",
            "underperform",
            "underperforms",
            "underperformed",
            "inferior",
            "weaker",
            "weakest",
            "harder",
            "hardest",
        ],
        ("quality", -1),
    ),
    **dict.fromkeys(["first", "earliest", "earlier", "before", "prior", "preceded"], ("order", 1)),
    **dict.fromkeys(["last", "latest", "later", "after", "followed", "subsequent"], ("order", -1)),
    **dict.fromkeys(["faster", "fastest", "quicker", "quickest"], ("speed", 1)),
    **dict.fromkeys(["slower", "slowest"], ("speed", -1)),
}
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
# Tokens either side of an anchor that make its context, and the most tokens apart
# two anchors may be for the words between them to relate them.
CONTEXT = 6
RELATED = 15
LONG_SENTENCE = 400
BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(“\"])")


@dataclass(frozen=True)
class Anchor:
    """A quantity, year or name at a token position of a sentence."""

    kind: str
    key: str
    start: int
    end: int
    opening: bool = False


@dataclass(frozen=True)
class Reading:
    """One sentence read for its claims: tokens, their stems, and its anchors."""

    tokens: tuple[str, ...]
    stems: tuple[str, ...]
    anchors: tuple[Anchor, ...]


def tokens(text: str) -> list[str]:
    """Words, numbers (with a unit suffix: `81.1M`, `25k`), `%` and clause punctuation.

    A typographic apostrophe is read as a plain one, so PDF text's `haven’t` negates.
    """
    return [re.sub(r"'s$", "", t) for t in TOKEN.findall(text.replace("’", "'"))]


def _value(token: str) -> tuple[float, str] | None:
    """The number a numeric token writes and its suffix, thousands commas read as such."""
    m = NUMERIC.fullmatch(token)
    if not m:
        return None
    digits, suffix = m.groups()
    grouped = THOUSANDS.split(digits)
    try:
        value = float("".join(grouped).replace(",", "."))
    except ValueError:
        return None
    return value * SUFFIX.get(suffix.lower(), 1.0), suffix.lower()


def _word_value(words: Sequence[str], i: int) -> float | None:
    """A number written in words (`forty`, `twenty-five`, `three`), or None."""
    w = words[i].lower()
    tens, _, unit = w.partition("-")
    if tens in TENS and (not unit or unit in UNITS):
        return float(TENS[tens] + (UNITS[unit] if unit else 0))
    if w == "one":
        after = words[i + 1].lower() if i + 1 < len(words) else ""
        before = words[i - 1].lower() if i else ""
        pronoun = not after or not after[0].isalnum()
        if pronoun or after in NOT_A_COUNT or after in STOPWORDS or before in {"no", "each", "any"}:
            return None
    return float(UNITS[w]) if w in UNITS else None


def canonical(value: float) -> str:
    """A value written once however it was written: `1.5e+06` for `1,500,000` and `1.5M`."""
    return f"{value:.6g}"


def _quantities(words: Sequence[str]) -> list[Anchor]:
    """Numbers with their magnitude (`1.5 million`), years apart from other numbers."""
    out = []
    i = 0
    while i < len(words):
        parsed = _value(words[i])
        value, suffix = parsed if parsed else (_word_value(words, i), "")
        if value is None:
            i += 1
            continue
        end = i + 1
        while end < len(words) and words[end].lower().rstrip("s") in MAGNITUDE:
            value *= MAGNITUDE[words[end].lower().rstrip("s")]
            end += 1
        is_year = (
            end == i + 1
            and suffix in {"", "s"}
            and value.is_integer()
            and FIRST_YEAR <= value <= LAST_YEAR
            and "," not in words[i]
            and "." not in words[i]
            and not (end < len(words) and words[end].lower() in PERCENT)
        )
        if suffix in ORDINAL and not is_year:
            i = end
            continue
        out.append(Anchor("year" if is_year else "number", canonical(value), i, end))
        i = end
    return out + _ratios(words, out)


def _ratios(words: Sequence[str], numbers: Sequence[Anchor]) -> list[Anchor]:
    """`1 in 5` and `11 out of 12` also read as the share they give (20, 91.6667)."""
    out = []
    for a, b in pairwise(numbers):
        between = [w.lower() for w in words[a.end : b.start]]
        whole, part = float(b.key), float(a.key)
        if (
            between in (["in"], ["out", "of"])
            and whole > part > 0
            and "year" not in (a.kind, b.kind)
        ):
            out.append(Anchor("number", canonical(100 * part / whole), a.start, b.end))
    return out


def _capitalised(word: str) -> bool:
    return word[0].isupper() or any(c.isupper() for c in word[1:]) or word[0].isdigit()


def _acronym(word: str) -> bool:
    """Capitals or digits past the first letter (`S2ORC`, `AMiner`, `MAG`)."""
    return any(c.isupper() or c.isdigit() for c in word[1:])


def _names(words: Sequence[str], numbers: Iterable[Anchor]) -> list[Anchor]:
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


@lru_cache(maxsize=4096)
def read(sentence: str) -> Reading:
    """A sentence's tokens, stems and anchors; cached, since passages are read again."""
    words = tokens(sentence)
    quantities = _quantities(words)
    anchors = sorted([*quantities, *_names(words, quantities)], key=lambda a: a.start)
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


def content(reading: Reading, lo: int = 0, hi: int | None = None) -> set[str]:
    """Stems of the content words between two token positions."""
    return {
        s
        for w, s in zip(reading.tokens[lo:hi], reading.stems[lo:hi], strict=True)
        if w.lower() not in STOPWORDS and len(w) > 1
    }


def context(reading: Reading, anchor: Anchor) -> set[str]:
    """Content stems within `CONTEXT` tokens of an anchor, the anchor's own left out."""
    lo, hi = max(0, anchor.start - CONTEXT), anchor.end + CONTEXT
    return content(reading, lo, anchor.start) | content(reading, anchor.end, hi)


def _negators(words: Sequence[str]) -> list[int]:
    """Positions of negating words: `not only` and `no less` left out, `fail to` and `non-`."""
    low = [w.lower() for w in words]
    out = []
    for i, w in enumerate(low):
        after = low[i + 1] if i + 1 < len(low) else ""
        if w in {"not", "no"} and after in {"only", "less", "more", "sooner"}:
            continue
        if (
            w in NEGATORS
            or w.endswith("n't")
            or (w in FAIL and after == "to")
            or (w.startswith(NON) and len(w) > len(NON))
            or (w, after) in CONTRASTS
        ):
            out.append(i)
    return out


def negations(words: Sequence[str]) -> int:
    """How many negating words a text uses."""
    return len(_negators(words))


def negation_scopes(reading: Reading, before: int = BEFORE) -> list[set[str]]:
    """For each negating word, the content stems it bears on.

    They are the words after it in its clause (`SCOPE` at most), the `before` just ahead, and
    what a `non-` word negates. A passage sentence often negates one clause and states
    another; a claim that repeats only the other clause has dropped nothing.
    """
    out = []
    for i in _negators(reading.tokens):
        scope = set()
        word = reading.tokens[i].lower()
        if word.startswith(NON):
            scope.add(stem(word[len(NON) :]))
        j = i + 1
        while j < len(reading.tokens) and len(scope) < SCOPE and reading.tokens[j] not in ";:":
            scope |= content(reading, j, j + 1)
            j += 1
        scope |= content(reading, max(0, i - before), i)
        out.append(scope)
    return out


def quantifiers(words: Iterable[str]) -> set[str]:
    """The quantifier classes a text's words use; `in all` is a total, not a quantifier.

    `each` is left out: it distributes (`7 for each paper`) more often than it claims all.
    """
    low = [w.lower() for w in words]
    return {
        QUANTIFIERS[w]
        for i, w in enumerate(low)
        if w in QUANTIFIERS and not (w == "all" and i and low[i - 1] == "in")
    }


def directions(words: Iterable[str]) -> set[tuple[str, int]]:
    """The (axis, sign) of each comparative or directional word."""
    return {DIRECTIONS[w.lower()] for w in words if w.lower() in DIRECTIONS}


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
