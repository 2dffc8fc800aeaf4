"""Does a passage support a sentence? Claims aligned with the passage, weighed by a fitted model.

Each claim of the sentence (`rag.claims`) is looked for in the passages: its quantities
and years (however written), its names, the pairs of names it relates and which way,
whether it sits with the same words around it, its polarity, quantifiers and
comparisons, and how much of the rest the passages say. Each mismatch is a feature; a
logistic regression fitted on pairs generated from the papers (`eval.judge_training`)
weighs them, and a sentence is supported when the fitted probability reaches the
threshold kept with the weights in `rag/data/judge_model.json`. No language model, a
few milliseconds a sentence, so the pipeline grounds every LLM sentence with it and
`rag eval` scores with the same judge.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rag.claims import (
    CONTEXT,
    Anchor,
    Reading,
    context,
    directions,
    negations,
    passage_sentences,
    quantifiers,
    read,
    read_passage,
    related_pairs,
)
from rag.support import CITE, SentenceVerdict, copied, reversed_word, swapped_pair
from rag.terms import content_terms, vocabulary

MODEL_PATH = Path(__file__).with_name("data") / "judge_model.json"
# The most a count feature adds: a fourth missing number says no more than a third.
CAP = 3.0
# Shortest word read as a prefix of a longer form of the same name (`Korea`, `Korean`).
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


def _same_name(mine: str, theirs: str, acronyms: Sequence[str] = ()) -> bool:
    """Every word of the claim's name is in the passage's (`Korea` in `North Korean`)."""
    words = theirs.split()
    return all(
        any(w == t or (len(w) >= MIN_PREFIX and t.startswith(w)) for t in words)
        or (w.upper() in acronyms and _initials(w.upper(), words))
        for w in mine.split()
    )


def _matches(anchor: Anchor, other: Anchor, acronyms: Sequence[str] = ()) -> bool:
    if anchor.kind == "name":
        return other.kind == "name" and _same_name(anchor.key, other.key, acronyms)
    return other.kind != "name" and _same_value(anchor.key, other.key)


def _occurrences(a: Alignment, anchor: Anchor) -> list[tuple[Reading, Anchor]]:
    """Where the passages mention an anchor of the claim."""
    acronyms = [w for w in a.claim.tokens[anchor.start : anchor.end] if w.isupper()]
    return [(r, o) for r in a.passages for o in r.anchors if _matches(anchor, o, acronyms)]


def _preferred(a: Alignment, anchor: Anchor) -> set[str]:
    """The passage names a claim's name stands for, the same name if the passages have it."""
    found = {o.key for _, o in _occurrences(a, anchor)}
    return {anchor.key} if anchor.key in found else found


def _common_words(a: Alignment, anchor: Anchor) -> bool:
    """Not a missing name: words the passages use in lower case, or names given apart.

    `Citation` opening a clause is the passages' `citation`; `Moscow-Seoul` is their
    `Moscow` and `Seoul`.
    """
    if anchor.kind != "name":
        return False
    span = range(anchor.start, anchor.end)
    lower = {s for r in a.passages for w, s in zip(r.tokens, r.stems, strict=True) if w.islower()}
    if all(a.claim.stems[i] in lower for i in span):
        return True
    parts = {p for r in a.passages for o in r.anchors if o.kind == "name" for p in _parts(o.key)}
    return "-" in anchor.key and _parts(anchor.key) <= parts


def _parts(key: str) -> set[str]:
    return set(key.replace("-", " ").split())


def _missing(kind: str) -> Callable[[Alignment], Finding]:
    """Anchors of one kind the passages never mention."""
    label = "names" if kind == "name" else "numbers"

    def feature(a: Alignment) -> Finding:
        gone = [
            x.key if kind == "name" else " ".join(a.claim.tokens[x.start : x.end])
            for x in a.claim.anchors
            if x.kind == kind and not _occurrences(a, x) and not _common_words(a, x)
        ]
        return Finding(min(len(gone), CAP), f"{label} not in the passages: {gone}")

    return feature


