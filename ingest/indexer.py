"""Incremental ingest: skip unchanged papers, replace changed ones whole, report every file."""

from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ingest.catalog import discover, load_catalog, paper_id_for
from ingest.chunking import chunk_document
from ingest.clean import clean
from ingest.frontmatter import front_matter
from ingest.loaders import load, make_pdf_parser
from ingest.refmanager import ReferenceLibrary, exports_in, load_library
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.errors import DocumentError
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import Chunk, PaperMeta, PaperRecord

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


class ProgressHooks:
    """What a caller can be told as a run goes: papers to index, and each one's chunks.

    `papers` is called once with how many files need indexing (changed or new), `paper`
    when one of them starts embedding (its file name and chunk count), `advance` with
    each batch of chunks embedded, and `finished` when a file is done, failed or not.
    """

    def __init__(
        self,
        papers: Callable[[int], None] | None = None,
        paper: Callable[[str, int], None] | None = None,
        advance: Callable[[int], None] | None = None,
        finished: Callable[[], None] | None = None,
    ) -> None:
        self.papers = papers or (lambda _total: None)
        self.paper = paper or (lambda _name, _chunks: None)
        self.advance = advance or (lambda _n: None)
        self.finished = finished or (lambda: None)


@dataclass(frozen=True)
class _Work:
    """A file the index lacks (or holds another version of), with what preparing it needs."""

    path: Path
    entry: PaperMeta | None
    digest: str
    export: ReferenceLibrary
    updating: bool


def file_digest(data: bytes) -> str:
    """Hash of a file's bytes alone, so the same file is known under any name or title."""
    return hashlib.sha256(data).hexdigest()[:16]


def content_hash(data: bytes, entry: PaperMeta | None, settings: Settings, export: str = "") -> str:
    """Hash of everything that shapes a paper's chunks and metadata.

    Its bytes, catalog entry, the reference-manager exports beside it (`export`, their
    digest) and the chunking settings.
    """
    h = hashlib.sha256(data)
    h.update((entry.model_dump_json() if entry else "").encode())
    h.update(export.encode())
    h.update(settings.index_name.encode())
    return h.hexdigest()[:16]


def prepare(
    path: Path,
    entry: PaperMeta | None,
    digest: str,
    settings: Settings,
    export: ReferenceLibrary | None = None,
) -> _Prepared:
    """Load, clean and chunk one file (no writes); raises `DocumentError`.

    Whatever goes wrong with one file, foreseen or not, becomes that file's
    `DocumentError`, so it can never stop the other files of a run or reach an upload's
    caller as a crash; the traceback of an unforeseen one is in the debug log.
    """
    try:
        return _prepare(path, entry, digest, settings, export)
    except DocumentError:
        raise
    except Exception as exc:
        log.debug("preparing %s failed", path.name, exc_info=True)
        raise DocumentError(
            path.name,
            f"could not be prepared for indexing ({type(exc).__name__}; "
            "`rag --verbose ingest` logs the detail)",
        ) from exc


def prepared_or_reason(work: _Work, settings: Settings) -> _Prepared | str:
    """`prepare` for a pool's worker: the prepared paper, or why it cannot be indexed.

    A reason, not the `DocumentError`, crosses back from a worker process, and the time
    preparing took is counted against the paper's limit as it is in one process.
    """
    began = time.perf_counter()
    try:
        prepared = prepare(work.path, work.entry, work.digest, settings, work.export)
    except DocumentError as exc:
        return exc.reason
    prepared.result.seconds = time.perf_counter() - began
    if work.updating:
        prepared.result.status = "updated"
    return prepared


def _in_order(
    work: list[_Work], settings: Settings, jobs: int
) -> Iterator[tuple[_Work, _Prepared | str]]:
    """Each file prepared, in order; with `jobs` > 1 by that many processes, ahead of use.

    Workers prepare the next files while the caller embeds the last one; no more than
    two per worker wait prepared, so a big library is never held in memory whole.
    """
    if jobs <= 1:
        for item in work:
            yield item, prepared_or_reason(item, settings)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending = iter(work)
        ahead: deque[tuple[_Work, Future[_Prepared | str]]] = deque()
        for item in itertools.islice(pending, 2 * jobs):
            ahead.append((item, pool.submit(prepared_or_reason, item, settings)))
        while ahead:
            item, future = ahead.popleft()
            for following in itertools.islice(pending, 1):
                ahead.append((following, pool.submit(prepared_or_reason, following, settings)))
            yield item, future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _prepare(
    path: Path,
    entry: PaperMeta | None,
    digest: str,
    settings: Settings,
    export: ReferenceLibrary | None,
) -> _Prepared:
    doc = load(path, make_pdf_parser(settings))
    if entry is not None:
        meta = entry
    else:
        title = doc.embedded_title or (doc.pages[0].strip().splitlines() or [path.stem])[0]
        meta = PaperMeta.model_validate(
            {"id": paper_id_for(path), "title": title.strip()[:200], "source": path.name}
        )
    cleaned = clean(doc, meta.title, meta.authors, meta.affiliation, meta.sections, meta.page_start)
    printed = front_matter(cleaned.layout, doc.info) if cleaned.layout is not None else {}
    filed = export.match(path.name, printed) if export is not None else {}
    meta = with_known(meta, entry is not None, filed, printed)
    if not cleaned.body.strip():
        raise DocumentError(path.name, "no text left after cleaning")
    chunks = chunk_document(cleaned, meta, digest, settings.chunk_size, settings.chunk_overlap)
    if len(chunks) > settings.max_chunks_per_paper:
        raise DocumentError(
            path.name,
            f"too long to index: {len(chunks)} passages, over the limit of "
            f"{settings.max_chunks_per_paper} (RAG_MAX_CHUNKS_PER_PAPER)",
        )
    record = PaperRecord(
        meta=meta,
        content_hash=digest,
        chunk_count=len(chunks),
        pages=cleaned.page_count,
        file_hash=file_digest(doc.raw_bytes),
    )
    result = PaperResult(path.name, meta.id, meta.title, "added", cleaned.page_count, len(chunks))
    return _Prepared(record, chunks, result)


