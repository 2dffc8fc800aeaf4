"""Labelled training pairs for the faithfulness judge, cut from the papers' passages.

Each passage of consecutive prose sentences gives a faithful pair (a sentence rewritten
by `eval.judge_rewrites`) and an unfaithful one (the sentence, itself rewritten half of
the time, changed by one of `eval.judge_edits`), so the two labels stay about as many.
Everything is drawn from one seeded generator: the same papers and seed give the same
pairs.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.judge_edit_context import Context, anchor_text
from eval.judge_edits import EDITS, MIN_TERM
from eval.judge_papers import DEFAULT_SOURCES, papers, usable
from eval.judge_rewrites import REWRITES
from rag.claims import passage_sentences, read
from rag.terms import STOPWORDS

SEED = 18
PASSAGE_SENTENCES = 4
STRIDE = 2
# An attribution fits every sentence; most of the time it comes after the other rewrites.
ATTRIBUTION_LAST = 0.8
# Share of edited sentences rewritten first, so a rewrite does not itself mark a pair.
REWRITE_EDITED = 0.5
# Edits that few sentences allow, made beside the chosen one (with one more faithful
# rewrite each, to keep the labels balanced) so the model sees enough of them.
RARE = frozenset({"number", "date", "comparison", "role"})
RARE_EXTRA = 0.7
# How many faithful rewrites one faithful pair may stack.
MAX_REWRITES = 3


@dataclass(frozen=True)
class Pair:
    """A generated (passage, sentence, supported) pair, with the edit that made it."""

    paper: str
    passage: str
    sentence: str
    supported: bool
    kind: str


def _inventory(all_sentences: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The numbers, years and names a paper writes, as written."""
    found: dict[str, set[str]] = {"number": set(), "year": set(), "name": set()}
    for s in all_sentences:
        for a in read(s).anchors:
            if a.kind != "name" or a.start > 0:
                found[a.kind].add(anchor_text(s, a))
    return tuple(sorted(found[k]) for k in ("number", "year", "name"))  # type: ignore[return-value]


def _terms(all_sentences: Sequence[str]) -> list[str]:
    """The lower-case content words a paper uses, for swapping one for another."""
    found = {
        w
        for s in all_sentences
        for w in s.rstrip(".").split(" ")
        if w.isalpha() and w.islower() and len(w) >= MIN_TERM and w not in STOPWORDS
    }
    return sorted(found)


def _rewrite(s: str, rng: random.Random, ctx: Context, tries: int) -> tuple[str, str]:
    """Up to `tries` faithful rewrites of a sentence, and their names.

    Synonyms come only on top of another rewrite: a sentence copied but for one word is
    far more often a changed fact than a paraphrase, and people who paraphrase reword
    more than one word.
    """
    kinds: list[str] = []
    order = rng.sample(list(REWRITES), len(REWRITES))
    for last in ("synonyms", "attribution"):
        if last == "synonyms" or rng.random() < ATTRIBUTION_LAST:
            order.remove(last)
            order.append(last)
    for name in order:
        if len(kinds) == tries:
            break
        if name == "synonyms" and not kinds:
            continue
        out = REWRITES[name](s, rng, ctx)
        if out and out != s and usable_output(out):
            s, kinds = out, [*kinds, name]
    return s, "+".join(kinds) or "verbatim"


def usable_output(s: str) -> bool:
    """A generated sentence with something left to judge."""
    return len(s.split()) >= 4


def paper_pairs(paper: str, text: str, rng: random.Random) -> Iterator[Pair]:
    """Faithful and unfaithful pairs, about as many of each, from one paper's passages."""
    parts = passage_sentences(text)
    good = [s for s in parts if usable(s)]
    numbers, years, names = _inventory(good)
    terms = _terms(good)
    for start in range(0, max(1, len(parts) - PASSAGE_SENTENCES + 1), STRIDE):
        window = parts[start : start + PASSAGE_SENTENCES]
        targets = [i for i, s in enumerate(window) if usable(s)]
        if not targets:
            continue
        i = rng.choice(targets)
        passage = " ".join(window)
        outside = [s for s in good if s not in window]
        ctx = Context(
            numbers,
            years,
            names,
            terms,
            outside,
            window[i + 1] if i + 1 < len(window) else None,
            _inventory(window),
        )
        faithful, kind = _rewrite(window[i], rng, ctx, rng.randint(1, MAX_REWRITES))
        yield Pair(paper, passage, faithful, True, kind)
        base = window[i]
        if rng.random() < REWRITE_EDITED:
            base = _rewrite(base, rng, ctx, 1)[0]
        edits = {}
        for name, edit in EDITS.items():
            edited = edit(base, rng, ctx)
            if edited and edited != base and usable_output(edited):
                edits[name] = edited
        if edits:
            name = rng.choice(sorted(edits))
            yield Pair(paper, passage, edits[name], False, name)
        for rare in sorted(RARE & edits.keys() - {name} if edits else set()):
            if rng.random() < RARE_EXTRA:
                yield Pair(paper, passage, edits[rare], False, rare)
                again, kind = _rewrite(window[i], rng, ctx, rng.randint(1, MAX_REWRITES))
                yield Pair(paper, passage, again, True, kind)


def generate(sources: Sequence[Path] = DEFAULT_SOURCES, seed: int = SEED) -> list[Pair]:
    """Every generated pair from the papers in `sources`, the same for the same seed."""
    rng = random.Random(seed)
    return [pair for name, text in papers(sources).items() for pair in paper_pairs(name, text, rng)]
