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
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from rag.claims import (
    CONTEXT,
    Anchor,
    Reading,
    context,
    directions,
    negation_scopes,
    passage_sentences,
    quantifiers,
    read,
    read_passage,
    related_pairs,
)
from rag.support import CITE, SentenceVerdict, copied, reversed_word, swapped_pair
from rag.terms import STOPWORDS, content_terms, stem, vocabulary

MODEL_PATH = Path(__file__).with_name("data") / "judge_model.json"
# The most a count feature adds: a fourth missing number says no more than a third.
CAP = 3.0
# Shortest word read as a prefix of a longer form of the same name (`Korea`, `Korean`).
MIN_PREFIX = 4
# A substituted run: at most this many words, between at least this many copied ones.
SUBSTITUTION = 3
FLANK = 2


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


def _same_name(mine: str, theirs: str, acronyms: Sequence[str] = ()) -> bool:
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
    """Anchors of one kind the passages never mention (`one` is as often `a` as a count)."""
    label = "names" if kind == "name" else "numbers"

    def feature(a: Alignment) -> Finding:
        gone = [
            x.key if kind == "name" else " ".join(a.claim.tokens[x.start : x.end])
            for x in a.claim.anchors
            if x.kind == kind
            and not _occurrences(a, x)
            and not _common_words(a, x)
            and a.claim.tokens[x.start].lower() != "one"
        ]
        return Finding(min(len(gone), CAP), f"{label} not in the passages: {gone}")

    return feature


def _in_brackets(reading: Reading, i: int) -> bool:
    """Whether token `i` sits inside brackets: a citation or an aside."""
    before = reading.tokens[:i]
    return before.count("(") > before.count(")")


