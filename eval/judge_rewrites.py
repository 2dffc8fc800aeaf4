"""Faithful rewrites of a sentence: the same claim written another way.

The supported half of the judge's training pairs: a bracket or an opening dropped, a
date or a clause moved, a list's items reordered, an active sentence made passive, a
number written another way, an attribution added, two sentences joined, general words
swapped for synonyms. Each returns None where it does not apply.
"""

from __future__ import annotations

import random
import re

from eval.judge_edit_context import AUXILIARIES, Context, Edit, replace_token
from eval.judge_papers import usable
from rag.claims import read
from rag.terms import STOPWORDS

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
# Share of the general words a paraphrase rewords: people reword whole stretches.
SYNONYM_SHARE = 0.8
NUMBER_WORDS = {
    "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
    "8": "eight", "9": "nine", "10": "ten", "12": "twelve", "20": "twenty",
}  # fmt: skip
# Clause openers that may lead or follow the clause they attach to.
SUBORDINATORS = ("because", "although", "while", "since", "when", "after", "before", "if")


def _lower_opening(s: str, ctx: Context) -> str:
    """The sentence with its first word in lower case, unless the paper writes it as a name."""
    first = s.split()[0]
    if any(c.isupper() or c.isdigit() for c in first[1:]) or any(
        n.split()[0] == first for n in ctx.names
    ):
        return s
    return s[0].lower() + s[1:]


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
    return replace_token(s, found[0], NUMBER_WORDS[found[0]]) if found else None


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
            return replace_token(s, token, f"{m.group(1)} {word}")
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
