"""The passage brought in for a question's numbers and names that the kept passages lack."""

from __future__ import annotations

from rag.answering.key_evidence import naming_missing_keys, naming_missing_keys_in_each_paper
from rag.answering.question import analyse
from rag.paper_names import PaperMarks
from rag.types import ScoredPassage


def passage(cid: str, text: str, paper: str = "p") -> ScoredPassage:
    return ScoredPassage(chunk_id=cid, paper_id=paper, title="T", page=1, page_end=1, text=text)


KEPT = [passage("a", "Participants used the reader's features throughout the study.")]
RANKING = [
    *KEPT,
    passage("b", "A summary written by a language model for each section."),
    passage("c", "Gists are generated with GPT-3 from each paragraph's first sentence."),
    passage("d", "GPT-3 and GPT-4 both write the summaries of version 3."),
]


def test_the_best_ranked_passage_naming_the_missing_key_joins() -> None:
    q = analyse("How does the reader use GPT-3?", PaperMarks())
    assert [p.chunk_id for p in naming_missing_keys(q, KEPT, RANKING)] == ["c"]


def test_nothing_joins_when_the_kept_passages_name_every_key() -> None:
    q = analyse("How did participants use the features?", PaperMarks())
    assert naming_missing_keys(q, KEPT, RANKING) == []
    named = analyse("How does the reader use GPT-3?", PaperMarks())
    assert naming_missing_keys(named, RANKING[2:3], RANKING) == []


def test_the_passage_holding_more_of_the_missing_keys_wins_over_a_better_ranked_one() -> None:
    q = analyse("Does GPT-4 write the summaries?", PaperMarks())
    assert [p.chunk_id for p in naming_missing_keys(q, KEPT, RANKING)] == ["d"]
    unnamed = analyse("Does Claude write them?", PaperMarks())
    assert naming_missing_keys(unnamed, KEPT, RANKING) == []


def test_across_papers_each_paper_gets_its_own_passage_naming_the_key() -> None:
    q = analyse("How do the two tools each use GPT-3?", PaperMarks())
    kept = [passage("a", "The reader shows gists.", "r"), passage("t", "GPT-3 answers.", "t")]
    ranking = [
        passage("t2", "GPT-3 again in the toolkit.", "t"),
        passage("r2", "The reader's gists come from GPT-3.", "r"),
    ]
    assert [p.chunk_id for p in naming_missing_keys(q, kept, ranking)] == []
    assert [p.chunk_id for p in naming_missing_keys_in_each_paper(q, kept, ranking)] == ["r2"]
