"""One consistent, cached view of the index per query: papers, chunks, BM25 and term counts.

One cheap read of the registry's generation token is the only store round trip a query
pays to learn whether anything changed (every write changes it); only then is the
registry read, and the BM25 index, the corpus term statistics, the words that name each
paper and the handle on the chunk collection are renewed only when the registry (its
collection's id, paper ids and content hashes) differs from the last one seen, and then
an embedded index another process wrote is read afresh from its folder. That keeps
every worker in step with ingests done by another process, in embedded and server mode.

When the change only added papers (a library growing one upload at a time), only the
new papers' chunks are read and added to the previous snapshot, so the first question
after an upload does not pay for reading the whole library again; a removed or replaced
paper has the index read whole.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import bm25s
import numpy as np
from chromadb.api.models.Collection import Collection
from langchain_core.documents import Document

from rag.bm25_index import BM25Index
from rag.errors import NoIndexError
from rag.paper_names import PaperMarks, paper_marks
from rag.shared_product import SharedProduct
from rag.store import ChunkStore
from rag.terms import content_terms, stemmer
from rag.types import PaperRecord

# bm25s sets its logger to DEBUG when imported; let it follow the application's level.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

Signature = tuple[str, tuple[tuple[str, str], ...]]
_NO_ROWS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class IndexSnapshot:
    """The registered papers and their active chunks, as of one registry read."""

    signature: Signature
    papers: dict[str, PaperRecord]
    chunks: Collection
    docs: list[Document] = field(default_factory=list)
    bm25: BM25Index = field(default_factory=BM25Index)
    doc_freq: Counter[str] = field(default_factory=Counter)

    following: dict[str, Document] = field(default_factory=dict)
    preceding: dict[str, Document] = field(default_factory=dict)
    by_id: dict[str, Document] = field(default_factory=dict)
    # Each doc's kind, in `docs` order, and each paper's rows there, so a search can
    # filter with array operations that do not compare every chunk's paper id.
    kinds: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))
    rows_by_paper: dict[str, np.ndarray] = field(default_factory=dict)
    # Live chunks by kind, and every chunk the collection held (live or not) at the read:
    # how deep an unfiltered dense search must go to find k live chunks of some kinds.
    kind_counts: Counter[str] = field(default_factory=Counter)
    stored: int = 0
    by_paper: dict[str, list[Document]] = field(default_factory=dict)
    marks: PaperMarks = field(default_factory=PaperMarks)
    # Every doc's vector (unit length, `docs` order) while the library holds at most
    # RAG_EXACT_SEARCH_MAX_CHUNKS chunks, so the dense search is exact; else None.
    vectors: np.ndarray | None = None

    # Masks by kinds asked for, made on first use (a few sets of kinds are ever asked).
    kind_masks: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    @cached_property
    def product(self) -> SharedProduct | None:
        """The exact search's products with `vectors`, concurrent questions' taken together."""
        return None if self.vectors is None else SharedProduct(self.vectors)

    def mask(self, kinds: Sequence[str], papers: Sequence[str] | None) -> np.ndarray:
        """Which docs are of these kinds (and, when given, of these papers); read-only."""
        keep = self.kind_masks.get(tuple(kinds))
        if keep is None:
            keep = self.kind_masks.setdefault(tuple(kinds), np.isin(self.kinds, list(kinds)))
        if not papers:
            return keep
        scoped = np.zeros(len(keep), dtype=bool)
        for pid in papers:
            scoped[self.rows_by_paper.get(pid, _NO_ROWS)] = True
        return keep & scoped

    def live(self, kinds: Sequence[str]) -> int:
        """How many live chunks are of these kinds."""
        return sum(self.kind_counts.get(k, 0) for k in kinds)

    def chunk_ids(self, papers: Sequence[str], kinds: Sequence[str]) -> list[str]:
        """Ids of the live chunks of these papers and kinds: all a scoped search may find."""
        return [
            d.metadata["chunk_id"]
            for pid in papers
            for d in self.by_paper.get(pid, ())
            if d.metadata.get("kind", "body") in kinds
        ]

    def idf(self, term: str) -> float:
        """How rare a term stem is across chunks: rare names outweigh common words."""
        n = max(len(self.docs), 1)
        return float(1.0 + (n / (1 + self.doc_freq.get(term, 0))) ** 0.5)

    def knows(self, term: str) -> bool:
        """Whether the term stem occurs anywhere in the indexed papers."""
        return term in self.doc_freq


def bm25_tokens(texts: list[str]) -> list[list[str]]:
    """Stemmed, stopword-free tokens; the same for indexing and for queries."""
    tokens: list[list[str]] = bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False
    )
    return tokens


def _signature(registry_id: str, papers: dict[str, PaperRecord]) -> Signature:
    return registry_id, tuple(sorted((pid, rec.content_hash) for pid, rec in papers.items()))


def _build(
    store: ChunkStore, signature: Signature, papers: dict[str, PaperRecord]
) -> IndexSnapshot:
    hashes = {rec.content_hash for rec in papers.values()}
    stored = store.read_chunks()
    docs = [
        Document(page_content=text, metadata={**md, "chunk_id": cid})
        for cid, text, md in stored
        if md.get("content_hash") in hashes
    ]
    return _grown(None, signature, papers, store.chunks, docs, len(stored), _vectors(store, docs))


def _added(
    store: ChunkStore, base: IndexSnapshot, signature: Signature, papers: dict[str, PaperRecord]
) -> IndexSnapshot | None:
    """`base` with the papers the registry gained since; None unless it only gained some.

    A registry of another collection (a reset), or one that lost or replaced a paper
    version `base` holds, needs the whole index read; so does one that more than doubled.
    """
    if signature[0] != base.signature[0] or not set(base.signature[1]) <= set(signature[1]):
        return None
    new = {pid: rec for pid, rec in papers.items() if pid not in base.papers}
    if len(new) > len(base.papers):
        return None
    chunks = store.chunks
    docs = [
        Document(page_content=text, metadata={**md, "chunk_id": cid})
        for cid, text, md in store.read_versions([rec.content_hash for rec in new.values()])
    ]
    vectors = _grown_vectors(store, base, docs)
    return _grown(base, signature, papers, chunks, docs, chunks.count(), vectors)


def _vectors(store: ChunkStore, docs: list[Document]) -> np.ndarray | None:
    """Every doc's vector while the library is small enough to search exactly, else None."""
    if not docs or len(docs) > store.settings.exact_search_max_chunks:
        return None
    return store.read_vectors([d.metadata["chunk_id"] for d in docs])


