"""Rows of a results table quoted for the question that names their row and column."""

from __future__ import annotations

from eval.faithfulness import cited_sentences, judge_sentence
from rag.answering.composition import to_citation
from rag.answering.question import analyse
from rag.answering.table_rows import named_rows, with_table_rows
from rag.paper_names import paper_marks
from rag.types import Answer, ScoredPassage

TABLE = "\n".join(
    [
        "P | R | F1 | P | R | F1",
        "Grobidcrf | 40.6 | 38.3 | 39.1 | 81.2 | 76.7 | 78.9",
        "RoBERTa | 75.9 | 80.0 | 76.8 | 82.6 | 83.9 | 83.2",
        "I-VILA | 92.0 | 94.1 | 92.7 | 92.2 | 95.2 | 93.7",
    ]
)
NO_MARKS = paper_marks({})


def passage(cid: str, paper: str, text: str, kind: str = "body") -> ScoredPassage:
    return ScoredPassage(
        chunk_id=cid, paper_id=paper, title="A Toolkit", page=5, page_end=5, kind=kind, text=text
    )


def answer_citing(paper: str) -> Answer:
    body = passage("b1", paper, "We compare I-VILA with RoBERTa.")
    return Answer(
        answer="According to A Toolkit (p. 5): We compare I-VILA with RoBERTa. [1]",
        answered=True,
        citations=[to_citation(1, body)],
        backend="extractive",
    )


def test_the_rows_a_question_names_come_with_the_heading_it_names() -> None:
    q = analyse("What F1 does I-VILA reach, compared with RoBERTa?", NO_MARKS)
    rows = named_rows(q, passage("t1", "p", TABLE, "table"))
    assert rows is not None
    assert rows.headings == ("P | R | F1 | P | R | F1",)
    assert rows.rows == (
        "RoBERTa | 75.9 | 80.0 | 76.8 | 82.6 | 83.9 | 83.2",
        "I-VILA | 92.0 | 94.1 | 92.7 | 92.2 | 95.2 | 93.7",
    )


def test_no_rows_without_a_named_row_or_a_named_column() -> None:
    table = passage("t1", "p", TABLE, "table")
    assert named_rows(analyse("What F1 does LayoutLM reach?", NO_MARKS), table) is None
    assert named_rows(analyse("What is RoBERTa used for?", NO_MARKS), table) is None
    # A count or an amount asked for is a column enough.
    assert named_rows(analyse("How much does RoBERTa score?", NO_MARKS), table) is not None
    words = passage("t2", "p", "Use case | Description\nRoBERTa | a language model", "table")
    assert named_rows(analyse("What F1 does RoBERTa reach?", NO_MARKS), words) is None


def test_rows_are_cited_to_their_table_and_judged_copied() -> None:
    q = analyse("What F1 does I-VILA reach?", NO_MARKS)
    table = passage("t1", "p", TABLE, "table")
    answer = with_table_rows(answer_citing("p"), q, [table])
    assert [c.chunk_id for c in answer.citations] == ["b1", "t1"]
    tail = answer.answer.split("\n\n")[1]
    assert tail.splitlines()[1:] == [
        "P | R | F1 | P | R | F1 [2]",
        "I-VILA | 92.0 | 94.1 | 92.7 | 92.2 | 95.2 | 93.7 [2]",
    ]
    texts = {c.n: c.text for c in answer.citations}
    for sentence, marks in cited_sentences(answer.answer):
        assert judge_sentence(sentence, [texts[n] for n in marks]).supported, sentence
    # A row with its label swapped is no copy, and the judge says so.
    swapped = "RoBERTa | 92.0 | 94.1 | 92.7 | 92.2 | 95.2 | 93.7"
    assert not judge_sentence(swapped, [TABLE]).supported


def test_a_table_of_a_paper_the_answer_does_not_cite_is_not_read() -> None:
    q = analyse("What F1 does I-VILA reach?", NO_MARKS)
    answer = answer_citing("p")
    assert with_table_rows(answer, q, [passage("t1", "other", TABLE, "table")]) == answer
