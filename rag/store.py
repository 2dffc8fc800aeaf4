"""The Chroma index: chunks with their vectors, plus a registry of indexed papers.

A paper is written in three steps so that readers never see it half-indexed: its new
chunks go in under ids that carry the paper's content hash, then the registry flips to
that hash, then the old version's chunks are deleted. Readers only trust chunks whose
hash the registry names, and `reconcile` clears what a killed run left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import GetResult, Include
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from filelock import FileLock

from rag.errors import StoreUnavailableError
from rag.settings import Settings
from rag.types import Chunk, PaperMeta, PaperRecord

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool]
# The registry's metadata key that every write changes (see `ChunkStore.generation`).
GENERATION = "generation"


def make_client(settings: Settings) -> ClientAPI:
    """Embedded Chroma by default; a `chroma run` server when RAG_CHROMA_URL is set.

    An embedded client is always read afresh from its folder. Chroma keeps one system
    per folder per process, holding the HNSW graph in memory; it never sees vectors
    another process wrote, and a filtered query then names ids the graph lacks ("Error
    finding id"). Forgetting the cached system (Chroma offers no public call that does so
    without stopping it under queries still running on it) makes this client load the
    folder again; the old system lives on until the last query holding it ends.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise StoreUnavailableError(
                f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}",
                fix="start it with `chroma run` or unset RAG_CHROMA_URL",
            ) from exc
    path = settings.resolved_chroma_path
    path.mkdir(parents=True, exist_ok=True)
    with SharedSystemClient._refcount_lock:
        SharedSystemClient._identifier_to_system.pop(str(path), None)
        SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chunk_id(paper_id: str, content_hash: str, kind: str, text: str, occurrence: int) -> str:
    """Stable id from the paper, its version and the chunk's own content.

    The same file always yields the same ids (re-ingest changes nothing); a new version
    of a paper yields new ids, so it can be written beside the old one and swapped in.
    """
    key = "\x1f".join([paper_id, content_hash, kind, text, str(occurrence)])
    return f"{paper_id}:{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def chunk_metadata(chunk: Chunk, meta: PaperMeta, content_hash: str) -> Metadata:
    """Flat metadata Chroma can filter on; unknown fields are left out, never null."""
    out: Metadata = {
        "paper_id": chunk.paper_id,
        "title": meta.title,
        "authors": meta.authors_text,
        "page": chunk.page,
        "page_end": chunk.page_end,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind,
        "ordinal": chunk.ordinal,
        "content_hash": content_hash,
    }
    if meta.year is not None:
        out["year"] = meta.year
    if chunk.section:
        out["section"] = chunk.section
    if chunk.page_label:
        out["page_label"] = chunk.page_label
    return out


def as_vectors(rows: Sequence[Sequence[float]]) -> list[Sequence[float] | Sequence[int]]:
    """Vectors in the shape Chroma's type hints ask for."""
    return [list(r) for r in rows]


def _rows(page: GetResult) -> list[tuple[str, str, dict[str, Any]]]:
    """A read's chunks as (id, text, metadata); text "" where it was not asked for."""
    texts = page["documents"] or [""] * len(page["ids"])
    metadatas = page["metadatas"] or [{}] * len(page["ids"])
    return [
        (cid, text or "", dict(md or {}))
        for cid, text, md in zip(page["ids"], texts, metadatas, strict=True)
    ]


