"""Incremental ingest: skip unchanged papers, replace changed ones whole, report every file."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.catalog import discover, load_catalog, paper_id_for
from ingest.chunking import chunk_document
from ingest.clean import clean
from ingest.loaders import load
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import DocumentError
from rag.models import Chunk, PaperMeta, PaperRecord
from rag.settings import Settings
from rag.store import ChunkStore

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed", "removed"]


@dataclass
class PaperResult:
    """One line of the ingest summary."""

    file: str
    paper_id: str | None
    title: str | None
    status: Status
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class IngestReport:
    """What a run did, paper by paper, and the index it left."""

    results: list[PaperResult] = field(default_factory=list)
    papers: int = 0
    chunks: int = 0
    index: str = ""

    @property
    def failed(self) -> list[PaperResult]:
        """Files that could not be indexed."""
        return [r for r in self.results if r.status == "failed"]


@dataclass
class _Prepared:
    record: PaperRecord
    chunks: list[Chunk]
    result: PaperResult


class Progress:
    """Hooks a caller can give to show progress; both are called with a count."""

    def __init__(
        self,
        start: Callable[[int], None] | None = None,
        advance: Callable[[int], None] | None = None,
    ) -> None:
        self.start = start or (lambda _total: None)
        self.advance = advance or (lambda _n: None)


def content_hash(data: bytes, entry: PaperMeta | None, settings: Settings) -> str:
    """Hash of everything that shapes a paper's chunks: its bytes, catalog entry and chunking."""
    h = hashlib.sha256(data)
    h.update((entry.model_dump_json() if entry else "").encode())
    h.update(settings.index_name.encode())
    return h.hexdigest()[:16]


def prepare(path: Path, entry: PaperMeta | None, digest: str, settings: Settings) -> _Prepared:
    """Load, clean and chunk one file (no writes); raises `DocumentError`."""
    doc = load(path)
    if entry is not None:
        meta = entry
    else:
        title = doc.embedded_title or (doc.pages[0].strip().splitlines() or [path.stem])[0]
        meta = PaperMeta.model_validate(
            {"id": paper_id_for(path), "title": title.strip()[:200], "source": path.name}
        )
    cleaned = clean(doc, meta.title, meta.authors, meta.affiliation, meta.sections)
    if not cleaned.body.strip():
        raise DocumentError(path.name, "no text left after cleaning")
    chunks = chunk_document(cleaned, meta, digest, settings.chunk_size, settings.chunk_overlap)
    record = PaperRecord(
        meta=meta, content_hash=digest, chunk_count=len(chunks), pages=cleaned.page_count
    )
    result = PaperResult(path.name, meta.id, meta.title, "added", cleaned.page_count, len(chunks))
    return _Prepared(record, chunks, result)


def ingest(
    paths: list[Path] | None,
    settings: Settings,
    *,
    reset: bool = False,
    prune: bool = False,
    store: ChunkStore | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Index the given files and folders (default: the corpus folder).

    Each paper is embedded in full before anything of it is written, and written so
    that it replaces its previous version at once; a failure in one file is reported
    and the others still go in.
    """
    store = store or ChunkStore.open(settings)
    progress = progress or Progress()
    if reset:
        store.reset()
    store.reconcile()
    files = discover(paths or [settings.corpus_dir])
    registered = store.papers()
    catalogs: dict[Path, dict[str, PaperMeta]] = {}
    report = IngestReport(index=settings.index_name)
    todo: list[_Prepared] = []
    seen_ids: dict[str, str] = {}

    for path in files:
        began = time.perf_counter()
        folder = path.parent.resolve()
        if folder not in catalogs:
            catalogs[folder] = load_catalog(folder)
        entry = catalogs[folder].get(path.name)
        try:
            data = path.read_bytes()
            digest = content_hash(data, entry, settings)
            pid = entry.id if entry else paper_id_for(path)
            if pid in seen_ids:
                raise DocumentError(path.name, f"paper id {pid!r} is also used by {seen_ids[pid]}")
            seen_ids[pid] = path.name
            old = registered.get(pid)
            if old is not None and old.content_hash == digest:
                report.results.append(
                    PaperResult(
                        path.name, pid, old.meta.title, "unchanged", old.pages, old.chunk_count
                    )
                )
                continue
            prepared = prepare(path, entry, digest, settings)
            if old is not None:
                prepared.result.status = "updated"
            prepared.result.seconds = time.perf_counter() - began
            todo.append(prepared)
        except (DocumentError, OSError) as exc:
            reason = exc.reason if isinstance(exc, DocumentError) else str(exc)
            log.error("%s: %s", path.name, reason)
            report.results.append(
                PaperResult(path.name, None, None, "failed", error=reason, seconds=0.0)
            )

    if todo:
        embedder = embedder or make_embedder(settings)
        progress.start(sum(len(p.chunks) for p in todo))
        for item in todo:
            began = time.perf_counter()
            vectors = embedder.embed_many([c.text for c in item.chunks], on_batch=progress.advance)
            store.write_paper(item.record, item.chunks, vectors)
            item.result.seconds += time.perf_counter() - began
            report.results.append(item.result)

    if prune:
        for pid, rec in sorted(registered.items()):
            if pid not in seen_ids:
                removed = store.remove_paper(pid)
                report.results.append(
                    PaperResult(rec.meta.source or pid, pid, rec.meta.title, "removed", 0, removed)
                )

    papers = store.papers()
    report.papers = len(papers)
    report.chunks = store.count()
    return report
