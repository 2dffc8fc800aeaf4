"""`Pipeline.ask`: validate, retrieve, decide whether to answer, answer with citations."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

from chromadb.errors import ChromaError

from rag import citations, index_check, wording
from rag.answering.composition import EXTRACTIVE, compose, refusal
from rag.answering.follow_up import is_follow_up, with_context
from rag.answering.generation import Generation
from rag.answering.key_evidence import naming_missing_keys, naming_missing_keys_in_each_paper
from rag.answering.paper_facts import fact_answer
from rag.answering.question import Question, analyse
from rag.answering.refusal import answering_papers, judge_evidence
from rag.answering.sentence_scoring import pick_sentences
from rag.answering.table_rows import MAX_TABLES, TABLE_KINDS, row_names, with_table_rows
from rag.answering.thresholds import MAX_PAPERS_COMPARED, PER_PAPER_K
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import (
    InvalidInputError,
    NoIndexError,
    PaperNotFoundError,
    ReadOnlyPipelineError,
)
from rag.llm import ChatBackend, load_backend
from rag.retrieval import HybridRetriever, Retrieval, as_passage
from rag.settings import Settings, get_settings
from rag.snapshot import IndexSnapshot
from rag.store import ChunkStore
from rag.types import (
    ANSWER_KINDS,
    CHUNK_KINDS,
    MAX_HISTORY_TURNS,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    MIN_TOP_K,
    Answer,
    CitationFormat,
    Health,
    PaperRecord,
    PassageInContext,
    Retrieved,
    ScoredPassage,
    Turn,
    Upload,
)

log = logging.getLogger(__name__)

History = Sequence[Turn | str]


class PaperWriter(Protocol):
    """What puts a paper into the corpus and the index, and takes one out.

    Reading a file into chunks is ingest's job, and the core imports no edge: a pipeline
    that takes uploads is handed ingest's writer (`ingest.library.LibraryWriter`) by
    whoever builds it, as the API does.
    """

    def add_paper(
        self,
        upload: Upload,
        settings: Settings,
        *,
        store: ChunkStore,
        embedder: SentenceTransformerEmbedder,
    ) -> str:
        """Check the upload, put it in the corpus and index it; the new paper's id."""
        ...

    def remove_paper(self, paper_id: str, settings: Settings, *, store: ChunkStore) -> int:
        """Take a paper out of the corpus and the index; how many chunks went."""
        ...


