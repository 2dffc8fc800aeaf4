"""What qualifies a claim: negation, quantifiers (`all`, `few`, `only`), comparisons.

`rarely` and `fail to` negate like `not`, `few` is not `many`, `smallest` reverses
`largest`. The word lists are English function words and comparatives only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

from rag.quantities import PERCENT
from rag.reading import Reading, content
from rag.terms import stem

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
    "typically": "majority", "mainly": "majority", "dominant": "majority",
    "predominant": "majority", "predominantly": "majority",
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
        while j < len(reading.tokens) and len(scope) < SCOPE and reading.tokens[j] not in ";:,":
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


def _share_class(share: float) -> str | None:
    """The quantifier a share amounts to: all of them, most, or a minority."""
    if share >= 100:
        return "universal"
    if share > 50:
        return "majority"
    return "minority" if share > 0 else None


def stated_quantifiers(reading: Reading) -> set[str]:
    """The quantifier classes a passage's sentence backs: its words, `each`, and its shares.

    `For each question` backs `for every question`; `79% of participants` and `19 out of 24`
    back `most participants`, `12 out of 12` backs `all`; `A rather than B` backs `only A`.
    """
    low = [w.lower() for w in reading.tokens]
    shares = [
        float(a.key)
        for a in reading.anchors
        if a.kind == "number"
        and (
            (a.end < len(low) and low[a.end] in PERCENT)
            or {"in", "out"} & set(low[a.start + 1 : a.end])
        )
    ]
    implied = {c for x in shares if (c := _share_class(x))}
    if "each" in low:
        implied.add("universal")
    if any(pair in CONTRASTS for pair in pairwise(low)):
        implied.add("exclusive")
    return quantifiers(reading.tokens) | implied


def directions(words: Iterable[str]) -> set[tuple[str, int]]:
    """The (axis, sign) of each comparative or directional word."""
    return {DIRECTIONS[w.lower()] for w in words if w.lower() in DIRECTIONS}