class ChunkStore:
    """Chunks and the paper registry of one index (one embedding model and chunking).

    In embedded mode several processes may share the folder (a server's workers, a
    `rag ingest` beside a server): their writes are taken one at a time through a lock
    file beside the folder, each writer first reads the index afresh so it never writes
    over another's work from a stale copy, and readers read it afresh once they see the
    registry change (`refresh`). A `chroma run` server does all that itself.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index_name = settings.index_name
        self.client = make_client(settings)
        self._batch = max(1, min(self.client.get_max_batch_size(), 1000))
        path = settings.resolved_chroma_path
        self._lock = None if settings.chroma_url else FileLock(f"{path}.lock")
        # The generation this process's last write left: its copy already holds it.
        self.written = ""

    @classmethod
    def open(cls, settings: Settings) -> ChunkStore:
        """The store the settings point at."""
        return cls(settings)

    @property
    def embedded(self) -> bool:
        """Whether the index is a folder this process opens itself (not a Chroma server)."""
        return self._lock is not None

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index for one writer across processes, on an up-to-date copy.

        The copy is read afresh only when another process wrote since this one's last
        write (the generation says so): reading the folder again costs in proportion to
        the index, and an ingest of a big library writes one paper after another.
        """
        if self._lock is None:
            yield
            return
        with self._lock:
            if not self.written or self.generation() != self.written:
                self.client = make_client(self.settings)
            yield

    def refresh(self) -> None:
        """Read the embedded index afresh (another process may have written it).

        Waits for a write in progress elsewhere, so a half-written index is never read.
        """
        if self._lock is None:
            return
        with self._lock:
            self.client = make_client(self.settings)

    @property
    def chunks(self) -> Collection:
        """Chunk collection, cosine space, vectors always supplied by us.

        The graph's degree and build depth are fixed when the collection is made (they
        are part of the index name); the search depth and how often the graph is saved
        follow the settings.
        """
        s = self.settings
        collection = self.client.get_or_create_collection(
            self.index_name,
            embedding_function=None,
            configuration={
                "hnsw": {
                    "space": "cosine",
                    "max_neighbors": s.hnsw_m,
                    "ef_construction": s.hnsw_ef_construction,
                    "ef_search": s.hnsw_ef_search,
                    "sync_threshold": s.hnsw_sync_threshold,
                }
            },
        )
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        wanted = (s.hnsw_ef_search, s.hnsw_sync_threshold)
        if (hnsw.get("ef_search"), hnsw.get("sync_threshold")) != wanted:
            collection.modify(
                configuration={
                    "hnsw": {"ef_search": s.hnsw_ef_search, "sync_threshold": s.hnsw_sync_threshold}
                }
            )
        return collection

    @property
    def registry(self) -> Collection:
        """One record per indexed paper; its one-number vector is a placeholder."""
        return self.client.get_or_create_collection(
            f"{self.index_name}-papers", embedding_function=None
        )

    def generation(self) -> str:
        """A token that changes with every change of the registry: one cheap read.

        It is the registry collection's id (new after a reset) and a number every write
        sets in its metadata, so a reader learns whether anything changed without
        reading every paper's record; "" before any ingest.
        """
        try:
            registry = self.client.get_collection(f"{self.index_name}-papers")
        except NotFoundError:
            return ""
        return f"{registry.id}:{(registry.metadata or {}).get(GENERATION, '')}"

    def _bump(self) -> None:
        token = uuid.uuid4().hex
        registry = self.registry
        registry.modify(metadata={GENERATION: token})
        self.written = f"{registry.id}:{token}"

    def papers(self) -> dict[str, PaperRecord]:
        """Registered papers by id; reading never creates the index."""
        return self.read_registry()[1]

    def read_registry(self) -> tuple[str, dict[str, PaperRecord]]:
        """The registry collection's id and its papers by id; ("", {}) before any ingest.

        The id is new whenever the index was reset and built again, which the papers'
        content hashes alone cannot show (the same files give the same hashes).
        """
        try:
            registry = self.client.get_collection(f"{self.index_name}-papers")
        except NotFoundError:
            return "", {}
        got = registry.get(include=["documents"])
        docs = got["documents"] or []
        papers = {i: PaperRecord.from_json(d) for i, d in zip(got["ids"], docs, strict=True)}
        return str(registry.id), papers

    def count(self) -> int:
        """Number of chunks stored."""
        return self.chunks.count()

    def read_chunks(self, documents: bool = True) -> list[tuple[str, str, dict[str, Any]]]:
        """Every stored chunk's id, text ("" unless `documents`) and metadata, paged.

        Chroma refuses one read of a whole big collection (too many SQL variables at
        about 30,000 chunks), so it is read in pages of the client's batch size.
        """
        collection = self.chunks
        include: Include = ["documents", "metadatas"] if documents else ["metadatas"]
        out: list[tuple[str, str, dict[str, Any]]] = []
        for offset in range(0, collection.count(), self._batch):
            out += _rows(collection.get(include=include, limit=self._batch, offset=offset))
        return out

    def read_versions(self, hashes: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """The id, text and metadata of every stored chunk of these paper versions."""
        out: list[tuple[str, str, dict[str, Any]]] = []
        for start in range(0, len(hashes), self._batch):
            where: Any = {"content_hash": {"$in": list(hashes[start : start + self._batch])}}
            out += _rows(self.chunks.get(where=where, include=["documents", "metadatas"]))
        return out

    def read_vectors(self, ids: Sequence[str]) -> np.ndarray | None:
        """These chunks' (one or more) stored vectors, unit length, a row each in the order asked.

        None when one of them is gone (a paper replaced between two reads): its caller
        then searches the HNSW graph instead of the rows it could not complete.
        """
        rows: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), self._batch):
            got = self.chunks.get(
                ids=list(ids[start : start + self._batch]), include=["embeddings"]
            )
            vectors = got["embeddings"]
            if vectors is not None:
                rows.update(zip(got["ids"], np.asarray(vectors, dtype=np.float32), strict=True))
        if any(cid not in rows for cid in ids):
            return None
        matrix = np.stack([rows[cid] for cid in ids])
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return matrix

    def chunk_ids(self, paper_id: str) -> list[str]:
        """Ids of every stored chunk of a paper, any version."""
        return self.chunks.get(where={"paper_id": paper_id}, include=[])["ids"]

    def write_paper(
        self,
        record: PaperRecord,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        """Add or replace a paper so that it is never visible half-written."""
        with self.writing():
            self._write_paper(record, chunks, embeddings, on_batch)

    def _write_paper(
        self,
        record: PaperRecord,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        on_batch: Callable[[int], None] | None,
    ) -> None:
        collection = self.chunks
        before = set(collection.get(ids=[c.id for c in chunks], include=[])["ids"])
        written: list[str] = []
        try:
            for start in range(0, len(chunks), self._batch):
                part = chunks[start : start + self._batch]
                collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=as_vectors(embeddings[start : start + self._batch]),
                    documents=[c.text for c in part],
                    metadatas=[chunk_metadata(c, record.meta, record.content_hash) for c in part],
                )
                written.extend(c.id for c in part)
                if on_batch is not None:
                    on_batch(len(part))
            self.registry.upsert(
                ids=[record.meta.id], embeddings=as_vectors([[1.0]]), documents=[record.to_json()]
            )
            self._bump()
        except BaseException:
            fresh = [i for i in written if i not in before]
            if fresh:
                collection.delete(ids=fresh)
            raise
        stale = collection.get(where={"paper_id": record.meta.id}, include=["metadatas"])
        old = [
            cid
            for cid, md in zip(stale["ids"], stale["metadatas"] or [], strict=True)
            if (md or {}).get("content_hash") != record.content_hash
        ]
        for start in range(0, len(old), self._batch):
            collection.delete(ids=old[start : start + self._batch])

    def remove_paper(self, paper_id: str) -> int:
        """Unregister a paper first (readers stop trusting it), then delete its chunks."""
        with self.writing():
            ids = self.chunk_ids(paper_id)
            self.registry.delete(ids=[paper_id])
            self._bump()
            if ids:
                self.chunks.delete(ids=ids)
            return len(ids)

    def reconcile(self) -> int:
        """Delete chunks no registered paper version owns (left by a killed run)."""
        with self.writing():
            return self._reconcile()

    def _reconcile(self) -> int:
        active = {pid: rec.content_hash for pid, rec in self.papers().items()}
        stale = [
            cid
            for cid, _, md in self.read_chunks(documents=False)
            if active.get(str(md.get("paper_id"))) != md.get("content_hash")
        ]
        for start in range(0, len(stale), self._batch):
            self.chunks.delete(ids=stale[start : start + self._batch])
        if stale and self.generation():
            self._bump()
        if stale:
            log.warning("removed %d chunks left behind by an interrupted run", len(stale))
        return len(stale)

    def reset(self) -> None:
        """Drop this index entirely, registry first so that readers stop trusting it.

        Readers keep a chunk collection only while the registry collection they saw
        is the same one, so a reset interrupted half-way must never leave the registry.
        """
        with self.writing():
            for name in (f"{self.index_name}-papers", self.index_name):
                with contextlib.suppress(NotFoundError):
                    self.client.delete_collection(name)