def misplaced(a: Alignment) -> Finding:
    """An anchor whose words around it in the claim sit around another in the passages.

    `Structured full text for 81.1M papers` against a passage giving 81.1M for all
    papers and 8.1M for the full text: 8.1M, which the claim does not mention, shares
    more of the claim's words around its number than 81.1M does.
    """
    worst, detail = 0.0, ""
    mentioned = [o for x in a.claim.anchors for _, o in _occurrences(a, x)]
    for x in a.claim.anchors:
        own = _occurrences(a, x)
        if not own:
            continue
        near = context(a.claim, x)
        best_own = max(len(near & context(r, o)) for r, o in own)
        rivals = [
            (len(near & context(r, o)), o)
            for r in a.passages
            for o in r.anchors
            if (o.kind == "name") == (x.kind == "name")
            and o not in mentioned
            and not any(r is q and abs(o.start - m.start) <= CONTEXT for q, m in own)
        ]
        if not rivals:
            continue
        score, rival = max(rivals, key=lambda t: t[0])
        gap = float(score - best_own)
        if gap > worst:
            worst, detail = gap, f"{x.key} where the passage has {rival.key} in that place"
    return Finding(min(worst, CAP), detail)


def _passage_pairs(a: Alignment) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for r in a.passages:
        for pair, words in related_pairs(r).items():
            out.setdefault(pair, set()).update(words)
    return out


def _name_keys(a: Alignment) -> dict[str, set[str]]:
    """Each name of the claim, with the passage names it stands for."""
    return {x.key: _preferred(a, x) for x in a.claim.anchors if x.kind == "name"}


def reversed_roles(a: Alignment) -> Finding:
    """Two names the claim relates one way and the passages, by the same word, the other.

    `Korea annexed Japan` against `Korea was annexed by Japan`; a paraphrase that moves
    names into other clauses relates them by other words, and is not taken for a swap.
    """
    theirs = _passage_pairs(a)
    keys = _name_keys(a)
    flipped = []
    for (first, second), words in related_pairs(a.claim).items():
        ahead = {(p, q) for p in keys[first] for q in keys[second]}
        if ahead & theirs.keys():
            continue
        if any(words & theirs.get((q, p), set()) for p, q in ahead):
            flipped.append(f"{first} and {second}")
    return Finding(min(len(flipped), CAP), f"swaps the roles of {', '.join(flipped)}")


def negation_added(a: Alignment) -> Finding:
    """The claim negates more than the closest stretch of passage does."""
    gap = negations(a.claim.tokens) - negations(a.stretch.tokens)
    return Finding(float(gap > 0), "negation differs from the closest passage: added")


def negation_dropped(a: Alignment) -> Finding:
    """The closest stretch negates what the claim states."""
    gap = negations(a.stretch.tokens) - negations(a.claim.tokens)
    return Finding(float(gap > 0), "negation differs from the closest passage: dropped")


def quantifier_changed(a: Alignment) -> Finding:
    """Quantifier classes (`all`, `many`, `few`, `only`) the claim uses and the passage not."""
    extra = quantifiers(a.claim.tokens) - quantifiers(a.stretch.tokens)
    return Finding(min(len(extra), CAP), f"quantifier not in the passage: {sorted(extra)}")


def direction_reversed(a: Alignment) -> Finding:
    """A comparison the passage makes the other way (`smallest` for `largest`)."""
    theirs = directions(a.stretch.tokens)
    flips = [
        f"{axis}" for axis, sign in directions(a.claim.tokens) - theirs if (axis, -sign) in theirs
    ]
    return Finding(min(len(flips), CAP), f"reverses a comparison ({', '.join(flips)})")


def direction_added(a: Alignment) -> Finding:
    """A comparison the passage does not make either way."""
    theirs = directions(a.stretch.tokens)
    extra = [ax for ax, s in directions(a.claim.tokens) - theirs if (ax, -s) not in theirs]
    return Finding(min(len(extra), CAP), f"a comparison the passage does not make ({extra})")


def uncovered(a: Alignment) -> Finding:
    """Share of the claim's content words that no passage uses."""
    missing = a.terms - a.evidence_terms
    share = len(missing) / len(a.terms)
    return Finding(share, f"only {1 - share:.0%} of its words are there")


def uncovered_stretch(a: Alignment) -> Finding:
    """Share of the claim's content words missing from the closest stretch."""
    share = len(a.terms - vocabulary(a.stretch_text)) / len(a.terms)
    return Finding(share, f"only {1 - share:.0%} of its words are in the closest sentence")


