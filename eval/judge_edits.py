"""Unfaithful edits of a sentence: one systematic change to what it claims.

The unsupported half of the judge's training pairs: a number, year, name or content
word swapped for another of the same paper, a negation added or dropped, two names
exchanged, a comparison or a quantifier changed, a clause added from elsewhere in the
paper, or a sentence from elsewhere. Each returns None where it does not apply.
"""

from __future__ import annotations

import random
import re

from eval.judge_edit_context import AUXILIARIES, Context, Edit, anchor_text, replace_token
from rag.claims import read
from rag.qualifiers import QUANTIFIERS
from rag.reading import Anchor
from rag.terms import STOPWORDS

# Share of swaps that take a number, year or name from the same passage.
SAME_PASSAGE = 0.5
# Content words swapped within a paper should read alike: same ending.
ENDING = 3
MIN_TERM = 5
OPPOSITE_WORDS = {
    "more": "less", "less": "more", "most": "least", "least": "most", "larger": "smaller",
    "smaller": "larger", "largest": "smallest", "smallest": "largest", "higher": "lower",
    "lower": "higher", "highest": "lowest", "lowest": "highest", "greater": "smaller",
    "increase": "decrease", "decrease": "increase", "increased": "decreased",
    "decreased": "increased", "better": "worse", "worse": "better", "best": "worst",
    "worst": "best", "first": "last", "last": "first", "before": "after",
    "after": "before", "earlier": "later", "later": "earlier", "fewer": "more",
    "outperforms": "underperforms", "outperform": "underperform", "faster": "slower",
    "slower": "faster", "improved": "worsened", "improve": "worsen", "rose": "fell",
    "grew": "shrank", "above": "below", "below": "above", "longer": "shorter",
    "shorter": "longer", "stronger": "weaker", "weaker": "stronger",
}  # fmt: skip
QUANTIFIER_SWAPS = {
    "universal": ("some", "few"), "majority": ("few", "only a few"),
    "minority": ("all", "most"), "exclusive": ("also", "mostly"),
}  # fmt: skip


def _spans(sentence: str, kind: str) -> list[Anchor]:
    return [a for a in read(sentence).anchors if a.kind == kind]


def _pool(paper: list[str], passage: list[str], rng: random.Random) -> list[str]:
    """What a swap draws from: the passage's own, or the whole paper's."""
    return passage if passage and rng.random() < SAME_PASSAGE else paper


