"""Fit the faithfulness judge's model on pairs generated from the papers' own text.

`python -m eval.judge_training --out rag/data/judge_model.json` reads the seed corpus
(`corpus/*.txt`), the committed real PDFs (`tests/fixtures/papers/*.pdf`) and the five
real papers beside the repository (`../shared/real-papers/`, where present; text by
pypdf, cut at the reference list), cuts them into passages of consecutive sentences of
running prose, and makes labelled pairs from each: faithful ones from a sentence of the
passage rewritten without changing what it says (a bracket or an opening dropped, a
date or a clause moved, a list's items reordered, an active sentence made passive, a
number written another way, an attribution added, two sentences joined, general words
swapped for synonyms on top of another rewrite), and unfaithful ones by one systematic
edit (a number, year, name or content word swapped for another of the same paper, a
negation added or dropped, two names exchanged, a comparison or a quantifier changed,
a clause added from elsewhere in the paper, or a sentence from elsewhere). The
hand-labelled sets of `LABELLED` are fitted on too; the held-out real-paper set is not.
The features of `rag.judge` are computed for every pair and a logistic regression is
fitted with numpy; the threshold is the one with the best balanced accuracy on the
hand-labelled pairs' out-of-fold predictions, each paper predicted by a model fitted on
the others. Everything is seeded, so a refit on the same text writes the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdf

from rag.claims import passage_sentences, read
from rag.judge_model import FEATURES, findings
from rag.qualifiers import QUANTIFIERS
from rag.reading import Anchor
from rag.terms import STOPWORDS

ROOT = Path(__file__).resolve().parent.parent
# The seed corpus, the two committed real PDFs, and the five real papers shared beside
# the repository (three of them may not be committed, so they are read from there).
REAL_PAPERS = ROOT.parent / "shared" / "real-papers"
DEFAULT_SOURCES = tuple(
    d for d in (ROOT / "corpus", ROOT / "tests" / "fixtures" / "papers", REAL_PAPERS) if d.is_dir()
)
VERSION = "2"
SEED = 18
PASSAGE_SENTENCES = 4
STRIDE = 2
MIN_WORDS, MAX_WORDS = 8, 45
MAX_CAPITALS = 0.35
# The heading of a reference list, on a line of its own: what follows is not prose.
REFERENCES = re.compile(r"\n\s*(?:\d+\.?\s*)?(?:References|REFERENCES|Bibliography)\s*\n")
MIN_FUNCTION_WORDS = 3
L2 = 1.0
# An attribution fits every sentence; most of the time it comes after the other rewrites.
ATTRIBUTION_LAST = 0.8
# Share of edited sentences rewritten first, so a rewrite does not itself mark a pair.
REWRITE_EDITED = 0.5
HAND_WEIGHT = 3
# Edits that few sentences allow, made beside the chosen one (with one more faithful
# rewrite each, to keep the labels balanced) so the model sees enough of them.
RARE = frozenset({"number", "date", "comparison", "role"})
RARE_EXTRA = 0.7
# Hand-labelled sets fitted on too, each with how many times it counts: the seed
# calibration set, and the development pairs written from three of the real papers
# (`faithfulness_dev_realpapers.md`), once each since they are twice as many. The
# held-out real-paper set is never read here.
LABELLED = {
    ROOT / "eval" / "faithfulness_calibration.jsonl": HAND_WEIGHT,
    ROOT / "eval" / "faithfulness_dev_realpapers.jsonl": 1,
}
# Share of swaps that take a number, year or name from the same passage.
SAME_PASSAGE = 0.5
AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "will",
        "would",
        "should",
        "has",
        "have",
        "had",
        "does",
        "do",
        "did",
        "may",
        "might",
        "must",
    ]
)
SYNONYMS = {
    "use": "employ", "uses": "employs", "used": "employed", "show": "demonstrate",
    "shows": "demonstrates", "showed": "demonstrated", "large": "big", "big": "large",
    "about": "approximately", "approximately": "about", "important": "significant",
    "method": "approach", "methods": "approaches", "results": "findings",
    "help": "assist", "helps": "assists", "also": "additionally", "begin": "start",
    "began": "started", "main": "principal", "provide": "give", "provides": "gives",
    "often": "frequently", "various": "different", "obtain": "get", "however": "but",
    "therefore": "thus", "allow": "permit", "allows": "permits", "need": "require",
    "needs": "requires", "choose": "select", "chose": "selected", "task": "job",
    "build": "construct", "built": "constructed", "create": "make", "creates": "makes",
    "created": "made", "find": "identify", "found": "identified", "finds": "identifies",
    "many": "numerous", "several": "multiple", "multiple": "several", "difficult": "hard",
    "hard": "difficult", "easy": "simple", "study": "work", "studies": "works",
    "include": "contain", "includes": "contains", "included": "contained",
    "improve": "enhance", "improves": "enhances", "reduce": "lower", "reduces": "lowers",
    "understand": "grasp", "typically": "usually", "usually": "typically",
    "significant": "considerable", "common": "frequent", "propose": "suggest",
    "proposed": "suggested", "consider": "regard", "considered": "regarded",
    "describe": "present", "described": "presented", "describes": "presents",
    "combine": "merge", "combines": "merges", "combined": "merged", "goal": "aim",
    "goals": "aims", "perform": "carry out", "performed": "carried out",
    "examine": "inspect", "examined": "inspected", "evaluate": "assess",
    "evaluated": "assessed", "participants": "subjects", "users": "people",
    "papers": "articles", "paper": "article", "approach": "method", "tool": "instrument",
    "tools": "instruments", "information": "data", "relevant": "pertinent",
    "support": "assist", "supports": "assists", "able": "capable", "quickly": "fast",
    "entire": "whole", "whole": "entire", "initial": "first", "additional": "extra",
    "currently": "now", "recent": "new", "extract": "pull out",
    "extracts": "pulls out", "extracted": "pulled out", "designed": "built",
}  # fmt: skip
# Shares of the general words a paraphrase rewords, and of faithful pairs whose
# rewrite also changes the sentence's structure: people reword whole stretches.
SYNONYM_SHARE = 0.8
MAX_REWRITES = 3
NUMBER_WORDS = {
    "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
    "8": "eight", "9": "nine", "10": "ten", "12": "twelve", "20": "twenty",
}  # fmt: skip
# Clause openers that may lead or follow the clause they attach to.
SUBORDINATORS = ("because", "although", "while", "since", "when", "after", "before", "if")
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


@dataclass(frozen=True)
class Pair:
    """A generated (passage, sentence, supported) pair, with the edit that made it."""

    paper: str
    passage: str
    sentence: str
    supported: bool
    kind: str


def paper_text(path: Path) -> str:
    """A paper's text up to its reference list, line-break hyphens joined, spaces collapsed."""
    if path.suffix == ".pdf":
        raw = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    else:
        raw = path.read_text(encoding="utf-8")
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(REFERENCES.split(text)[0].split())


