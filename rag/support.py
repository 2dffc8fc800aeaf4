"""Lexical checks of a claim against a passage, shared by the claim-aware judge.

Whether a claim is a passage's own sentences word for word; whether, against the
stretch of passage closest to it, it uses a word whose opposite the passage uses
instead (`more` for `less`, `supported` for `opposed`); whether it swaps two things
around the words that relate them (`Moscow suspended aid to Pyongyang` against
`Pyongyang suspended aid to Moscow`). `rag.judge` weighs them with its other features.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rag.sentences import sentences, without_citation_numbers
from rag.terms import STOPWORDS, WORD, stem
from rag.types import TABLE_CELL_SEPARATOR

CITE = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
# One or more markers in a row: `[1][2, 3]`.
CITE_RUN = re.compile(rf"(?:{CITE.pattern})+")
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
    "easy/difficult", "easy/hard", "easier/harder", "common/rare", "frequent/rare",
    "early/late", "long/short", "top/bottom", "multiple/single", "several/single",
    "abundant/sparse", "abundant/scarce", "extensive/limited", "wide/narrow",
    "simple/complex", "fast/slow", "cheap/expensive", "present/absent", "true/false",
    "manual/automatic", "explicit/implicit", "internal/external", "inside/outside",
    "within/across", "majority/minority", "upper/lower", "input/output", "novice/expert",
    "junior/senior", "short-term/long-term", "online/offline", "private/public",
    "largest/smallest", "biggest/smallest", "greatest/least", "highest/lowest",
    "longest/shortest", "fastest/slowest", "earliest/latest", "strongest/weakest",
)  # fmt: skip
NEGATING_PREFIXES = ("un", "in", "im", "dis", "il", "ir", "under")
# Shorter words, or what is left of a word less its prefix, are not read as prefixed
# opposites (`it` and `unit`, `to` and `into`).
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


# What joins the items of a list: exchanging two of its items changes nothing it says.
JOINERS = frozenset({",", ";", "and", "or"})
LISTED = re.compile(rf"{WORD.pattern}|[,;]")


def _joined(text: str) -> dict[str, tuple[bool, bool]]:
    """Per content stem: whether a joiner precedes it (past function words), and follows it.

    `our institution, our professional networks, and Upwork`: `institut` is followed by
    one, `upwork` preceded by one, so the two are items of one list.
    """
    tokens = [t.lower() for t in LISTED.findall(text)]
    out = {}
    for i, t in enumerate(tokens):
        if t in JOINERS or t in STOPWORDS:
            continue
        j = i - 1
        while j >= 0 and tokens[j] not in JOINERS and tokens[j] in STOPWORDS:
            j -= 1
        after = i + 1 < len(tokens) and tokens[i + 1] in JOINERS
        out[stem(t)] = (j >= 0 and tokens[j] in JOINERS, after)
    return out


def _listed(text: str, first: Sequence[str], second: Sequence[str]) -> bool:
    """The two phrases are items of one list in the text, in whichever order it gives them."""
    joined = _joined(text)
    opens = [joined.get(p[0], (False, False))[0] for p in (first, second)]
    closes = [joined.get(p[-1], (False, False))[1] for p in (first, second)]
    return (closes[0] and opens[1]) or (closes[1] and opens[0])


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


def copied(claim: str, passages: Sequence[str]) -> bool:
    """The claim is one passage sentence, or a run of them, or a table's row, word for word.

    Whole sentences only: "the sanctions failed." is in "It is not true that the
    sanctions failed." as text, but not as a claim the passage makes. A table has no
    sentences; its unit is the row, a line of cells. The paper's own citation numbers
    are no part of a claim, and answers leave them out.
    """
    target = " ".join(without_citation_numbers(claim).split())
    for p in passages:
        if TABLE_CELL_SEPARATOR in target and any(
            target == " ".join(line.split()) for line in p.splitlines()
        ):
            return True
        parts = [" ".join(without_citation_numbers(s).split()) for s in sentences(p)]
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
                flips |= {
                    word[len(p) :]
                    for p in NEGATING_PREFIXES
                    if word.startswith(p) and len(word) - len(p) >= MIN_PREFIXED
                }
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
    1895, X" for "X in 1895") is not explained by such an exchange, and two items of one
    list exchanged, in the claim and in the passage, are no swap.
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
            if _inversions([*order[:i], *second, *order[k:l_], *first, *order[m:]]) != 0:
                continue
            one, other = terms[i:k], terms[l_:m]
            if not (_listed(claim, one, other) and _listed(part, one, other)):
                return " ".join(one), " ".join(other)
    return None
