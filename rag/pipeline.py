"""`Pipeline.ask`: validate, retrieve, decide whether to answer, answer with citations."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rag.answer import Answer
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import InvalidInputError
from rag.extractive import compose, pick_sentences, to_citation
from rag.refusal import judge_evidence
from rag.retrieval import HybridRetriever
from rag.settings import Settings, get_settings
from rag.store import ChunkStore

MAX_QUESTION_CHARS = 2000


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
        """Answer from the papers, or say plainly that they do not contain the answer."""
        began = time.perf_counter()
        question = self._validate(question, papers, top_k)
        query = f"{history[-1]} {question}" if history else question
        passages = self.retriever.retrieve(query, top_k=top_k, papers=papers)
        retrieved = time.perf_counter()
        verdict = judge_evidence(question if not history else query, passages)
        if verdict.answerable:
            text, citations = compose(pick_sentences(question, passages), passages)
            answer = Answer(answer=text, answered=True, citations=citations, backend="extractive")
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

    def _validate(self, question: str, papers: Sequence[str] | None, top_k: int) -> str:
        text = question.strip()
        if not text:
            raise InvalidInputError("question", "must not be empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise InvalidInputError("question", f"longer than {MAX_QUESTION_CHARS} characters")
        if not 1 <= top_k <= 20:
            raise InvalidInputError("top_k", "must be between 1 and 20")
        if papers:
            unknown = sorted(set(papers) - set(self.store.papers()))
            if unknown:
                raise InvalidInputError("papers", f"unknown paper id(s): {', '.join(unknown)}")
        return text