def papers(sources: Sequence[Path]) -> dict[str, str]:
    """Every .txt and .pdf in the source folders, by file name, in name order."""
    files = sorted(p for d in sources for p in d.iterdir() if p.suffix in {".txt", ".pdf"})
    return {p.name: paper_text(p) for p in files}  # a paper in two folders is read once


def usable(sentence: str) -> bool:
    """A sentence of running prose: a capital, a full stop, mostly words, no address.

    Prose uses function words and few capitals; a reference-list entry or a table row
    (names, titles, venues) does not.
    """
    words = sentence.split()
    letters = sum(c.isalpha() for c in sentence)
    capitals = sum(w[0].isupper() for w in words[1:]) / max(len(words) - 1, 1)
    function_words = sum(w.lower() in STOPWORDS for w in words)
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and sentence[0].isupper()
        and sentence.endswith(".")
        and letters > 0.7 * len(sentence)
        and capitals <= MAX_CAPITALS
        and function_words >= MIN_FUNCTION_WORDS
        and "http" not in sentence
        and "@" not in sentence
    )


def _spans(sentence: str, kind: str) -> list[Anchor]:
    return [a for a in read(sentence).anchors if a.kind == kind]


def _replace_token(sentence: str, old: str, new: str) -> str | None:
    """The sentence with its first whole `old` replaced by `new`, None if absent."""
    m = re.search(rf"(?<![\w.,]){re.escape(old)}(?![\w])", sentence)
    return None if m is None else sentence[: m.start()] + new + sentence[m.end() :]


def _anchor_text(sentence: str, anchor: Anchor) -> str:
    return " ".join(read(sentence).tokens[anchor.start : anchor.end])


def _lower_opening(s: str, ctx: Context) -> str:
    """The sentence with its first word in lower case, unless the paper writes it as a name."""
    first = s.split()[0]
    if any(c.isupper() or c.isdigit() for c in first[1:]) or any(
        n.split()[0] == first for n in ctx.names
    ):
        return s
    return s[0].lower() + s[1:]