def swap_number(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A number swapped for another of the paper, or changed."""
    spans = _spans(s, "number")
    if not spans:
        return None
    old = anchor_text(s, rng.choice(spans))
    others = _pool(ctx.numbers, ctx.nearby[0], rng)
    others = [n for n in others if n != old and not n.startswith(old)]
    if others and rng.random() < 0.6:
        new = rng.choice(others)
    else:
        digits = re.findall(r"\d", old)
        if not digits:
            return None
        i = rng.randrange(len(digits))
        changed = str((int(digits[i]) + rng.randint(1, 8)) % 10)
        positions = [k for k, c in enumerate(old) if c.isdigit()]
        new = old[: positions[i]] + changed + old[positions[i] + 1 :]
    return replace_token(s, old, new)


def swap_year(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A year swapped for another of the paper, or moved a few years."""
    spans = _spans(s, "year")
    if not spans:
        return None
    old = anchor_text(s, rng.choice(spans))
    others = [y for y in _pool(ctx.years, ctx.nearby[1], rng) if y != old]
    if others and rng.random() < 0.6:
        new = rng.choice(others)
    else:
        new = str(int(old[:4]) + rng.choice([-5, -3, -2, -1, 1, 2, 3, 4, 10])) + old[4:]
    return replace_token(s, old, new)


def swap_name(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A name swapped for another name of the same paper."""
    spans = [a for a in _spans(s, "name") if a.start > 0]
    if not spans:
        return None
    old = anchor_text(s, rng.choice(spans))
    pool = _pool(ctx.names, ctx.nearby[2], rng)
    others = [n for n in pool if n.lower() != old.lower() and old.lower() not in n.lower()]
    return replace_token(s, old, rng.choice(others)) if others else None


def negate(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A negation added after the first auxiliary, or the sentence's own taken out."""
    m = re.search(r"\b(not|never)\s", s)
    if m:
        return s[: m.start()] + s[m.end() :]
    words = s.split(" ")
    for i, w in enumerate(words):
        if w.lower() in AUXILIARIES and i > 0:
            words.insert(i + 1, rng.choice(["not", "not", "never", "rarely"]))
            return " ".join(words)
    m = re.search(r"\b([a-z]{3,}ed)\b", s)
    if m and m.start() > 0:
        return (
            s[: m.start()]
            + rng.choice(["failed to be ", "never ", "did not get "])
            + s[m.start() :]
        )
    return None


def swap_roles(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Two different names of the sentence exchanged."""
    spans = _spans(s, "name")
    texts = list(dict.fromkeys(anchor_text(s, a) for a in spans))
    if len(texts) < 2:
        return None
    a, b = rng.sample(texts, 2)
    if a.lower() in b.lower() or b.lower() in a.lower():
        return None
    out = re.sub(
        rf"(?<!\w)({re.escape(a)}|{re.escape(b)})(?!\w)", lambda m: b if m.group() == a else a, s
    )
    return out if out != s else None


def flip_comparison(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A comparative or directional word turned into its opposite."""
    words = s.split(" ")
    found = [i for i, w in enumerate(words) if w.strip(",.;:").lower() in OPPOSITE_WORDS]
    if not found:
        return None
    i = rng.choice(found)
    core = words[i].strip(",.;:")
    new = OPPOSITE_WORDS[core.lower()]
    words[i] = words[i].replace(core, new.capitalize() if core[0].isupper() else new)
    return " ".join(words)


def change_quantifier(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A quantifier of another class, or `only` / `all` put where the passage has none."""
    words = s.split(" ")
    found = [i for i, w in enumerate(words) if w.strip(",.;:").lower() in QUANTIFIERS]
    if found:
        i = rng.choice(found)
        core = words[i].strip(",.;:")
        new = rng.choice(QUANTIFIER_SWAPS[QUANTIFIERS[core.lower()]])
        words[i] = words[i].replace(core, new.capitalize() if core[0].isupper() else new)
        return " ".join(words)
    spans = [a for a in read(s).anchors if a.start > 1]
    if not spans:
        return None
    text = anchor_text(s, rng.choice(spans))
    return replace_token(s, text, f"{rng.choice(['only', 'all', 'all of the'])} {text}")


def add_clause(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A clause from elsewhere in the paper added as if the passage said it."""
    other = rng.choice(ctx.elsewhere)
    words = other.rstrip(".").split()
    cut = rng.randint(min(3, len(words) - 1), max(3, len(words) // 2))
    tail = " ".join(words[-cut:])
    joiner = rng.choice([", which", ", because", ", and", ", so that", " while"])
    return f"{s.rstrip('.')}{joiner} {tail[0].lower()}{tail[1:]}."


def swap_term(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A content word swapped for another of the paper that ends alike, so it reads right.

    `children's textbooks` as `medical textbooks`, `vision models` as `text models`: a
    one-word change of what the sentence is about, with the rest of its wording kept.
    """
    words = s.rstrip(".").split(" ")
    slots = [
        i
        for i, w in enumerate(words)
        if i > 0 and w.isalpha() and w.islower() and len(w) >= MIN_TERM and w not in STOPWORDS
    ]
    rng.shuffle(slots)
    present = set(s.lower().split())
    for i in slots:
        ending = words[i][-ENDING:]
        pool = [t for t in ctx.terms if t.endswith(ending) and t not in present]
        if pool:
            words[i] = rng.choice(pool)
            return " ".join(words) + "."
    return None


def elsewhere(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A sentence from elsewhere in the paper, which this passage does not make."""
    return rng.choice(ctx.elsewhere)


EDITS: dict[str, Edit] = {
    "number": swap_number,
    "date": swap_year,
    "entity": swap_name,
    "term": swap_term,
    "negation": negate,
    "role": swap_roles,
    "comparison": flip_comparison,
    "quantifier": change_quantifier,
    "unsupported-addition": add_clause,
    "unsupported": elsewhere,
}