def novel_run(a: Alignment) -> Finding:
    """The longest run of the claim's content words the passages never use: an added clause."""
    best = run = 0
    for w, s in zip(a.claim.tokens, a.claim.stems, strict=True):
        if not w[0].isalnum() or s not in content_terms(w):
            continue
        run = run + 1 if s not in a.evidence_terms and s in a.terms else 0
        best = max(best, run)
    return Finding(min(best / 2, CAP), f"adds {best} words in a row the passages never use")


def lexical_reversal(a: Alignment) -> Finding:
    """`rag.support`'s check: a word whose opposite the closest stretch uses instead."""
    found = reversed_word(a.text, a.stretch_text)
    detail = f"says {found[0]} where the passage says {found[1]}" if found else ""
    return Finding(float(found is not None), detail)


def lexical_swap(a: Alignment) -> Finding:
    """`rag.support`'s check: two phrases exchanged around the words that relate them."""
    found = swapped_pair(a.text, a.stretch_text)
    return Finding(float(found is not None), f"swaps {found[0]} and {found[1]}" if found else "")


def length(a: Alignment) -> Finding:
    """How much the claim says: longer claims have more room for a small change."""
    return Finding(math.log1p(len(a.terms)))


FEATURES: dict[str, Callable[[Alignment], Finding]] = {
    "missing_numbers": _missing("number"),
    "missing_years": _missing("year"),
    "missing_names": _missing("name"),
    "misplaced": misplaced,
    "reversed_roles": reversed_roles,
    "negation_added": negation_added,
    "negation_dropped": negation_dropped,
    "quantifier_changed": quantifier_changed,
    "direction_reversed": direction_reversed,
    "direction_added": direction_added,
    "uncovered": uncovered,
    "uncovered_stretch": uncovered_stretch,
    "novel_run": novel_run,
    "lexical_reversal": lexical_reversal,
    "lexical_swap": lexical_swap,
    "length": length,
}


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


def _names_only(reading: Reading, known: Sequence[str]) -> Reading:
    """The reading less a capitalised first word not `known` as a name elsewhere."""
    kept = tuple(
        x for x in reading.anchors if not x.opening or any(_same_name(x.key, k) for k in known)
    )
    return reading if len(kept) == len(reading.anchors) else replace(reading, anchors=kept)


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


def findings(claim: str, passages: Sequence[str]) -> dict[str, Finding] | None:
    """Every feature of a claim against its passages, by name (None: nothing to check)."""
    a = align(claim, passages)
    return None if a is None else {name: f(a) for name, f in FEATURES.items()}


@dataclass(frozen=True)
class JudgeModel:
    """Fitted weights over the named features, and the probability a sentence needs."""

    version: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: dict[str, float]) -> float:
        """The fitted probability that the passages support the sentence."""
        z = self.bias + sum(w * values[f] for f, w in zip(self.features, self.weights, strict=True))
        return 1.0 / (1.0 + math.exp(-z))


def load_model(path: Path = MODEL_PATH) -> JudgeModel:
    """Read a fitted model, refusing one whose features this code does not compute."""
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data["features"]) - FEATURES.keys()
    if unknown:
        raise ValueError(f"{path}: features this judge does not compute: {sorted(unknown)}")
    return JudgeModel(
        version=str(data["version"]),
        features=tuple(data["features"]),
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
    )


@lru_cache(maxsize=1)
def default_model() -> JudgeModel:
    """The model shipped in `rag/data/judge_model.json`, read once."""
    return load_model()


def judge_sentence(
    sentence: str, passages: Sequence[str], model: JudgeModel | None = None
) -> SentenceVerdict:
    """Supported when copied from the passages, or when the model's probability is high enough.

    The reason names the feature that pulled the probability down most.
    """
    model = model or default_model()
    claim = CITE.sub("", sentence).strip()
    if claim and copied(claim, passages):
        return SentenceVerdict(True, 1.0)
    found = findings(claim, passages)
    if found is None:
        return SentenceVerdict(False, 0.0, "says nothing checkable")
    values = {name: f.value for name, f in found.items()}
    p = model.probability(values)
    if p >= model.threshold:
        return SentenceVerdict(True, p)
    pulls = {f: w * values[f] for f, w in zip(model.features, model.weights, strict=True)}
    worst = min(pulls, key=lambda f: pulls[f])
    return SentenceVerdict(False, p, found[worst].detail or worst)
