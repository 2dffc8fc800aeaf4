"""How a question can name a paper: by short name, title words, an author's surname.

The marks are worked out from the catalog once per index snapshot (`paper_marks`), so
reading a question for the papers it names (`named_papers`) costs the same at any
library size. Naming a paper scopes the question to it; the words that named it are
no evidence the passages must contain, since a paper never repeats its own title or
author in its body.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.terms import MONTH, WORD, content_terms, stem, until_stopword
from rag.types import PaperRecord

MONTH_NAME = re.compile(MONTH)
PAPER_NOUN = re.compile(r"\b(paper|article|study|essay)\b", re.I)


@dataclass(frozen=True)
class PaperMarks:
    """The words by which a question can name a paper, worked out once per index snapshot.

    Stemming every title and author list on every question would cost in proportion to
    the library; these lookups cost the same at any size.
    """

    # Author surname stem -> the papers with an author of that name.
    surnames: dict[str, frozenset[str]] = field(default_factory=dict)
    # Title word stem (or year) found in one paper's title only -> that paper.
    titles: dict[str, str] = field(default_factory=dict)
    # A title's short name, the words before its colon (`S2ORC`, `Paper Plain`) -> its paper;
    # lower-cased where it is a coined word (`s2orc`, `papermage`), else as the title has it,
    # so that "the paper plain text" names nothing.
    short_names: dict[tuple[str, ...], str] = field(default_factory=dict)
    # A whole title, or the part after its colon -> its paper.
    titles_said: dict[tuple[str, ...], str] = field(default_factory=dict)
    # How many words the short names and titles run to, so a question is read once each.
    lengths: frozenset[int] = frozenset()


# The words before a title's colon are its short name when there are at most this many.
SHORT_NAME_WORDS = 4
PHRASE_WORD = re.compile(r"[^\W_]+")


def phrase_words(text: str, cased: bool = False) -> tuple[str, ...]:
    """Words with possessives dropped, so `PaperMage's` reads as `PaperMage` (lower-cased)."""
    words = PHRASE_WORD.findall(re.sub(r"['’]s\b", "", text))
    return tuple(words if cased else (w.lower() for w in words))


def _coined(word: str) -> bool:
    """A word no dictionary has: digits, or capitals inside it (`S2ORC`, `LongEval`)."""
    return any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def _short_name(head: str) -> tuple[str, ...]:
    """The short name as a question must say it: any case if coined, else as written."""
    words = phrase_words(head, cased=True)
    return phrase_words(head) if any(_coined(w) for w in words) else words


def _runs(words: tuple[str, ...], n: int) -> set[tuple[str, ...]]:
    return {words[i : i + n] for i in range(len(words) - n + 1)}


def _unique(found: dict[tuple[str, ...], set[str]]) -> dict[tuple[str, ...], str]:
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def paper_marks(papers: dict[str, PaperRecord]) -> PaperMarks:
    """Surnames of every paper, and the title words (and year) that belong to one title only."""
    surnames: dict[str, set[str]] = {}
    for pid, rec in papers.items():
        for author in rec.meta.authors:
            if author.split():
                surnames.setdefault(stem(author.split()[-1]), set()).add(pid)
    marks = {
        pid: content_terms(rec.meta.title) | ({str(rec.meta.year)} if rec.meta.year else set())
        for pid, rec in papers.items()
    }
    titles_with = Counter(t for own in marks.values() for t in own)
    titles = {t: pid for pid, own in marks.items() for t in own if titles_with[t] == 1}
    short: dict[tuple[str, ...], set[str]] = {}
    said: dict[tuple[str, ...], set[str]] = {}
    for pid, rec in papers.items():
        head, colon, rest = rec.meta.title.partition(":")
        name = _short_name(head)
        if colon and 0 < len(name) <= SHORT_NAME_WORDS:
            short.setdefault(name, set()).add(pid)
        for words in (phrase_words(rec.meta.title), phrase_words(rest) if colon else ()):
            if len(content_terms(" ".join(words))) >= 2:
                said.setdefault(words, set()).add(pid)
    return PaperMarks(
        {k: frozenset(v) for k, v in surnames.items()},
        titles,
        _unique(short),
        _unique(said),
        frozenset(len(k) for k in (*short, *said)),
    )


def _modifiers(text: str) -> list[str]:
    """The words right before a noun, back to the first stopword: `the 21st-century Korea`."""
    return until_stopword(reversed(WORD.findall(text)), limit=4)


def _surnames_said(text: str, marks: PaperMarks) -> set[str]:
    """Stems of the authors' surnames the question writes as names.

    A name is capitalised (`the head of state` names no Head), and a month next to a
    number is a date (`in August 1991` names no August).
    """
    tokens = WORD.findall(text)
    said: set[str] = set()
    for i, w in enumerate(tokens):
        s = stem(w)
        if s not in marks.surnames or not w[0].isupper():
            continue
        beside = tokens[max(i - 1, 0) : i] + tokens[i + 1 : i + 2]
        if MONTH_NAME.fullmatch(w) and any(t[0].isdigit() for t in beside):
            continue
        said.add(s)
    return said


def named_papers(text: str, marks: PaperMarks) -> tuple[tuple[str, ...], set[str], frozenset[str]]:
    """Papers the question names, the words that only point at them, and short names' words.

    A paper is named by an author's surname, by title words before "paper" ("the 2018
    paper"), by its short name (`S2ORC`, `PaperMage's`), or by its title (or the part
    after the colon) in full. Surnames, title words and titles only point, since a paper
    rarely repeats them in its body; a short name is what the paper is about, so it
    stays a term the evidence should hold, unless the question names several papers:
    one paper's passage is not expected to name the others. A passage of the paper
    answers without naming it, though (`Beyond Summarization` is not said in its body):
    the third part lets the refusal excuse a short name in that paper's passages.
    """
    pointers = _surnames_said(text, marks)
    named = {pid for w in pointers for pid in marks.surnames[w]}
    for m in PAPER_NOUN.finditer(text):
        for w in {stem(w) for w in _modifiers(text[: m.start()])}:
            if w in marks.titles:
                named.add(marks.titles[w])
                pointers.add(w)
    said, cased = phrase_words(text), phrase_words(text, cased=True)
    short: set[str] = set()
    for n in marks.lengths:
        lower = _runs(said, n)
        for run in lower:
            if run in marks.titles_said:
                named.add(marks.titles_said[run])
                pointers |= content_terms(" ".join(run))
        for run in lower | _runs(cased, n):
            if run in marks.short_names:
                named.add(marks.short_names[run])
                short |= content_terms(" ".join(run))
    return (
        tuple(sorted(named)),
        pointers | (short if len(named) > 1 else set()),
        frozenset(short),
    )
