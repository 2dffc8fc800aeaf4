"""`Pipeline.ask`: validate, retrieve, decide whether to answer, answer with citations."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rag.answer import Answer
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import InvalidInputError
from rag.extractive import compose, pick_sentences, to_citation
from rag.question import analyse
from rag.refusal import judge_evidence
from rag.retrieval import HybridRetriever, ScoredPassage
from rag.settings import Settings, get_settings
from rag.snapshot import IndexSnapshot
from rag.store import ChunkStore

MAX_QUESTION_CHARS = 2000
# A question about "both papers" gets this many passages from each paper the first
# retrieval missed, for at most this many papers.
PER_PAPER_K = 2
MAX_PAPERS_COMPARED = 4


class Pipeline:
    """Built once per process from settings; `ask` is safe to call from many threads."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: ChunkStore | None = None,
        embedder: SentenceTransformerEmbedder | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or ChunkStore.open(self.settings)
        self.retriever = HybridRetriever(self.store, embedder or make_embedder(self.settings))

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        papers: Sequence[str] | None = None,
        top_k: int = 5,
    ) -> Answer:
        """Answer from the papers, or say plainly that they do not contain the answer.

        Raises:
            InvalidInputError: a bad question, `top_k` or paper id, naming the field.
            NoIndexError: nothing has been ingested yet.
        """
        began = time.perf_counter()
        snapshot = self.retriever.snapshots.current()
        text = self._validate(question, papers, top_k, snapshot)
        q = analyse(f"{history[-1]} {text}" if history else text, snapshot.papers)
        scope = papers or (None if q.wants_both else q.papers) or None
        passages = self.retriever.retrieve(q.text, top_k=top_k, papers=scope, snapshot=snapshot)
        if q.wants_both and not scope:
            passages += self._from_missing_papers(q.text, passages, snapshot)
        retrieved = time.perf_counter()
        picks, passages = pick_sentences(q, passages, snapshot)
        verdict = judge_evidence(q, passages, [p.text for p in picks], snapshot)
        if verdict.answerable and picks:
            body, citations = compose(picks, passages)
            answer = Answer(answer=body, answered=True, citations=citations, backend="extractive")
        else:
            related = [to_citation(i + 1, p) for i, p in enumerate(passages[:3])]
            answer = Answer(
                answer=f"The papers do not contain the answer to this question: {verdict.reason}. "
                "The closest passages are listed below.",
                answered=False,
                related=related,
                backend="extractive",
            )
        done = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((retrieved - began) * 1000, 1),
            "answer": round((done - retrieved) * 1000, 1),
            "total": round((done - began) * 1000, 1),
        }
        return answer

    def _from_missing_papers(
        self, query: str, passages: list[ScoredPassage], snapshot: IndexSnapshot
    ) -> list[ScoredPassage]:
        """For a question about every paper, the best passages of papers not yet retrieved."""
        missing = [pid for pid in snapshot.papers if pid not in {p.paper_id for p in passages}]
        extra: list[ScoredPassage] = []
        for pid in missing[:MAX_PAPERS_COMPARED]:
            extra += self.retriever.retrieve(
                query, top_k=PER_PAPER_K, papers=[pid], snapshot=snapshot
            )
        return extra

    def _validate(
        self, question: str, papers: Sequence[str] | None, top_k: int, snapshot: IndexSnapshot
    ) -> str:
        text = question.strip()
        if not text:
            raise InvalidInputError("question", "must not be empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise InvalidInputError("question", f"longer than {MAX_QUESTION_CHARS} characters")
        if not 1 <= top_k <= 20:
            raise InvalidInputError("top_k", "must be between 1 and 20")
        unknown = sorted(set(papers or ()) - set(snapshot.papers))
        if unknown:
            raise InvalidInputError("papers", f"unknown paper id(s): {', '.join(unknown)}")
        return text
