"""Adding and removing papers at run time (the API's upload and delete), all or nothing.

The corpus folder stays the source of truth: an upload becomes a file in it plus an
entry in `papers.toml` (written with tomlkit, so comments and layout survive), then goes
through the same incremental ingest as `rag ingest`. A file that fails any check is never
placed in the corpus, and the index is left as it was.

A change is journalled before it touches the corpus: a small file in `corpus/.staging/`
names it, and is removed once file, catalog entry and index agree. A process killed in
between leaves the journal, and `recover` (run before every change and by `rag ingest`)
takes back an unfinished upload and finishes an unfinished delete. Changes are taken one
at a time across processes through a lock file in the same folder; uploads are staged
there too, where no ingest looks for papers.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import tomlkit
from filelock import FileLock
from tomlkit.items import AoT

from ingest.catalog import (
    CATALOG_FILE,
    SUPPORTED_SUFFIXES,
    discover,
    load_catalog,
    paper_id_for,
)
from ingest.indexer import PaperResult, file_digest, ingest, prepare
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import DocumentError, DuplicatePaperError, PaperNotFoundError
from rag.settings import Settings
from rag.store import ChunkStore
from rag.types import PaperMeta, Upload

log = logging.getLogger(__name__)

STAGING_DIR = ".staging"
JOURNAL_SUFFIX = ".change.json"


def staging_dir(settings: Settings) -> Path:
    """Where uploads wait for their checks and journals are kept.

    Inside the corpus folder, so that placing a file is one rename, but in a folder no
    ingest reads.
    """
    folder = settings.corpus_dir / STAGING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def corpus_change(settings: Settings) -> Iterator[Path]:
    """Hold the corpus for one change across threads and processes; yields the staging dir."""
    folder = staging_dir(settings)
    with FileLock(folder / "change.lock"):
        yield folder


def _catalog(settings: Settings) -> tomlkit.TOMLDocument:
    path = settings.corpus_dir / CATALOG_FILE
    return tomlkit.parse(path.read_text("utf-8")) if path.is_file() else tomlkit.document()


def _save_catalog(settings: Settings, doc: tomlkit.TOMLDocument) -> None:
    path = settings.corpus_dir / CATALOG_FILE
    staged = path.with_suffix(".toml.tmp")
    staged.write_text(tomlkit.dumps(doc), "utf-8")
    staged.replace(path)


def _add_entry(settings: Settings, file: str, meta: PaperMeta) -> None:
    doc = _catalog(settings)
    papers = doc.get("paper")
    if not isinstance(papers, AoT):
        papers = tomlkit.aot()
        doc["paper"] = papers
    entry = {k: v for k, v in meta.model_dump(exclude={"source"}).items() if v not in (None, ())}
    papers.append(tomlkit.item({"file": file, **entry}))
    _save_catalog(settings, doc)


def _free_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _journal(folder: Path, op: str, paper_id: str, file: str) -> Path:
    """Record a change before making it; the record is the promise `recover` keeps."""
    path = folder / f"{paper_id}{JOURNAL_SUFFIX}"
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps({"op": op, "paper_id": paper_id, "file": file}), "utf-8")
    staged.replace(path)
    return path


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
        DuplicatePaperError: the same file is already indexed.
    """
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(upload.filename, "unsupported file type; upload .pdf, .txt or .md")
    store = store or ChunkStore.open(settings)
    with corpus_change(settings) as folder:
        _recover(settings, store, folder)
        registered = store.papers()
        digest = file_digest(upload.data)
        same = next((r for r in registered.values() if r.file_hash == digest), None)
        if same is not None:
            raise DuplicatePaperError(upload.filename, same.meta.id)
        present = {paper_id_for(f) for f in discover([settings.corpus_dir])}
        taken = {m.id for m in load_catalog(settings.corpus_dir).values()} | set(registered)
        pid = _free_id(paper_id_for(Path(upload.title or upload.filename)), taken | present)
        target = settings.corpus_dir / f"{pid}{suffix}"
        draft = PaperMeta(
            id=pid,
            title=upload.title or pid,
            authors=upload.authors,
            year=upload.year,
            source=target.name,
        )
        journal = _journal(folder, "add", pid, target.name)
        try:
            staged = folder / f"{uuid.uuid4().hex}{suffix}"
            meta = _checked(upload, draft, staged, settings, target)
            _add_entry(settings, target.name, meta)
            report = ingest([target], settings, store=store, embedder=embedder)
            result = next(r for r in report.results if r.file == target.name)
            if result.status == "failed":
                raise DocumentError(upload.filename, result.error or "could not be indexed")
        except BaseException:
            _undo_add(settings, store, pid, target)
            raise
        finally:
            journal.unlink(missing_ok=True)
        return result


