"""`Pipeline.ask`: validate, retrieve, decide whether to answer, answer with citations."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from rag import index_check, wording
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import BackendError, BackendTimeoutError, InvalidInputError
from rag.extractive import EXTRACTIVE, compose, pick_sentences, to_citation
from rag.follow_up import is_follow_up, with_context
from rag.grounding import ground
from rag.index_check import IndexCheck
from rag.llm import ChatBackend, load_backend
from rag.models import PaperRecord
from rag.paper_facts import answer_fact, asked_fact, title_block
from rag.question import Question, analyse
from rag.refusal import judge_evidence
from rag.retrieval import HybridRetriever, as_passage
from rag.settings import Settings, get_settings
from rag.snapshot import IndexSnapshot
from rag.store import ChunkStore
from rag.types import (
    ANSWER_KINDS,
    CHUNK_KINDS,
    Answer,
    PassageInContext,
    Retrieved,
    ScoredPassage,
    Turn,
)

log = logging.getLogger(__name__)

# The bounds of a request, checked in `_validate` and declared from here in the API schemas.
MAX_QUESTION_CHARS = 2000
MIN_TOP_K, MAX_TOP_K = 1, 20
MAX_HISTORY_TURNS = 20
# A question about "both papers" gets this many passages from each paper the first
# retrieval missed, for at most this many papers.
PER_PAPER_K = 2
MAX_PAPERS_COMPARED = 4

T = TypeVar("T")
History = Sequence[Turn | str]


class Pipeline:
    """Built once per process from settings; `ask` is safe to call from many threads."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: ChunkStore | None = None,
        embedder: SentenceTransformerEmbedder | None = None,
        llm: ChatBackend | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or ChunkStore.open(self.settings)
        self.retriever = HybridRetriever(
            self.store,
            embedder or make_embedder(self.settings),
            min_ratio=self.settings.min_similarity_ratio,
        )
        self.llm = llm or load_backend(self.settings)
        self._calls = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    @property
    def backend(self) -> str:
        """Name of the backend that answers when nothing goes wrong."""
        return self.llm.name if self.llm else EXTRACTIVE

    def warm_up(self) -> None:
        """Load the embedding model now, so that the first question does not wait for it."""
        self.retriever.embedder.embed_query("warm up")

    def ask(
        self,
        question: str,
        history: History | None = None,
        papers: Sequence[str] | None = None,
        top_k: int = 5,
    ) -> Answer:
        """Answer from the papers, or say plainly that they do not contain the answer.

        Raises:
            InvalidInputError: a bad question, history, `top_k` or paper id, naming the field.
            NoIndexError: nothing has been ingested yet.
        """
        began = time.perf_counter()
        snapshot = self.view()
        text = self._validate(question, papers, top_k, snapshot)
        turns = _turns(history)
        fallback: list[str] = []
        standalone = self._standalone(text, turns, fallback)
        q = analyse(standalone, snapshot.marks)
        if papers:
            scope: Sequence[str] | None = papers
        elif q.wants_both:
            scope = q.papers if len(q.papers) > 1 else None
        else:
            scope = q.papers or None
        fact = self._paper_fact(q, scope, snapshot)
        if fact is not None:
            answer, passages = fact
            retrieved = time.perf_counter()
        else:
            passages = self.retriever.retrieve(q.text, top_k=top_k, papers=scope, snapshot=snapshot)
            if q.wants_both:
                passages += self._from_missing_papers(q.text, passages, snapshot, scope)
            retrieved = time.perf_counter()
            answer = self._from_passages(q, standalone, passages, snapshot, fallback)
        answer.retrieved = [ranked(i, p) for i, p in enumerate(passages, start=1)]
        if fallback:
            answer.fallback_reason = wording.FALLBACK_SEPARATOR.join(fallback)
        done = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((retrieved - began) * 1000, 1),
            "answer": round((done - retrieved) * 1000, 1),
            "total": round((done - began) * 1000, 1),
        }
        return answer

    def _standalone(self, text: str, turns: list[Turn], fallback: list[str]) -> str:
        """The question to retrieve for: itself if it stands alone, else condensed or led.

        Whether it stands alone comes from the question itself (`rag/follow_up.py`), not
        from there being history: the chat page and `/v1` clients always send some.
        """
        if not (turns and is_follow_up(text)):
            return text
        if self.llm:
            llm = self.llm
            try:
                return self._in_time(lambda: llm.condense(text, turns))
            except BackendError as exc:
                fallback.append(wording.HISTORY_NOT_CONDENSED.format(reason=self._why_not(exc)))
        return with_context(text, turns)

    def _generate(
        self,
        llm: ChatBackend,
        question: str,
        passages: list[ScoredPassage],
        extractive: Answer,
        fallback: list[str],
    ) -> Answer:
        """The LLM's checked answer, or the extractive one with the reason it was not used."""
        try:
            raw = self._in_time(lambda: llm.answer(question, passages))
        except BackendError as exc:
            fallback.append(self._why_not(exc))
            return extractive
        if raw is None:
            fallback.append(wording.BACKEND_FOUND_NO_ANSWER.format(backend=llm.name))
            return extractive
        strict = self.settings.grounding == "strict"
        checked = ground(raw, [p.text for p in passages], strict=strict)
        if not checked.text:
            fallback.append(wording.BACKEND_UNSUPPORTED.format(backend=llm.name))
            extractive.unsupported = checked.unsupported
            return extractive
        citations = [to_citation(i, passages[n - 1]) for i, n in enumerate(checked.cited, start=1)]
        return Answer(
            answer=checked.text,
            answered=True,
            citations=citations,
            unsupported=checked.unsupported,
            backend=llm.name,
        )

    def _in_time(self, call: Callable[[], T]) -> T:
        """Run an LLM call, giving up after the configured timeout."""
        future = self._calls.submit(call)
        try:
            return future.result(timeout=self.settings.llm_timeout_s)
        except FutureTimeout as exc:
            future.cancel()
            raise BackendTimeoutError(
                f"{self.backend} backend gave no answer within {self.settings.llm_timeout_s:g} s"
            ) from exc

    def _why_not(self, exc: BackendError) -> str:
        """Why the backend was not used, in a fixed phrase; the error's own text is logged.

        A backend's error can hold a server's reply or a path, not for the user to read.
        """
        log.warning("the %s backend was not used: %s", self.backend, exc)
        if isinstance(exc, BackendTimeoutError):
            seconds = self.settings.llm_timeout_s
            return wording.BACKEND_TIMED_OUT.format(backend=self.backend, seconds=seconds)
        return wording.BACKEND_FAILED.format(backend=self.backend)

    def _from_passages(
        self,
        q: Question,
        standalone: str,
        passages: list[ScoredPassage],
        snapshot: IndexSnapshot,
        fallback: list[str],
    ) -> Answer:
        """The answer the retrieved passages hold, or a refusal saying why they hold none."""
        picks, extended = pick_sentences(q, passages, snapshot)
        verdict = judge_evidence(q, passages, [p.text for p in picks], snapshot)
        if not (verdict.answerable and picks):
            return refusal(verdict.reason or wording.NO_ANSWERING_SENTENCE, passages)
        body, citations = compose(picks, extended)
        answer = Answer(answer=body, answered=True, citations=citations, backend=EXTRACTIVE)
        if self.llm:
            answer = self._generate(self.llm, standalone, passages, answer, fallback)
        return answer

    def _paper_fact(
        self, q: Question, scope: Sequence[str] | None, snapshot: IndexSnapshot
    ) -> tuple[Answer, list[ScoredPassage]] | None:
        """A question about one paper's authors, year or venue, answered from its metadata.

        The paper is the one the question (or its scope) names: "Who wrote <a work the
        paper cites>?" names no indexed paper, and is answered from the passages. The
        citation is the paper's title block, or its first passage where ingest kept none.
        """
        fact = asked_fact(q.text)
        named = list(scope or ())
        if fact is None or len(named) != 1:
            return None
        passages = [as_passage(doc) for doc in title_block(snapshot, named[0])]
        if not passages:
            return None
        told = answer_fact(fact, snapshot.papers[named[0]].meta)
        if told.sentence is None:
            return refusal(told.missing or "", passages), passages
        cited = [to_citation(n, p) for n, p in enumerate(passages, start=1)]
        marks = ", ".join(str(c.n) for c in cited)
        answer = Answer(
            answer=f"{told.sentence} [{marks}]", answered=True, citations=cited, backend=EXTRACTIVE
        )
        return answer, passages

    def _from_missing_papers(
        self,
        query: str,
        passages: list[ScoredPassage],
        snapshot: IndexSnapshot,
        compared: Sequence[str] | None,
    ) -> list[ScoredPassage]:
        """The best passages of the papers compared (else of every paper) not yet retrieved."""
        found = {p.paper_id for p in passages}
        missing = [pid for pid in compared or snapshot.papers if pid not in found]
        extra: list[ScoredPassage] = []
        for pid in missing[:MAX_PAPERS_COMPARED]:
            extra += self.retriever.retrieve(
                query, top_k=PER_PAPER_K, papers=[pid], snapshot=snapshot
            )
        return extra

    def search(
        self,
        query: str,
        papers: Sequence[str] | None = None,
        top_k: int = 5,
        kinds: Sequence[str] = ANSWER_KINDS,
    ) -> list[ScoredPassage]:
        """The passages best matching `query`, of the given kinds, without answering.

        Answers only ever draw on `ANSWER_KINDS`; this is how a caller reaches the rest
        (`references`, `table`, `front`), e.g. to find where a work is cited.

        Raises:
            InvalidInputError: a bad query, `top_k`, paper id or kind, naming the field.
            NoIndexError: nothing has been ingested yet.
        """
        snapshot = self.view()
        text = self._validate(query, papers, top_k, snapshot, field="query")
        unknown = sorted(set(kinds) - set(CHUNK_KINDS))
        if unknown or not kinds:
            raise InvalidInputError(
                "kinds", f"must be some of {', '.join(CHUNK_KINDS)}, not {unknown or 'none'}"
            )
        return self.retriever.retrieve(
            text, top_k=top_k, papers=papers, snapshot=snapshot, kinds=kinds
        )

    def view(self) -> IndexSnapshot:
        """The index as of now (papers, chunks, their neighbours), read once per change.

        Raises `NoIndexError` when nothing has been ingested yet.
        """
        return self.retriever.snapshots.current()

    def papers(self) -> dict[str, PaperRecord]:
        """Every indexed paper by id."""
        return self.view().papers

    def paper(self, paper_id: str) -> PaperRecord | None:
        """The indexed paper with this id, if there is one."""
        return self.view().papers.get(paper_id)

    def passage(self, chunk_id: str) -> PassageInContext | None:
        """The stored passage with this id, its paper and the passages either side of it."""
        snapshot = self.view()
        doc = snapshot.by_id.get(chunk_id)
        if doc is None:
            return None
        before, after = snapshot.preceding.get(chunk_id), snapshot.following.get(chunk_id)
        return PassageInContext(
            passage=as_passage(doc),
            paper=snapshot.papers.get(str(doc.metadata.get("paper_id"))),
            before=before.page_content if before else None,
            after=after.page_content if after else None,
        )

    def probe(self) -> None:
        """Query the index once as an ask would; raises `ChromaError` when it cannot answer."""
        index_check.probe(self.store, self.view().papers)

    def self_check(self) -> IndexCheck:
        """Whether sampled live chunks are found by their own vector (RAG_SELF_CHECK_SAMPLE)."""
        return index_check.self_check(
            self.store, self.view().papers, self.settings.self_check_sample
        )

    def validate(self, question: str, papers: Sequence[str] | None = None, top_k: int = 5) -> str:
        """Check a request before answering it (for callers that must fail early, like streams).

        Raises:
            InvalidInputError: naming the bad field.
            NoIndexError: nothing has been ingested yet.
        """
        return self._validate(question, papers, top_k, self.view())

    def _validate(
        self,
        question: str,
        papers: Sequence[str] | None,
        top_k: int,
        snapshot: IndexSnapshot,
        field: str = "question",
    ) -> str:
        text = question.strip()
        if not text:
            raise InvalidInputError(field, "must not be empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise InvalidInputError(field, f"longer than {MAX_QUESTION_CHARS} characters")
        if not MIN_TOP_K <= top_k <= MAX_TOP_K:
            raise InvalidInputError("top_k", f"must be between {MIN_TOP_K} and {MAX_TOP_K}")
        unknown = sorted(set(papers or ()) - set(snapshot.papers))
        if unknown:
            raise InvalidInputError("papers", f"unknown paper id(s): {', '.join(unknown)}")
        return text


def refusal(reason: str, passages: list[ScoredPassage]) -> Answer:
    """The plain statement that the papers do not answer, with the closest passages."""
    return Answer(
        answer=wording.REFUSAL.format(reason=reason),
        answered=False,
        related=[to_citation(i + 1, p) for i, p in enumerate(passages[:3])],
        backend=EXTRACTIVE,
    )


def offered_backends(settings: Settings) -> list[str]:
    """The extractive backend and the configured one: those a client may choose between."""
    return sorted({EXTRACTIVE, settings.backend})


def ranked(rank: int, p: ScoredPassage) -> Retrieved:
    """A retrieved passage with its rank, as answers and passage searches report it."""
    return Retrieved(rank=rank, **p.model_dump(include=set(Retrieved.model_fields) - {"rank"}))


def _turns(history: History | None) -> list[Turn]:
    """Earlier turns as `Turn`s (a bare string is a user turn), the most recent kept."""
    if history is None:
        return []
    if isinstance(history, str):
        raise InvalidInputError("history", "must be a list of turns, not a string")
    turns = [Turn(role="user", content=h) if isinstance(h, str) else h for h in history]
    return turns[-MAX_HISTORY_TURNS:]
