"""Numbers from a paper's tables: the rows a question names, quoted with their headings.

A results table is where a paper states most of its numbers ("What F1 does I-VILA
reach?"), and none of its cells is a sentence, so sentence picking never reaches them:
table chunks are not among the answer kinds. A cell is addressed by its row and its
column, so a row is quoted when its label cell names one of the question's names and
the question names one of the table's column headings (or asks how many or how much).
The rows are copied verbatim, each cited to its table, and the heading lines above them
come along so the numbers can be read; nothing is computed or reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import wording
from rag.answering.composition import short_reference, to_citation
from rag.answering.question import Question
from rag.terms import STOPWORDS, WORD, stem
from rag.types import TABLE_CELL_SEPARATOR, Answer, ScoredPassage

# At most this many tables searched, rows quoted from each, and heading lines kept.
MAX_TABLES = 3
MAX_ROWS = 4
MAX_HEADING_LINES = 2
TABLE_KINDS: tuple[str, ...] = ("table",)
NUMERIC_CELL = re.compile(r"^[-+\u2212]?[$€£¥]?\d[\d.,]*\s*%?[*†‡]*$")
HEADING_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class TableRows:
    """The heading lines and the rows of one table passage that the question names."""

    passage: ScoredPassage
    headings: tuple[str, ...]
    rows: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(TABLE_CELL_SEPARATOR)]


def _numeric(line: str) -> bool:
    return any(NUMERIC_CELL.match(c) for c in _cells(line)[1:])


def _names(text: str) -> set[str]:
    """The stems of a label's words that could be names: three letters or more."""
    return {stem(w) for w in WORD.findall(text) if w[0].isalpha() and len(w) >= 3}


def _heading_words(text: str) -> set[str]:
    return {
        w.casefold()
        for w in HEADING_WORD.findall(text)
        if len(w) >= 2 and w.casefold() not in STOPWORDS and not w.isdigit()
    }


def row_names(q: Question) -> set[str]:
    """The question's names that could label a row; without one no table is read."""
    return {k for k in q.keys if k.isalpha() and len(k) >= 3}


def named_rows(q: Question, table: ScoredPassage) -> TableRows | None:
    """The rows of `table` whose label names one of the question's names, if its columns fit.

    The columns fit when the question names a word of the heading lines (the lines
    above the first row with a number: `P | R | F1`) or asks for a count or an amount.
    """
    lines = [ln.strip() for ln in table.text.splitlines() if TABLE_CELL_SEPARATOR in ln]
    first = next((i for i, ln in enumerate(lines) if _numeric(ln)), None)
    names = row_names(q)
    if first is None or not names:
        return None
    headings = tuple(lines[:first][-MAX_HEADING_LINES:])
    rows = tuple(ln for ln in lines[first:] if _numeric(ln) and names & _names(_cells(ln)[0]))[
        :MAX_ROWS
    ]
    if not rows:
        return None
    columns = _heading_words(" ".join(headings)) & _heading_words(q.text)
    if not (columns or q.expects in ("count", "amount")):
        return None
    return TableRows(table, headings, rows)


def with_table_rows(answer: Answer, q: Question, tables: list[ScoredPassage]) -> Answer:
    """The answer with the rows the question names of the best tables, as cited paragraphs.

    Only tables of papers the answer already cites are read: a table is evidence for a
    number, not for which paper answers.
    """
    cited = {c.paper_id for c in answer.citations}
    found = [
        rows
        for rows in (named_rows(q, t) for t in tables[:MAX_TABLES] if t.paper_id in cited)
        if rows is not None
    ]
    if not found:
        return answer
    citations = list(answer.citations)
    paragraphs = [answer.answer]
    for rows in found:
        citation = to_citation(len(citations) + 1, rows.passage)
        citations.append(citation)
        lines = "\n".join(f"{ln} [{citation.n}]" for ln in (*rows.headings, *rows.rows))
        paragraphs.append(f"{wording.ACCORDING_TO} {short_reference(citation)}:\n{lines}")
    return answer.model_copy(update={"answer": "\n\n".join(paragraphs), "citations": citations})
