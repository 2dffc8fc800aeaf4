"""What a question asks for: terms, names and numbers, the papers it names, the answer's form.

Words that only point at a paper ("according to Koslov", "the 21st-century paper") are
taken out of the terms the evidence must contain, and become a preference for that paper
instead: a paper never repeats its own title or author in its body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rag.models import PaperRecord
from rag.terms import STOPWORDS, WORD, content_terms, key_terms, stem

Expect = Literal["count", "amount", "money", "date"]

YEAR = r"\b(1[6-9]\d\d|20\d\d)s?\b"
MONTH = (
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\b"
)
NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty"
SCALE = "(?:hundred|thousand|million|billion|trillion)"
# What an answer of each kind must contain somewhere: a date, an amount of money, a count.
EVIDENCE_OF: dict[Expect, re.Pattern[str]] = {
    "date": re.compile(f"{YEAR}|{MONTH}"),
    # A currency sign or code, or a currency word, next to a number: "won" alone is a verb.
    "money": re.compile(
        rf"[$€£¥]\s?\d|\b(?-i:[A-Z]{{3}})\s?\d|\d[\d,.]*\s*({SCALE}\s+)?"
        r"(dollars?|euros?|pounds?|yen|yuan|rubles?|roubles?|won|rupees?|francs?)\b",
        re.I,
    ),
    # A quantity: a number that is not a year, or a span of time counted in words.
    "amount": re.compile(
        rf"[$€£¥]\s?\d|(?<![\d,.])(?!{YEAR})\d|\b({NUMBER_WORDS}|an?|one|a few|several)\s+"
        r"(second|minute|hour|day|week|month|year|decade|centur(y|ie))s?\b",
        re.I,
    ),
    "count": re.compile(
        r"[$€£¥]?\b(?!(1[6-9]\d\d|20\d\d)s?\b)\d[\d,.]*\b|\b(two|three|four|five|six|seven|"
        r"eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|"
        r"several)\b",
        re.I,
    ),
}

PAPER_NOUN = re.compile(r"\b(paper|article|study|essay)\b", re.I)
BOTH_PAPERS = re.compile(
    r"\b(both|two|each|all|either) (papers?|articles?|authors?|stud(y|ies))\b|\bcompare|"
    r"\bacross the\b",
    re.I,
)
EXPECTS: list[tuple[Expect, re.Pattern[str]]] = [
    ("money", re.compile(r"\b(dollar|how much money|cost|worth|value of|price)\b", re.I)),
    ("count", re.compile(r"\bhow many\b", re.I)),
    ("amount", re.compile(r"\bhow (much|large|big|far|long)\b", re.I)),
    ("date", re.compile(r"^\s*when\b|\b(what|which) (year|date|month)\b|\bin which year\b", re.I)),
]


@dataclass(frozen=True)
class Question:
    """A question taken apart for retrieval, refusal and sentence picking."""

    text: str
    terms: frozenset[str]
    keys: frozenset[str]
    papers: tuple[str, ...]
    expects: Expect | None
    wants_both: bool
    focus: frozenset[str] = frozenset()
    head: str | None = None
    surface: dict[str, str] = field(default_factory=dict)

    def words(self, stems: list[str]) -> str:
        """Stems as the question wrote them, for messages people read."""
        return ", ".join(self.surface.get(s, s) for s in stems)


def _surnames(record: PaperRecord) -> set[str]:
    return {stem(a.split()[-1]) for a in record.meta.authors if a.split()}


def _title_marks(papers: dict[str, PaperRecord]) -> dict[str, set[str]]:
    """Title words (and the year) that belong to one paper's title only."""
    marks = {
        pid: content_terms(rec.meta.title) | ({str(rec.meta.year)} if rec.meta.year else set())
        for pid, rec in papers.items()
    }
    titles_with = Counter(t for own in marks.values() for t in own)
    return {pid: {t for t in own if titles_with[t] == 1} for pid, own in marks.items()}


def _until_stopword(words: Iterable[str], limit: int | None = None) -> list[str]:
    """The words up to the first stopword, at most `limit` of them."""
    out: list[str] = []
    for w in words:
        if w.lower() in STOPWORDS or len(out) == limit:
            break
        out.append(w)
    return out


def _modifiers(text: str) -> list[str]:
    """The words right before a noun, back to the first stopword: `the 21st-century Korea`."""
    return _until_stopword(reversed(WORD.findall(text)), limit=4)


def named_papers(text: str, papers: dict[str, PaperRecord]) -> tuple[tuple[str, ...], set[str]]:
    """Papers the question names by author or by title words before "paper", and those words."""
    words = [stem(w) for w in WORD.findall(text)]
    named: set[str] = set()
    pointers: set[str] = set()
    for pid, rec in papers.items():
        hit = _surnames(rec) & set(words)
        if hit:
            named.add(pid)
            pointers |= hit
    marks = _title_marks(papers)
    for m in PAPER_NOUN.finditer(text):
        before = {stem(w) for w in _modifiers(text[: m.start()])}
        for pid, own in marks.items():
            hit = before & own
            if hit:
                named.add(pid)
                pointers |= hit
    return tuple(sorted(named)), pointers


FOCUS = re.compile(
    r"\b(?:how (?:many|much|large|big)(?: (?:is|was|are|were))?|number of|amount of|value of|"
    r"size of)\s+((?:[\w'-]+\s*){1,4})",
    re.I,
)


def focus_terms(text: str) -> tuple[frozenset[str], str | None]:
    """What a "how many X" question counts: X's content words up to the verb, and X's head.

    The head is X's last word (`debt` in "how large was Russia's debt to ..."): a number
    answers the question only in a sentence about that.
    """
    m = FOCUS.search(text)
    if not m:
        return frozenset(), None
    words = _until_stopword(WORD.findall(m.group(1)))
    terms = frozenset(content_terms(" ".join(words)))
    return terms, (stem(words[-1]) if words else None)


def expected_answer(text: str) -> Expect | None:
    """The kind of fact the answer must contain, when the question's form says so."""
    for kind, pattern in EXPECTS:
        if pattern.search(text):
            return kind
    return None


def analyse(text: str, papers: dict[str, PaperRecord]) -> Question:
    """Take a question apart against the papers currently in the index."""
    named, pointers = named_papers(text, papers)
    focus, head = focus_terms(text)
    return Question(
        text=text,
        terms=frozenset(content_terms(text) - pointers),
        keys=frozenset(key_terms(text) - pointers),
        papers=named,
        expects=expected_answer(text),
        wants_both=bool(BOTH_PAPERS.search(text)),
        focus=focus - pointers,
        head=head if head not in pointers else None,
        surface={stem(w): w for w in WORD.findall(text)},
    )