def _checked(
    upload: Upload, draft: PaperMeta, staged: Path, settings: Settings, target: Path
) -> PaperMeta:
    """Check the upload where no ingest looks, then move it into the corpus; its metadata.

    Errors name the file as the user sent it, never the staging name.
    """
    try:
        staged.write_bytes(upload.data)
        entry = None if upload.title is None else draft
        checked = prepare(staged, entry, "check", settings)
        staged.replace(target)
    except DocumentError as exc:
        raise DocumentError(upload.filename, exc.reason) from exc
    finally:
        staged.unlink(missing_ok=True)
    return draft.model_copy(update={"title": checked.record.meta.title})


def _forget(settings: Settings, paper_id: str, path: Path | None) -> None:
    """Take a paper's file and catalog entry out of the corpus."""
    if path is not None:
        path.unlink(missing_ok=True)
    doc = _catalog(settings)
    papers = doc.get("paper")
    if isinstance(papers, AoT):
        keep = [t for t in papers if t.get("id") != paper_id]
        if len(keep) != len(papers):
            doc["paper"] = tomlkit.aot()
            for t in keep:
                doc["paper"].append(t)
            _save_catalog(settings, doc)


def _undo_add(settings: Settings, store: ChunkStore, paper_id: str, target: Path) -> None:
    """Take back an upload: its index entry, catalog entry and file."""
    if paper_id in store.papers():
        store.remove_paper(paper_id)
    _forget(settings, paper_id, target)


def remove_paper(paper_id: str, settings: Settings, *, store: ChunkStore | None = None) -> int:
    """Remove a paper's file from the corpus and its chunks from the index; chunks removed.

    The file and catalog entry go first, under a journal entry: a crash before the index
    entry goes is finished by the next `recover`, never undone by the next ingest.

    Raises:
        PaperNotFoundError: no indexed paper has this id.
    """
    store = store or ChunkStore.open(settings)
    with corpus_change(settings) as folder:
        _recover(settings, store, folder)
        record = store.papers().get(paper_id)
        if record is None:
            raise PaperNotFoundError(paper_id)
        source = record.meta.source or ""
        journal = _journal(folder, "delete", paper_id, source)
        _forget(settings, paper_id, settings.corpus_dir / source if source else None)
        removed = store.remove_paper(paper_id)
        journal.unlink()
        return removed


def recover(settings: Settings, store: ChunkStore | None = None) -> list[str]:
    """Undo uploads and finish deletes that a killed process left half-done; what was done.

    Safe to run at any time: it waits for a change in progress in another process, so
    it never takes back an upload that is still running.
    """
    store = store or ChunkStore.open(settings)
    with corpus_change(settings) as folder:
        return _recover(settings, store, folder)


def _recover(settings: Settings, store: ChunkStore, folder: Path) -> list[str]:
    done: list[str] = []
    for path in sorted(folder.glob(f"*{JOURNAL_SUFFIX}")):
        try:
            change = json.loads(path.read_text("utf-8"))
            op, pid, file = change["op"], change["paper_id"], change["file"]
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable journal entry %s: %s", path.name, exc)
            path.unlink(missing_ok=True)
            continue
        target = settings.corpus_dir / file if file else None
        if op == "add":
            if target is not None:
                _undo_add(settings, store, pid, target)
            done.append(f"took back the interrupted upload of {file}")
        else:
            _forget(settings, pid, target)
            if pid in store.papers():
                store.remove_paper(pid)
            done.append(f"finished the interrupted removal of {pid}")
        path.unlink(missing_ok=True)
    for leftover in folder.iterdir():
        if leftover.suffix.lower() in SUPPORTED_SUFFIXES or leftover.suffix == ".tmp":
            leftover.unlink(missing_ok=True)
    for line in done:
        log.warning("%s", line)
    return done


class LibraryWriter:
    """The corpus and index writer a `Pipeline` is given (`Pipeline(writer=LibraryWriter())`).

    The core cannot import ingest (the arrows point into `rag/`), so whoever builds a
    pipeline that takes uploads hands it this: `Pipeline.add_paper` and `remove_paper`
    call it with the pipeline's own store and embedding model.
    """

    def add_paper(
        self,
        upload: Upload,
        settings: Settings,
        *,
        store: ChunkStore,
        embedder: SentenceTransformerEmbedder,
    ) -> str:
        """Index an uploaded paper (see `add_paper`); the new paper's id."""
        return str(add_paper(upload, settings, store=store, embedder=embedder).paper_id)

    def remove_paper(self, paper_id: str, settings: Settings, *, store: ChunkStore) -> int:
        """Remove an indexed paper (see `remove_paper`); how many chunks went."""
        return remove_paper(paper_id, settings, store=store)
