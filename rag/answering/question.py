"""What a question asks for: terms, names and numbers, the papers it names, the answer's form.

Words that only point at a paper ("according to Koslov", "the 21st-century paper") are
taken out of the terms the evidence must contain, and become a preference for that paper
instead: a paper never repeats its own title or author in its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.paper_names import PaperMarks, named_papers
from rag.sentences import NUMBERED_CITATION
from rag.terms import MONTH, WORD, content_terms, key_terms, stem, until_stopword

Expect = Literal["count", "amount", "money", "date"]

YEAR = r"\b(1[6-9]\d\d|20\d\d)s?\b"
NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
# A number of units in words: "forty", "twenty-five", "two and a half", "half an".
SPELLED = (
    rf"(?:(?:{NUMBER_WORDS})(?:[- ](?:{NUMBER_WORDS}))?(?: and a half)?|"
    r"half an?|an?|one|a few|several)"
)
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
        rf"[$€£¥]\s?\d|(?<![\d,.])(?!{YEAR})\d|\b{SPELLED}\s+"
        r"(second|minute|hour|day|week|month|year|decade|centur(y|ie))s?\b",
        re.I,
    ),
    "count": re.compile(
        r"[$€£¥]?\b(?!(1[6-9]\d\d|20\d\d)s?\b)\d[\d,.]*\b|"
        rf"\b({NUMBER_WORDS}|dozens?|hundreds?|thousands?|millions?|billions?|several)\b",
        re.I,
    ),
}

BOTH_PAPERS = re.compile(
    r"\b(both|two|each|all|either) (papers?|articles?|authors?|stud(y|ies))\b|\bcompare|"
    r"\bacross the\b",
    re.I,
)
# A question asking which of several papers something holds for ("Which of these papers
# run a user study?"); "Which of ..." asks it when the question names papers.
WHICH_PAPERS = re.compile(
    r"\b(which|what|any|none) (one )?(of )?(the |these |those )?(papers|articles|studies)\b",
    re.I,
)
WHICH_OF = re.compile(r"^\s*(which|do any|does any|did any) of\b", re.I)
# A numbered citation (`[88]`, `[3, 4]`, `[12-14]`), a pointer into the paper (`Figure 4`,
# `Table 2`, `Section 3.1`, `§5`) or a list item's number (`(4) Answer Gists ...`, `see (1)
# Figure 4`) is no count or amount.
# An equation's number closing a sentence is none either; "(24)" inside a sentence may be
# a count ("students (24) from two labs") and stays.
NOT_A_QUANTITY = re.compile(
    rf"{NUMBERED_CITATION.pattern}|\(\d{{1,2}}\)(?=\s+(?-i:[A-Z])|\s*[.]?\s*$)|"
    r"^\s*\d{1,2}[.)]\s|"
    r"(?:\b(?:Fig(?:ure)?s?|Tables?|Sections?|Sec|Eqs?|Equations?|Appendix|Algorithm)\.?|§)"
    r"\s*\d+(?:\.\d+)*[a-z]?(?:\s*(?:,|and|&|or|to|[\u2013-])\s*\d+(?:\.\d+)*[a-z]?)*",
    re.I,
)


def gives(kind: Expect, sentence: str) -> bool:
    """Whether the sentence holds a fact of the kind asked for, its citation numbers aside."""
    return bool(EVIDENCE_OF[kind].search(NOT_A_QUANTITY.sub(" ", sentence)))


EXPECTS: list[tuple[Expect, re.Pattern[str]]] = [
    ("money", re.compile(r"\b(dollar|how much money|cost|worth|value of|price)\b", re.I)),
    (
        "count",
        re.compile(r"\bhow (many|often)\b|\bwhat (is|was|are|were) the number of\b", re.I),
    ),
    (
        "amount",
        re.compile(
            r"\bhow (much|large|big|far|long|accurate(ly)?|precise)\b|"
            r"\bwhat (percentage|proportion|share|fraction)\b|"
            r"\bwhat (is|was|are|were) the (duration|length|size|percentage|proportion|share)\b",
            re.I,
        ),
    ),
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
    # Asks which of the papers something holds for: a paper answers only by its own evidence.
    selects: bool = False
    focus: frozenset[str] = frozenset()
    head: str | None = None
    # Stems of the short names by which the question names its papers (`papermage`).
    short_names: frozenset[str] = frozenset()
    surface: dict[str, str] = field(default_factory=dict)

    def words(self, stems: list[str]) -> str:
        """Stems as the question wrote them, for messages people read."""
        return ", ".join(self.surface.get(s, s) for s in stems)


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
    words = until_stopword(WORD.findall(m.group(1)))
    terms = frozenset(content_terms(" ".join(words)))
    return terms, (stem(words[-1]) if words else None)


def expected_answer(text: str) -> Expect | None:
    """The kind of fact the answer must contain, when the question's form says so."""
    for kind, pattern in EXPECTS:
        if pattern.search(text):
            return kind
    return None


def analyse(text: str, marks: PaperMarks) -> Question:
    """Take a question apart against the papers currently in the index (their `marks`)."""
    named, pointers, short_names = named_papers(text, marks)
    focus, head = focus_terms(text)
    selects = bool(WHICH_PAPERS.search(text) or (WHICH_OF.search(text) and len(named) > 1))
    return Question(
        text=text,
        terms=frozenset(content_terms(text) - pointers),
        keys=frozenset(key_terms(text) - pointers),
        papers=named,
        expects=expected_answer(text),
        wants_both=bool(BOTH_PAPERS.search(text)) or selects or len(named) > 1,
        selects=selects,
        focus=focus - pointers,
        head=head if head not in pointers else None,
        short_names=short_names,
        surface={stem(w): w for w in WORD.findall(text)},
    )