def misplaced(a: Alignment) -> Finding:
    """An anchor whose words around it in the claim sit around another in the passages.

    `Structured full text for 81.1M papers` against a passage giving 81.1M for all
    papers and 8.1M for the full text: 8.1M, which the claim does not mention, shares
    more of the claim's words around its number than 81.1M does. A name or number in
    brackets (a citation) is a rival only to one the claim also puts in brackets.
    """
    worst, detail = 0.0, ""
    mentioned = [o for x in a.claim.anchors for _, o in _occurrences(a, x)]
    for x in a.claim.anchors:
        own = _occurrences(a, x)
        if not own:
            continue
        near = context(a.claim, x)
        best_own = max(len(near & context(r, o)) for r, o in own)
        bracketed = _in_brackets(a.claim, x.start)
        rivals = [
            (len(near & context(r, o)), o)
            for r in a.passages
            for o in r.anchors
            if (o.kind == "name") == (x.kind == "name")
            and o not in mentioned
            and (bracketed or not _in_brackets(r, o.start))
            and not _same_name(o.key, x.key)
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


def _overlap(scope: set[str], scopes: Sequence[set[str]]) -> bool:
    return any(scope & other for other in scopes)


def negation_added(a: Alignment) -> Finding:
    """A negation in the claim that no negation of the passages bears on the same words."""
    theirs = [sc for r in a.passages for sc in negation_scopes(r)]
    added = [sc for sc in negation_scopes(a.claim) if not _overlap(sc, theirs)]
    return Finding(float(bool(added)), "negation differs from the closest passage: added")


def negation_dropped(a: Alignment) -> Finding:
    """A negation of the closest stretch whose words the claim states without negating.

    Only a negation bearing on words the claim repeats (half of those after it or more)
    counts: a claim taken from the other clause of a negated sentence drops nothing.
    """
    stems = set(a.claim.stems)
    mine = negation_scopes(a.claim)
    dropped = [
        sc
        for sc in negation_scopes(a.stretch, before=0)
        if len(sc & stems) >= max(1, len(sc) // 2) and not _overlap(sc, mine)
    ]
    return Finding(float(bool(dropped)), "negation differs from the closest passage: dropped")


def quantifier_changed(a: Alignment) -> Finding:
    """Quantifier classes (`all`, `many`, `few`, `only`) the claim uses and the passage not."""
    extra = quantifiers(a.claim.tokens) - quantifiers(a.stretch.tokens)
    return Finding(min(len(extra), CAP), f"quantifier not in the passage: {sorted(extra)}")


def quantifier_unsupported(a: Alignment) -> Finding:
    """Quantifier classes the claim uses and no sentence of the passages does."""
    theirs = {q for r in a.passages for q in quantifiers(r.tokens)}
    extra = quantifiers(a.claim.tokens) - theirs
    return Finding(min(len(extra), CAP), f"quantifier not in the passages: {sorted(extra)}")


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


def _words(reading: Reading) -> list[tuple[str, str]]:
    """(lower-case word, stem) of each word token, punctuation left out.

    A quantity's words stand as its value (`#8` for `8` and for `eight`), so a number
    written another way is no substitution and a number changed is one.
    """
    numeric = {
        i: f"#{x.key}" for x in reading.anchors if x.kind != "name" for i in range(x.start, x.end)
    }
    return [
        (numeric[i], numeric[i]) if i in numeric else (w.lower(), st)
        for i, (w, st) in enumerate(zip(reading.tokens, reading.stems, strict=True))
        if w[0].isalnum()
    ]


def substituted(a: Alignment) -> Finding:
    """Words the claim puts in place of the closest stretch's, the rest copied around them.

    A one-thing edit keeps the passage's wording and changes a word or two (`medical
    textbooks` for `children's textbooks`, `top 80%` for `bottom 80%`); a paraphrase
    rewords whole stretches. Counts the runs of at most `SUBSTITUTION` words that replace
    as short a run of the passage, between `FLANK` or more copied words on each side (or
    copied words up to the sentence's start or end), where a content word comes in and one the claim
    nowhere uses goes out; each weighs the share of the claim copied around it, so a
    paraphrase's reworded phrase counts for less than a lone word changed in a copy.
    """
    mine, theirs = _words(a.claim), _words(a.stretch)
    claim_stems = {st for _, st in mine}
    ops = SequenceMatcher(None, [w for w, _ in mine], [w for w, _ in theirs], autojunk=False)
    blocks = ops.get_opcodes()
    found = []
    for k, (tag, i1, i2, j1, j2) in enumerate(blocks):
        if tag != "replace" or i2 - i1 > SUBSTITUTION or j2 - j1 > SUBSTITUTION:
            continue
        replaced = {st for _, st in theirs[j1:j2]}
        new = [w for w, st in mine[i1:i2] if w not in STOPWORDS and st not in replaced]
        gone = [w for w, st in theirs[j1:j2] if w not in STOPWORDS and st not in claim_stems]
        if not (new and gone):
            continue
        before = blocks[k - 1][2] - blocks[k - 1][1] if k and blocks[k - 1][0] == "equal" else 0
        after = (
            blocks[k + 1][2] - blocks[k + 1][1]
            if k + 1 < len(blocks) and blocks[k + 1][0] == "equal"
            else 0
        )
        if (
            (before >= FLANK or i1 == before)
            and (after >= FLANK or i2 + after == len(mine))
            and before + after >= FLANK + 1
        ):
            found.append(" ".join(new))
    copied_words = sum(b.size for b in ops.get_matching_blocks() if b.size >= FLANK)
    share = copied_words / max(len(mine), 1)
    detail = f"puts {found} in place of the passage's words"
    return Finding(min(len(found), CAP) * share, detail if found else "")


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
    "quantifier_unsupported": quantifier_unsupported,
    "direction_reversed": direction_reversed,
    "direction_added": direction_added,
    "uncovered": uncovered,
    "uncovered_stretch": uncovered_stretch,
    "novel_run": novel_run,
    "lexical_reversal": lexical_reversal,
    "lexical_swap": lexical_swap,
    "substituted": substituted,
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
    """The reading with a sentence's opening run read as a name only where it is `known`.

    Otherwise its capitalised first word is taken for an ordinary word and the rest of
    the run, if any, for the name (`Despite Russia` is `Russia`).
    """
    kept: list[Anchor] = []
    for x in reading.anchors:
        if not x.opening or any(_same_name(x.key, k) for k in known):
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

    def log_odds(self, values: dict[str, float]) -> float:
        """The fitted log-odds that the passages support the sentence."""
        return self.bias + sum(
            w * values[f] for f, w in zip(self.features, self.weights, strict=True)
        )

    def probability(self, values: dict[str, float]) -> float:
        """The fitted probability that the passages support the sentence."""
        return 1.0 / (1.0 + math.exp(-self.log_odds(values)))

    def worst(self, values: dict[str, float]) -> str:
        """The feature that pulls the log-odds down most."""
        pulls = {f: w * values[f] for f, w in zip(self.features, self.weights, strict=True)}
        return min(pulls, key=lambda f: pulls[f])


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

    The reason names the feature whose mismatch cost the sentence most.
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
    worst = model.worst(values)
    return SentenceVerdict(False, p, found[worst].detail or worst)
