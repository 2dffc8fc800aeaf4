"""Reading files into pages of raw text, with a plain reason for every file that can't be."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from rag.errors import DocumentError

log = logging.getLogger(__name__)

Layout = Literal["pdf", "text-export", "markdown"]


@dataclass(frozen=True)
class LoadedDocument:
    """Raw text of a file, split into the pages it really has (one for text files)."""

    path: Path
    pages: list[str]
    layout: Layout
    embedded_title: str | None
    raw_bytes: bytes


class PdfParser(Protocol):
    """Something that turns PDF bytes into page texts and a title, so parsers can be swapped."""

    def parse(self, data: bytes, name: str) -> tuple[list[str], str | None]:
        """Page texts in order, and the title from the document info if any."""
        ...


class PypdfParser:
    """Page-by-page text through pypdf."""

    def parse(self, data: bytes, name: str) -> tuple[list[str], str | None]:
        """See `PdfParser.parse`."""
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError(name, "the PDF is encrypted with a password")
            pages = [page.extract_text() or "" for page in reader.pages]
            info = reader.metadata
        except DocumentError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            reason = "the PDF is encrypted" if "encrypt" in str(exc).lower() else str(exc)
            raise DocumentError(name, f"cannot read the PDF: {reason}") from exc
        title = info.title if info is not None and info.title else None
        return pages, (str(title).strip() or None) if title else None


def load(path: Path, pdf_parser: PdfParser | None = None) -> LoadedDocument:
    """Read one file; raises `DocumentError` naming the file and the reason."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(name, f"cannot be read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DocumentError(name, "the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if not data.lstrip()[:5] == b"%PDF-":
            raise DocumentError(name, "not a PDF file (it has no %PDF- header)")
        pages, title = (pdf_parser or PypdfParser()).parse(data, name)
        if not any(p.strip() for p in pages):
            raise DocumentError(
                name, "the PDF has no extractable text (a scanned image? run OCR on it first)"
            )
        return LoadedDocument(path, pages, "pdf", title, data)
    if suffix in (".txt", ".md"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                name, f"not UTF-8 text (invalid byte at offset {exc.start}); re-save it as UTF-8"
            ) from exc
        layout: Layout = "markdown" if suffix == ".md" else "text-export"
        return LoadedDocument(path, [text], layout, None, data)
    raise DocumentError(name, f"unsupported file type {suffix or '(none)'}; use .pdf, .txt or .md")