def _pool(paper: list[str], passage: list[str], rng: random.Random) -> list[str]:
    """What a swap draws from: the passage's own, or the whole paper's."""
    return passage if passage and rng.random() < SAME_PASSAGE else paper


# Faithful rewrites: each returns None where it does not apply.


def drop_brackets(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Leave out bracketed asides: citations (`(Lo et al., 2020)`, `[4, 12]`), examples."""
    out = re.sub(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])", "", s)
    return out if out != s else None


def reorder_list(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Put the items of a short list the other way round: `A, B, and C` as `C, B and A`."""
    item = r"[\w’'-]+(?: [\w’'-]+){0,2}"
    lead = r"(?:of|from|like|for|with|by|on|in|as|include|includes|including|:|\()"
    m = re.search(rf"\b{lead} ({item}(?:, {item})+),? (and|or) ({item})(?=[.,;)]| to| in| for)", s)
    if m is None:
        return None
    items: list[str] = [*m.group(1).split(", "), m.group(3)]
    if any(w.lower() in STOPWORDS or " and " in w for w in items):
        return None
    items.reverse()
    joined = ", ".join(items[:-1]) + f" {m.group(2)} " + items[-1]
    return s[: m.start(1)] + joined + s[m.end() :]


def move_clause(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Put a trailing `because`/`while`/`although` clause first, or a leading one last."""
    words = "|".join(SUBORDINATORS)
    m = re.match(rf"^(.{{20,}}?),? ({words}) ([^,;]{{10,}})\.$", s)
    if m:
        main = _lower_opening(m.group(1), ctx)
        return f"{m.group(2).capitalize()} {m.group(3)}, {main}."
    m = re.match(
        rf"^({'|'.join(w.capitalize() for w in SUBORDINATORS)}) ([^,;]{{10,}}), (.{{20,}})\.$", s
    )
    if m:
        rest = m.group(3)
        return f"{rest[0].upper()}{rest[1:]} {m.group(1).lower()} {m.group(2)}."
    return None


def passive(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Turn `Name verbed the X.` into `The X was verbed by Name.`."""
    m = re.match(
        r"^(We|[A-Z][\w-]+(?: [A-Z][\w-]+)?) ([a-z]{3,}ed) ((?:the|a|an|its|their) [^,;]{4,80})\.$",
        s,
    )
    if m is None or AUXILIARIES & set(m.group(3).split()):
        return None
    subject = "the authors" if m.group(1) == "We" else m.group(1)
    obj = m.group(3)
    verb = "were" if obj.split()[-1].endswith("s") else "was"
    return f"{obj[0].upper()}{obj[1:]} {verb} {m.group(2)} by {subject}."


def numbers_as_words(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Write a small count in words: `8 participants` as `eight participants`."""
    words = read(s).tokens
    found = [t for k, t in enumerate(words) if t in NUMBER_WORDS and k and words[k - 1].islower()]
    return _replace_token(s, found[0], NUMBER_WORDS[found[0]]) if found else None


def drop_opening(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Leave out a short opening phrase (`However,`, `In this paper,`)."""
    m = re.match(r"^([^,]{2,30}),\s+(\w)(.*)$", s)
    if m is None or read(m.group(1)).anchors:
        return None
    return m.group(2).upper() + m.group(3)


def move_opening(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Move an opening phrase to the end: `In 2017, X.` as `X in 2017.`."""
    m = re.match(r"^((?:In|On|At|By|During|After|Before|Since)\s[^,]{2,40}),\s+(\w)(.*)\.$", s)
    if m is None:
        return None
    rest = m.group(2) + m.group(3)
    return f"{rest[0].upper()}{rest[1:]} {_lower_opening(m.group(1), ctx)}."


def first_clause(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Keep the first of two coordinated clauses: a part of what it says."""
    m = re.match(r"^(.{40,}?)(?:;|, and|, but|, which|, while)\s.+$", s)
    return m.group(1).rstrip(",") + "." if m else None


def reformat_number(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Write a number another way: `81.1M` and `81.1 million`, `40%` and `40 percent`."""
    for token in read(s).tokens:
        m = re.fullmatch(r"(\d+(?:\.\d+)?)([MKB])", token)
        if m:
            word = {"M": "million", "K": "thousand", "B": "billion"}[m.group(2)]
            return _replace_token(s, token, f"{m.group(1)} {word}")
    m = re.search(r"(\d+(?:\.\d+)?) (million|billion)\b", s)
    if m:
        return s.replace(m.group(), m.group(1) + {"million": "M", "billion": "B"}[m.group(2)], 1)
    m = re.search(r"\b(\d{1,3}),(\d{3}),(\d{3})\b", s)
    if m:
        millions = int(m.group().replace(",", "")) / 1e6
        return s.replace(m.group(), f"{millions:g} million", 1)
    if "%" in s:
        return s.replace("%", " percent", 1)
    if re.search(r"\d+ per ?cent\b", s):
        return re.sub(r"(\d+) per ?cent\b", r"\1%", s, count=1)
    return None


def attribute(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Say who says it: `The paper reports that ...`, `According to the authors, ...`."""
    body = _lower_opening(s, ctx)
    if re.match(r"^(We|we)\b", body):
        body = re.sub(r"^(We|we)\b", "the authors", body)
    opening = rng.choice(["The paper reports that", "According to the authors,", "It says that"])
    return f"{opening} {body}"


def synonyms(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Swap general words for synonyms, `we` for `the authors`."""
    words = s.split(" ")
    changed = False
    for i, w in enumerate(words):
        core = w.strip(",.;:").lower()
        if core in SYNONYMS and rng.random() < SYNONYM_SHARE:
            words[i] = w.lower().replace(core, SYNONYMS[core])
            changed = True
        elif core == "we":
            words[i] = w.replace("We", "The authors").replace("we", "the authors")
            changed = True
    return " ".join(words) if changed else None


def join_next(s: str, rng: random.Random, ctx: Context) -> str | None:
    """Join the sentence and the next one of the passage into one."""
    if ctx.next_sentence is None or not usable(ctx.next_sentence):
        return None
    return f"{s.rstrip('.')}; {_lower_opening(ctx.next_sentence, ctx)}"


# Unfaithful edits.


def swap_number(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A number swapped for another of the paper, or changed."""
    spans = _spans(s, "number")
    if not spans:
        return None
    old = _anchor_text(s, rng.choice(spans))
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
    return _replace_token(s, old, new)


def swap_year(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A year swapped for another of the paper, or moved a few years."""
    spans = _spans(s, "year")
    if not spans:
        return None
    old = _anchor_text(s, rng.choice(spans))
    others = [y for y in _pool(ctx.years, ctx.nearby[1], rng) if y != old]
    if others and rng.random() < 0.6:
        new = rng.choice(others)
    else:
        new = str(int(old[:4]) + rng.choice([-5, -3, -2, -1, 1, 2, 3, 4, 10])) + old[4:]
    return _replace_token(s, old, new)


def swap_name(s: str, rng: random.Random, ctx: Context) -> str | None:
    """A name swapped for another name of the same paper."""
    spans = [a for a in _spans(s, "name") if a.start > 0]
    if not spans:
        return None
    old = _anchor_text(s, rng.choice(spans))
    pool = _pool(ctx.names, ctx.nearby[2], rng)
    others = [n for n in pool if n.lower() != old.lower() and old.lower() not in n.lower()]
    return _replace_token(s, old, rng.choice(others)) if others else None


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
    texts = list(dict.fromkeys(_anchor_text(s, a) for a in spans))
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
    text = _anchor_text(s, rng.choice(spans))
    return _replace_token(s, text, f"{rng.choice(['only', 'all', 'all of the'])} {text}")


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


@dataclass(frozen=True)
class Context:
    """What an edit may draw on: the paper's numbers, years, names and other sentences."""

    numbers: list[str]
    years: list[str]
    names: list[str]
    terms: list[str]
    elsewhere: list[str]
    next_sentence: str | None
    nearby: tuple[list[str], list[str], list[str]]


Edit = Callable[[str, random.Random, Context], str | None]
REWRITES: dict[str, Edit] = {
    "brackets": drop_brackets,
    "list-order": reorder_list,
    "clause-order": move_clause,
    "passive": passive,
    "number-words": numbers_as_words,
    "opening": drop_opening,
    "moved": move_opening,
    "part": first_clause,
    "number-format": reformat_number,
    "attribution": attribute,
    "synonyms": synonyms,
    "joined": join_next,
}
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


def _inventory(all_sentences: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The numbers, years and names a paper writes, as written."""
    found: dict[str, set[str]] = {"number": set(), "year": set(), "name": set()}
    for s in all_sentences:
        for a in read(s).anchors:
            if a.kind != "name" or a.start > 0:
                found[a.kind].add(_anchor_text(s, a))
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


def feature_matrix(pairs: Sequence[Pair]) -> np.ndarray:
    """One row of `rag.judge` features per pair (a pair with nothing to check: all zero)."""
    rows = []
    for pair in pairs:
        found = findings(pair.sentence, [pair.passage])
        rows.append([found[f].value if found else 0.0 for f in FEATURES])
    return np.asarray(rows, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method, both labels weighed equally."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    beta = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(xb @ beta)))
        grad = xb.T @ (weight * (p - y)) + penalty * beta
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def balanced_accuracy(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Mean of the rates of supported and unsupported pairs judged right."""
    said = p >= threshold
    return float((said[y == 1].mean() + (~said[y == 0]).mean()) / 2)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: Sequence[str]) -> np.ndarray:
    """Each paper's probabilities from a model fitted on the other papers."""
    out = np.zeros(len(y))
    names = np.asarray(groups)
    for g in sorted(set(groups)):
        test = names == g
        w, b = fit(x[~test], y[~test])
        out[test] = 1 / (1 + np.exp(-(x[test] @ w + b)))
    return out


def labelled(path: Path) -> list[Pair]:
    """Hand-labelled pairs (the calibration set's format), each as a `Pair`."""
    from eval.calibration import load_pairs

    return [
        Pair(f"labelled:{p.paper}", p.passage, p.sentence, p.supported, p.kind)
        for p in load_pairs(path)
    ]


def train(
    pairs: Sequence[Pair], hand: Mapping[str, tuple[Sequence[Pair], int]] | None = None
) -> dict[str, object]:
    """The fitted model as `rag.judge_model.load_model` reads it, with how it was made.

    Each hand-labelled set (by name) counts as many times as it is given: they are
    few, and written the way people paraphrase and edit, which the generated rewrites
    only approach. The threshold is the one with the best balanced accuracy on the
    out-of-fold predictions of the hand-labelled pairs (of all pairs when there are
    none): those are the sentences a judge meets, and each is predicted by a model that
    never saw the labels of its paper.
    """
    hand = hand or {}
    generated = len(pairs)
    groups = hand.values()
    pairs = [*pairs, *(p for group, weight in groups for p in group for _ in range(weight))]
    x = feature_matrix(pairs)
    y = np.asarray([p.supported for p in pairs], dtype=float)
    oof = out_of_fold(x, y, [p.paper for p in pairs])
    rows = slice(generated, None) if hand else slice(None)
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [balanced_accuracy(oof[rows], y[rows], t) for t in grid]
    best = int(np.argmax(scores))
    weights, bias = fit(x, y)
    return {
        "version": VERSION,
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
        "threshold": float(grid[best]),
        "training": {
            "seed": SEED,
            "papers": sorted({p.paper for p in pairs}),
            "pairs": generated,
            "hand_labelled": {
                name: {"pairs": len(group), "weight": weight}
                for name, (group, weight) in hand.items()
            },
            "supported": int(y.sum()),
            "threshold_chosen_on": "hand-labelled pairs" if hand else "all pairs",
            "out_of_fold_balanced_accuracy": round(scores[best], 4),
            "out_of_fold_balanced_accuracy_generated": round(
                balanced_accuracy(oof[:generated], y[:generated], float(grid[best])), 4
            ),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the pairs, fit, and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="Where to write the model.")
    parser.add_argument(
        "--source", type=Path, action="append", help="Folder of papers (repeatable)."
    )
    parser.add_argument("--pairs", type=Path, help="Also write the generated pairs as JSONL.")
    parser.add_argument(
        "--labelled",
        type=Path,
        action="append",
        help=(
            f"Hand-labelled pairs fitted on too, counted {HAND_WEIGHT} times (repeatable; "
            f"default {', '.join(p.name for p in LABELLED)})."
        ),
    )
    parser.add_argument("--no-labelled", action="store_true", help="Fit on generated pairs only.")
    args = parser.parse_args(argv)
    pairs = generate(args.source or DEFAULT_SOURCES)
    if args.pairs:
        lines = [json.dumps(p.__dict__, ensure_ascii=False) for p in pairs]
        args.pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sets = {f: HAND_WEIGHT for f in args.labelled} if args.labelled else LABELLED
    hand = {} if args.no_labelled else {f.name: (labelled(f), w) for f, w in sets.items()}
    model = train(pairs, hand)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model["training"]))


if __name__ == "__main__":
    main()