class Pipeline:
    """Built once per process from settings; `ask` is safe to call from many threads."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: ChunkStore | None = None,
        embedder: SentenceTransformerEmbedder | None = None,
        llm: ChatBackend | None = None,
        writer: PaperWriter | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.store = store or ChunkStore.open(self.settings)
        self.retriever = HybridRetriever(
            self.store,
            embedder or make_embedder(self.settings),
            min_ratio=self.settings.min_similarity_ratio,
        )
        self.llm = llm or load_backend(self.settings)
        self.generation = Generation(self.llm, self.settings) if self.llm else None
        self.writer = writer

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
        fact = fact_answer(q, scope, snapshot)
        if fact is not None:
            answer, passages = fact
            retrieved = time.perf_counter()
        else:
            found = self.retriever.retrieval(q.text, top_k=top_k, papers=scope, snapshot=snapshot)
            passages = found.passages
            if q.wants_both:
                passages += self._from_missing_papers(q, found, snapshot, scope)
                passages += naming_missing_keys_in_each_paper(q, passages, found.ranking)
            else:
                passages += naming_missing_keys(q, passages, found.ranking)
            retrieved = time.perf_counter()
            answer = self._from_passages(q, standalone, passages, snapshot, fallback)
            if answer.answered and row_names(q):
                answer = self._with_tables(q, answer, snapshot, found.vector)
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

        Whether it stands alone comes from the question itself (`rag/answering/follow_up.py`), not
        from there being history: the chat page and `/v1` clients always send some.
        """
        if not (turns and is_follow_up(text)):
            return text
        condensed = self.generation.condense(text, turns, fallback) if self.generation else None
        return condensed or with_context(text, turns)

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
        verdict, evidence = judge_evidence(q, passages, [p.text for p in picks], snapshot)
        if verdict.answerable and q.wants_both:
            picks = answering_papers(q, picks, extended, snapshot)
        if not (verdict.answerable and picks):
            answer = refusal(verdict.reason or wording.NO_ANSWERING_SENTENCE, passages)
        else:
            body, citations = compose(picks, extended)
            answer = Answer(answer=body, answered=True, citations=citations, backend=EXTRACTIVE)
            if self.generation:
                answer = self.generation.answer(standalone, passages, answer, fallback)
        answer.evidence = evidence
        return answer

    def _with_tables(
        self, q: Question, answer: Answer, snapshot: IndexSnapshot, vector: list[float]
    ) -> Answer:
        """The answer with the rows of the cited papers' best tables that the question names.

        Searched only where a cited paper has a table at all: most answers cite none, and
        each search is a second retrieval for the ask.
        """
        papers = list(dict.fromkeys(c.paper_id for c in answer.citations))
        if not snapshot.chunk_ids(papers, TABLE_KINDS):
            return answer
        tables = self.retriever.retrieval(
            q.text,
            top_k=MAX_TABLES,
            papers=papers,
            snapshot=snapshot,
            kinds=TABLE_KINDS,
            vector=vector,
        )
        return with_table_rows(answer, q, tables.passages)

    def _from_missing_papers(
        self,
        q: Question,
        found: Retrieval,
        snapshot: IndexSnapshot,
        compared: Sequence[str] | None,
    ) -> list[ScoredPassage]:
        """The best passages of the papers compared that `found` lacks, a search each.

        Unless the question names them, the papers compared are those the query's whole
        ranking reaches, best first: in a library of hundreds, "each paper" means the
        papers about the question, not the first few the registry lists. Each paper's
        passages name the question's numbers and names where that paper's ranking can.
        """
        have = {p.paper_id for p in found.passages}
        candidates = compared or list(dict.fromkeys(p.paper_id for p in found.ranking))
        missing = [pid for pid in candidates if pid not in have and pid in snapshot.papers]
        extra: list[ScoredPassage] = []
        for pid in missing[:MAX_PAPERS_COMPARED]:
            own = self.retriever.retrieval(
                q.text, top_k=PER_PAPER_K, papers=[pid], snapshot=snapshot, vector=found.vector
            )
            extra += own.passages + naming_missing_keys(q, own.passages, own.ranking)
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

    def cite(self, paper_id: str, fmt: CitationFormat = "bibtex") -> str:
        """An indexed paper's reference as BibTeX, RIS or CSL-JSON, for a reference manager.

        Raises `PaperNotFoundError` when no indexed paper has this id.
        """
        record = self.paper(paper_id)
        if record is None:
            raise PaperNotFoundError(paper_id)
        return citations.cite(record, fmt)

    def add_paper(self, upload: Upload) -> PaperRecord:
        """Check an uploaded paper, place it in the corpus and index it; its record.

        Raises:
            DocumentError: the file is of the wrong type, unreadable or has no text.
            DuplicatePaperError: the same file is already indexed.
            ReadOnlyPipelineError: this pipeline was built without a writer.
        """
        embedder = self.retriever.embedder
        added = self._writer().add_paper(upload, self.settings, store=self.store, embedder=embedder)
        return self.view().papers[added]

    def remove_paper(self, paper_id: str) -> int:
        """Remove a paper's file from the corpus and its chunks from the index; chunks removed.

        Raises:
            PaperNotFoundError: no indexed paper has this id.
            ReadOnlyPipelineError: this pipeline was built without a writer.
        """
        return self._writer().remove_paper(paper_id, self.settings, store=self.store)

    def _writer(self) -> PaperWriter:
        if self.writer is None:
            raise ReadOnlyPipelineError()
        return self.writer

    def health(self, deep: bool = False) -> Health:
        """Whether questions can be answered: the index read and queried once as an ask is.

        With `deep`, sampled chunks are also looked up by their own vector
        (RAG_SELF_CHECK_SAMPLE), which finds an approximate index that lost points.
        """
        try:
            snapshot = self.view()
        except NoIndexError:
            return Health(ready=False, status=wording.HEALTH_NO_INDEX)
        papers, chunks = len(snapshot.papers), len(snapshot.docs)
        try:
            index_check.probe(self.store, snapshot.papers)
        except ChromaError:
            log.exception("health: the index cannot answer a query")
            return Health(
                ready=False, status=wording.HEALTH_UNQUERYABLE, papers=papers, chunks=chunks
            )
        if not deep:
            return Health(ready=True, status=wording.HEALTH_OK, papers=papers, chunks=chunks)
        check = index_check.self_check(self.store, snapshot.papers, self.settings.self_check_sample)
        if check.ok:
            status = wording.HEALTH_OK
        elif check.error:
            log.error("health: index self-check failed: %s", check.error)
            status = wording.HEALTH_UNREADABLE
        else:
            status = wording.HEALTH_CHUNKS_MISSING.format(
                missing=len(check.missing), sampled=check.sampled
            )
        return Health(check.ok, status, papers=papers, chunks=chunks, check=check)

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
