"""The refusal's checks on what the evidence must name."""

from __future__ import annotations

from typing import cast

from rag.answering.question import analyse
from rag.answering.refusal import judge_evidence
from rag.paper_names import paper_marks
from rag.snapshot import IndexSnapshot
from rag.types import PaperMeta, PaperRecord, ScoredPassage

TITLE = "Beyond Summarization: Designing AI Support for Expository Writing"
MARKS = paper_marks(
    {
        pid: PaperRecord(meta=PaperMeta(id=pid, title=t), content_hash=pid, chunk_count=1, pages=1)
        for pid, t in {"b": TITLE, "o": "Other Work: A Survey of Parsers"}.items()
    }
)


class _Knows:
    def knows(self, term: str) -> bool:
        return True


def passage(paper: str) -> ScoredPassage:
    text = "We characterize expository writing as evidence-based and knowledge-generating."
    return ScoredPassage(
        chunk_id=paper, paper_id=paper, title="T", page=1, page_end=1, text=text, dense=0.8
    )


def test_a_passage_of_the_paper_named_by_its_short_name_need_not_say_the_name() -> None:
    q = analyse("How do the Beyond Summarization authors characterize expository writing?", MARKS)
    assert q.papers == ("b",)
    snapshot = cast(IndexSnapshot, _Knows())
    assert judge_evidence(q, [passage("b")], [passage("b").text], snapshot).answerable
    other = judge_evidence(q, [passage("o")], [passage("o").text], snapshot)
    assert not other.answerable and "Beyond" in other.reason
