"""Features of a claim's anchors: its numbers, years and names, and how it qualifies them.

Each looks for one kind of mismatch between a claim and its passages (`rag.alignment`):
a quantity or name the passages never mention or give in another place, two names in
swapped roles, a negation, quantifier or comparison added, dropped or reversed. The
fitted model (`rag.judge_model`) weighs them with the wording features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.alignment import CAP, Alignment, Finding, occurrences, preferred, same_name
from rag.entities import related_pairs
from rag.qualifiers import directions, negation_scopes, quantifiers, stated_quantifiers
from rag.reading import CONTEXT, Anchor, Reading, context


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


def missing(kind: str) -> Callable[[Alignment], Finding]:
    """Anchors of one kind the passages never mention (`one` is as often `a` as a count)."""
    label = "names" if kind == "name" else "numbers"

    def feature(a: Alignment) -> Finding:
        gone = [
            x.key if kind == "name" else " ".join(a.claim.tokens[x.start : x.end])
            for x in a.claim.anchors
            if x.kind == kind
            and not occurrences(a, x)
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
    mentioned = [o for x in a.claim.anchors for _, o in occurrences(a, x)]
    for x in a.claim.anchors:
        own = occurrences(a, x)
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
            and not same_name(o.key, x.key)
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
    return {x.key: preferred(a, x) for x in a.claim.anchors if x.kind == "name"}


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
    extra = quantifiers(a.claim.tokens) - stated_quantifiers(a.stretch)
    return Finding(min(len(extra), CAP), f"quantifier not in the passage: {sorted(extra)}")


def quantifier_unsupported(a: Alignment) -> Finding:
    """Quantifier classes the claim uses and no sentence of the passages does."""
    theirs = {q for r in a.passages for q in stated_quantifiers(r)}
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
