"""Numbers and years in a sentence, however written: `81.1M`, `81.1 million`, `forty`, `1 in 5`.

Each becomes an `Anchor` whose key is the value written once (`canonical`), so a claim
and a passage that write one quantity two ways meet, and a year is kept apart from other
numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from rag.reading import Anchor
from rag.terms import STOPWORDS

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


def find_quantities(words: Sequence[str]) -> list[Anchor]:
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
