"""Features of a claim's wording: how much of it the passages say, and what it changed.

A claim can get every number and name right and still add a clause, reword a phrase
into something else, or exchange two words for their opposites. These features measure
that against the passages and their closest stretch (`rag.alignment`); the fitted model
(`rag.judge_model`) weighs them with the anchor features.
"""

from __future__ import annotations

import math
from difflib import SequenceMatcher

from rag.alignment import CAP, Alignment, Finding
from rag.reading import Reading
from rag.support import reversed_word, swapped_pair
from rag.terms import STOPWORDS, content_terms, vocabulary

# A substituted run: at most this many words, between at least this many copied ones.
SUBSTITUTION = 3
FLANK = 2


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
