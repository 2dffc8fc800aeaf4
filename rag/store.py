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
from collections.abc import Callable, Sequence
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from rag.errors import StoreUnavailableError
from rag.models import Chunk, PaperMeta, PaperRecord
from rag.settings import Settings

log = logging.getLogger(__name__)

Metadata = dict[str, str | int | float | bool]


def make_client(settings: Settings) -> ClientAPI:
    """Embedded Chroma by default; a `chroma run` server when RAG_CHROMA_URL is set."""
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
    return out


def as_vectors(rows: Sequence[Sequence[float]]) -> list[Sequence[float] | Sequence[int]]:
    """Vectors in the shape Chroma's type hints ask for."""
    return [list(r) for r in rows]


class ChunkStore:
    """Chunks and the paper registry of one index (one embedding model and chunking)."""

    def __init__(self, client: ClientAPI, index_name: str) -> None:
        self.client = client
        self.index_name = index_name
        self._batch = max(1, min(client.get_max_batch_size(), 1000))

    @classmethod
    def open(cls, settings: Settings) -> ChunkStore:
        """The store the settings point at."""
        return cls(make_client(settings), settings.index_name)

    @property
    def chunks(self) -> Collection:
        """Chunk collection, cosine space, vectors always supplied by us."""
        return self.client.get_or_create_collection(
            self.index_name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
        )

    @property
    def registry(self) -> Collection:
        """One record per indexed paper; its one-number vector is a placeholder."""
        return self.client.get_or_create_collection(
            f"{self.index_name}-papers", embedding_function=None
        )

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
        ids = self.chunk_ids(paper_id)
        self.registry.delete(ids=[paper_id])
        if ids:
            self.chunks.delete(ids=ids)
        return len(ids)

    def reconcile(self) -> int:
        """Delete chunks no registered paper version owns (left by a killed run)."""
        active = {pid: rec.content_hash for pid, rec in self.papers().items()}
        got = self.chunks.get(include=["metadatas"])
        stale = [
            cid
            for cid, md in zip(got["ids"], got["metadatas"] or [], strict=True)
            if active.get(str(md.get("paper_id"))) != md.get("content_hash")
        ]
        for start in range(0, len(stale), self._batch):
            self.chunks.delete(ids=stale[start : start + self._batch])
        if stale:
            log.warning("removed %d chunks left behind by an interrupted run", len(stale))
        return len(stale)

    def reset(self) -> None:
        """Drop this index entirely, registry first so that readers stop trusting it.

        Readers keep a chunk collection only while the registry collection they saw
        is the same one, so a reset interrupted half-way must never leave the registry.
        """
        for name in (f"{self.index_name}-papers", self.index_name):
            with contextlib.suppress(NotFoundError):
                self.client.delete_collection(name)