def _grown_vectors(
    store: ChunkStore, base: IndexSnapshot, new: list[Document]
) -> np.ndarray | None:
    """`base`'s vectors, then `new`'s: only the new chunks' are read."""
    if base.vectors is None or not new:
        return base.vectors
    if len(base.docs) + len(new) > store.settings.exact_search_max_chunks:
        return None
    rows = store.read_vectors([d.metadata["chunk_id"] for d in new])
    return None if rows is None else np.vstack([base.vectors, rows])


def _grown(
    base: IndexSnapshot | None,
    signature: Signature,
    papers: dict[str, PaperRecord],
    chunks: Collection,
    new: list[Document],
    stored: int,
    vectors: np.ndarray | None,
) -> IndexSnapshot:
    """A snapshot of `base`'s chunks (none without one) and `new`, of papers `base` lacks.

    `vectors` are all of its docs' rows, in order; None has the graph searched.
    """
    before = base or IndexSnapshot(signature, {}, chunks)
    docs = [*before.docs, *new]
    doc_freq = Counter(before.doc_freq)
    for d in new:
        doc_freq.update(content_terms(d.page_content))
    following, preceding = _neighbours(new)
    kinds = np.concatenate(
        [before.kinds, np.array([d.metadata.get("kind", "body") for d in new], dtype=object)]
    )
    rows: dict[str, list[int]] = {}
    for row, d in enumerate(new, start=len(before.docs)):
        rows.setdefault(d.metadata["paper_id"], []).append(row)
    rows_by_paper = dict(before.rows_by_paper)
    for pid, added in rows.items():
        rows_by_paper[pid] = np.concatenate([rows_by_paper.get(pid, _NO_ROWS), added])
    by_paper = dict(before.by_paper)
    for d in new:
        by_paper.setdefault(d.metadata["paper_id"], []).append(d)
    return IndexSnapshot(
        signature,
        papers,
        chunks,
        docs,
        before.bm25.added(bm25_tokens([d.page_content for d in new])),
        doc_freq,
        {**before.following, **following},
        {**before.preceding, **preceding},
        {**before.by_id, **{d.metadata["chunk_id"]: d for d in new}},
        kinds,
        rows_by_paper,
        Counter(kinds.tolist()),
        stored,
        by_paper,
        paper_marks(papers),
        vectors,
    )


def _neighbours(docs: list[Document]) -> tuple[dict[str, Document], dict[str, Document]]:
    """Each chunk's next and previous chunk of the same paper and kind, in reading order."""
    runs: dict[tuple[str, str], list[Document]] = {}
    for d in docs:
        runs.setdefault((d.metadata["paper_id"], d.metadata.get("kind", "body")), []).append(d)
    following: dict[str, Document] = {}
    preceding: dict[str, Document] = {}
    for run in runs.values():
        run.sort(key=lambda d: int(d.metadata.get("ordinal", 0)))
        for here, nxt in itertools.pairwise(run):
            following[here.metadata["chunk_id"]] = nxt
            preceding[nxt.metadata["chunk_id"]] = here
    return following, preceding


class SnapshotCache:
    """Hands out the current snapshot, rebuilding it only when the registry changed."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._current: IndexSnapshot | None = None
        self._generation = ""

    def current(self) -> IndexSnapshot:
        """Read the registry once; reuse the cached snapshot when nothing changed.

        Raises:
            NoIndexError: nothing has been ingested under this index yet.
        """
        generation = self.store.generation()
        with self._lock:
            if self._current is not None and generation and generation == self._generation:
                return self._current
        registry_id, papers = self.store.read_registry()
        if not papers:
            raise NoIndexError(self.store.index_name)
        signature = _signature(registry_id, papers)
        with self._lock:
            if self._current is None or self._current.signature != signature:
                # The change may be another process's: read its vectors, not a stale copy.
                if generation != self.store.written:
                    self.store.refresh()
                grown = None
                if self._current is not None:
                    grown = _added(self.store, self._current, signature, papers)
                self._current = grown or _build(self.store, signature, papers)
            self._generation = generation
            return self._current

    def forget(self) -> None:
        """Drop the cached snapshot: the next `current` reads the whole index again."""
        with self._lock:
            self._current = None
            self._generation = ""
