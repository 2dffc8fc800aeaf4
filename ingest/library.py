"""Adding and removing papers at run time (the API's upload and delete).

The corpus folder stays the source of truth: an upload becomes a file in it plus an
entry in `papers.toml` (written with tomlkit, so comments and layout survive), then goes
through the same incremental ingest as `rag ingest`. A file that fails any check is never
placed in the corpus, and the index is left as it was.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from tomlkit.items import AoT

from ingest.catalog import CATALOG_FILE, SUPPORTED_SUFFIXES, load_catalog, paper_id_for
from ingest.indexer import PaperResult, ingest, prepare
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import DocumentError, RagError
from rag.models import PaperMeta
from rag.settings import Settings
from rag.store import ChunkStore

# One corpus change at a time per process: ids and the catalog must not race.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Upload:
    """A paper as received: its file name and bytes, and what the uploader says about it."""

    filename: str
    data: bytes
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None


class PaperNotFoundError(RagError):
    """No indexed paper has this id."""

    def __init__(self, paper_id: str) -> None:
        super().__init__(f"no paper with id {paper_id!r}", fix="list papers with GET /papers")
        self.paper_id = paper_id


def _catalog(settings: Settings) -> tomlkit.TOMLDocument:
    path = settings.corpus_dir / CATALOG_FILE
    return tomlkit.parse(path.read_text("utf-8")) if path.is_file() else tomlkit.document()


def _save_catalog(settings: Settings, doc: tomlkit.TOMLDocument) -> None:
    path = settings.corpus_dir / CATALOG_FILE
    staged = path.with_suffix(".toml.tmp")
    staged.write_text(tomlkit.dumps(doc), "utf-8")
    staged.replace(path)


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_paper(
    upload: Upload,
    settings: Settings,
    *,
    store: ChunkStore | None = None,
    embedder: SentenceTransformerEmbedder | None = None,
) -> PaperResult:
    """Check an uploaded paper, place it in the corpus with its metadata, and index it.

    Raises:
        DocumentError: the file is of the wrong type, unreadable or has no text.
    """
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(upload.filename, "unsupported file type; upload .pdf, .txt or .md")
    store = store or ChunkStore.open(settings)
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        taken = {m.id for m in load_catalog(settings.corpus_dir).values()} | set(store.papers())
        pid = _free_id(paper_id_for(Path(upload.title or upload.filename)), taken)
        staged = settings.corpus_dir / f".upload-{uuid.uuid4().hex}{suffix}"
        target = settings.corpus_dir / f"{pid}{suffix}"
        try:
            staged.write_bytes(upload.data)
            draft = PaperMeta(
                id=pid,
                title=upload.title or pid,
                authors=upload.authors,
                year=upload.year,
                source=target.name,
            )
            checked = prepare(staged, None if upload.title is None else draft, "check", settings)
            meta = draft.model_copy(update={"title": checked.record.meta.title})
            staged.replace(target)
        finally:
            staged.unlink(missing_ok=True)
        doc = _catalog(settings)
        papers = doc.get("paper")
        if not isinstance(papers, AoT):
            papers = tomlkit.aot()
            doc["paper"] = papers
        entry = {
            k: v for k, v in meta.model_dump(exclude={"source"}).items() if v not in (None, ())
        }
        papers.append(tomlkit.item({"file": target.name, **entry}))
        _save_catalog(settings, doc)
        report = ingest([target], settings, store=store, embedder=embedder)
        result = next(r for r in report.results if r.file == target.name)
        if result.status == "failed":
            _forget(settings, pid, target)
            raise DocumentError(upload.filename, result.error or "could not be indexed")
        return result


def _forget(settings: Settings, paper_id: str, path: Path | None) -> None:
    """Take a paper's file and catalog entry out of the corpus."""
    doc = _catalog(settings)
    papers = doc.get("paper")
    if isinstance(papers, AoT):
        keep = [t for t in papers if t.get("id") != paper_id]
        if len(keep) != len(papers):
            doc["paper"] = tomlkit.aot()
            for t in keep:
                doc["paper"].append(t)
            _save_catalog(settings, doc)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_paper(paper_id: str, settings: Settings, *, store: ChunkStore | None = None) -> int:
    """Remove a paper's chunks from the index and its file from the corpus; chunks removed.

    Raises:
        PaperNotFoundError: no indexed paper has this id.
    """
    store = store or ChunkStore.open(settings)
    with _LOCK:
        record = store.papers().get(paper_id)
        if record is None:
            raise PaperNotFoundError(paper_id)
        removed = store.remove_paper(paper_id)
        source = record.meta.source
        _forget(settings, paper_id, settings.corpus_dir / source if source else None)
        return removed