def with_known(meta: PaperMeta, catalogued: bool, *sources: dict[str, Any]) -> PaperMeta:
    """`meta` with the fields of `sources` filled in, the first source that has one winning.

    A catalog entry's own fields win over every source. Without an entry, `meta` holds
    only a title guessed from the PDF info or first line, which any source replaces.
    """
    fields = meta.model_dump()
    kept = {k for k, v in fields.items() if v not in (None, ())} if catalogued else set()
    kept |= {"id", "source"}
    for source in sources:
        for name, value in source.items():
            if name in kept or name not in fields:
                continue
            fields[name] = str(value)[:200] if name == "title" else value
            kept.add(name)
    return PaperMeta.model_validate(fields)


def ingest(
    paths: list[Path] | None,
    settings: Settings,
    *,
    reset: bool = False,
    prune: bool = False,
    store: ChunkStore | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
    progress: ProgressHooks | None = None,
    library: Path | None = None,
    jobs: int = 1,
) -> IngestReport:
    """Index the given files and folders (default: the corpus folder).

    Metadata comes from `papers.toml`, then from reference-manager exports (`library`
    and any `.bib` or CSL `.json` beside the papers), then from the papers themselves.

    Each paper is embedded in full before anything of it is written, and written so
    that it replaces its previous version at once; a failure in one file is reported
    and the others still go in. A run stopped at any point (Ctrl-C, a kill) loses only
    the paper it was embedding: the next run skips every paper already written. With
    `jobs` > 1, that many processes parse papers while this one embeds.
    """
    store = store or ChunkStore.open(settings)
    progress = progress or ProgressHooks()
    if reset:
        store.reset()
    store.reconcile()
    files = discover(paths or [settings.corpus_dir])
    registered = store.papers()
    catalogs: dict[Path, dict[str, PaperMeta]] = {}
    exports: dict[Path, ReferenceLibrary] = {}
    report = IngestReport(index=settings.index_name)
    work: list[_Work] = []
    seen_ids: dict[str, str] = {}

    for path in files:
        folder = path.parent.resolve()
        if folder not in catalogs:
            catalogs[folder] = load_catalog(folder)
            exports[folder] = load_library([*([library] if library else []), *exports_in(folder)])
        entry = catalogs[folder].get(path.name)
        export = exports[folder]
        try:
            data = path.read_bytes()
            digest = content_hash(data, entry, settings, export.digest)
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
            work.append(_Work(path, entry, digest, export, old is not None))
        except (DocumentError, OSError) as exc:
            reason = exc.reason if isinstance(exc, DocumentError) else _os_reason(exc)
            report.results.append(_failed(path.name, reason))

    progress.papers(len(work))
    if work:
        embedder = embedder or make_embedder(settings)
        for item, outcome in _in_order(work, settings, jobs):
            if isinstance(outcome, str):
                report.results.append(_failed(item.path.name, outcome))
            else:
                report.results.append(_embedded(outcome, store, embedder, settings, progress))
            progress.finished()

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


def _embedded(
    item: _Prepared,
    store: ChunkStore,
    embedder: SentenceTransformerEmbedder,
    settings: Settings,
    progress: ProgressHooks,
) -> PaperResult:
    """Embed one prepared paper and write it; its line in the report either way."""
    began = time.perf_counter()
    progress.paper(item.result.file, len(item.chunks))
    on_batch = _stop_when_late(item, settings, progress.advance)
    try:
        vectors = embedder.embed_many([c.text for c in item.chunks], on_batch=on_batch)
    except DocumentError as exc:
        return _failed(item.result.file, exc.reason)
    store.write_paper(item.record, item.chunks, vectors)
    item.result.seconds += time.perf_counter() - began
    return item.result


def _failed(name: str, reason: str) -> PaperResult:
    """A file's line in the report when it could not be indexed, logged once."""
    log.error("%s: %s", name, reason)
    return PaperResult(name, None, None, "failed", error=reason)


def _os_reason(exc: OSError) -> str:
    """An OS error in words, without the absolute path it names."""
    return f"cannot be read: {exc.strerror or type(exc).__name__}"


def _stop_when_late(
    item: _Prepared, settings: Settings, advance: Callable[[int], None]
) -> Callable[[int], None]:
    """An `embed_many` batch hook that stops a paper once its time is up.

    The paper's time started with reading it, so what preparing it took is already
    spent. Raising between batches stops the embedding before anything is written.
    """
    limit = settings.max_index_seconds_per_paper
    deadline = time.perf_counter() + limit - item.result.seconds
    total, done = len(item.chunks), 0

    def on_batch(n: int) -> None:
        nonlocal done
        done += n
        advance(n)
        if done < total and time.perf_counter() > deadline:
            advance(total - done)
            raise DocumentError(
                item.result.file,
                f"took over {limit:g} s to index (RAG_MAX_INDEX_SECONDS_PER_PAPER); stopped "
                f"after {done} of {total} passages, nothing of it written",
            )

    return on_batch
