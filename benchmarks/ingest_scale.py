"""Ingest speed and index size: the real corpus, and a generated corpus of about 1,000 pages.

The generated corpus is copies of the real papers, each copy with its own file name,
paper id and a marker line, so ingest (which skips content it has already indexed)
really embeds and stores every page.
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from benchmarks.stats import folder_bytes
from ingest.catalog import CATALOG_FILE, discover, load_catalog
from ingest.indexer import ingest
from rag.embeddings import SentenceTransformerEmbedder
from rag.settings import Settings

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class IngestRun:
    """One timed ingest into an empty index."""

    label: str
    papers: int
    pages: int
    chunks: int
    seconds: float
    index_bytes: int

    @property
    def chunks_per_second(self) -> float:
        """Chunks loaded, cleaned, chunked, embedded and stored per second."""
        return self.chunks / self.seconds

    @property
    def pages_per_second(self) -> float:
        """Pages ingested per second."""
        return self.pages / self.seconds


def timed_ingest(
    label: str, settings: Settings, embedder: SentenceTransformerEmbedder
) -> IngestRun:
    """Ingest `settings.corpus_dir` into a fresh index, timing everything but the model load."""
    began = time.perf_counter()
    report = ingest(None, settings, embedder=embedder)
    seconds = time.perf_counter() - began
    if report.failed:
        raise RuntimeError(f"{label}: {[(r.file, r.error) for r in report.failed]}")
    return IngestRun(
        label=label,
        papers=report.papers,
        pages=sum(r.pages for r in report.results),
        chunks=report.chunks,
        seconds=seconds,
        index_bytes=folder_bytes(settings.resolved_chroma_path),
    )


def generate_corpus(source: Path, target: Path, pages: int, pages_per_copy: int) -> int:
    """Write enough distinct copies of `source`'s papers into `target` for `pages` pages.

    Returns the number of copies. Text files get a marker line naming their copy; every
    copy gets its own catalog entry (id suffixed with the copy number).
    """
    catalog = load_catalog(source)
    copies = math.ceil(pages / pages_per_copy)
    target.mkdir(parents=True)
    entries = tomlkit.aot()
    for n in range(copies):
        for path in discover([source]):
            copy = target / f"{path.stem}-copy{n:04d}{path.suffix}"
            if path.suffix.lower() in TEXT_SUFFIXES:
                marker = f"\n(Benchmark copy {n} of {path.name}.)\n"
                copy.write_text(path.read_text("utf-8") + marker, "utf-8")
            else:
                shutil.copyfile(path, copy)
            meta = catalog.get(path.name)
            if meta is not None:
                fields = meta.model_dump(mode="json", exclude={"source"}, exclude_none=True)
                fields["id"] = f"{meta.id}-copy{n:04d}"
                entries.append(tomlkit.item({"file": copy.name, **fields}))
    document = tomlkit.document()
    document["paper"] = entries
    (target / CATALOG_FILE).write_text(tomlkit.dumps(document), "utf-8")
    return copies
