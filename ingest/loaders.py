"""Reading files into pages of raw text, with a plain reason for every file that can't be.

A PDF is untrusted input: pypdf stops a single stream that inflates too far or an object
that loops back on itself, but it keeps every decoded stream of a document in memory, so
a small file of many inflating pages can still take gigabytes. PDFs are therefore read
in a child process held to a memory and time limit (`IsolatedPdfParser`), and whatever
goes wrong in there comes back as the file's own `DocumentError`.

In there pypdf reads the file first (its limits and its reasons for refusing a file),
then, with the `layout` parser, pdfium gives every page's lines with their fonts and
positions (`ingest.layout`). A file pdfium cannot lay out keeps pypdf's plain text, with
a warning naming it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import pypdfium2
from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError

from ingest.layout import page_lines
from ingest.pdf_line import Line
from rag.errors import DocumentError
from rag.settings import PdfParserName, Settings, get_settings

log = logging.getLogger(__name__)

Layout = Literal["pdf", "text-export", "markdown"]
# A Markdown heading of level one: `# Title` (closing hashes allowed), or a line over `===`.
ATX_TITLE = re.compile(r"#[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*")
SETEXT_RULE = re.compile(r"=+[ \t]*")


def markdown_title(text: str) -> str | None:
    """The title a Markdown file opens with, without its heading marks; None if it has none.

    Only a level-one heading as the first line of text counts: a paper's notes that open
    with prose, or with a lower heading, have no title to read.
    """
    lines = [ln.strip() for ln in text.splitlines()]
    first = next((i for i, ln in enumerate(lines) if ln), None)
    if first is None:
        return None
    atx = ATX_TITLE.fullmatch(lines[first])
    if atx:
        return atx["title"].strip()
    underline = lines[first + 1] if first + 1 < len(lines) else ""
    if SETEXT_RULE.fullmatch(underline) and not lines[first].startswith("#"):
        return lines[first]
    return None


# Longest piece of a PDF reader's own message kept in a reason.
REASON_CHARS = 160


@dataclass(frozen=True)
class LoadedDocument:
    """Raw text of a file, split into the pages it really has (one for text files)."""

    path: Path
    pages: list[str]
    layout: Layout
    embedded_title: str | None
    raw_bytes: bytes
    page_labels: tuple[str, ...] = ()
    lines: list[list[Line]] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedPdf:
    """What a PDF parser gives: page texts in order, the info title, the PDF's page labels.

    `page_labels` is empty unless the PDF defines labels of its own (`/PageLabels`);
    `lines` holds each page's laid-out lines when the parser reads layout (else it is
    empty), and `info` the document information fields that are filled in (`Author`).
    """

    pages: list[str]
    title: str | None
    page_labels: tuple[str, ...] = ()
    lines: list[list[Line]] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)


class PdfParser(Protocol):
    """Something that turns PDF bytes into pages, so parsers can be swapped."""

    def parse(self, data: bytes, name: str) -> ParsedPdf:
        """Parse one PDF; raises `DocumentError` naming `name` and the reason."""
        ...


def _reason(exc: BaseException) -> str:
    """Why a PDF could not be read, in words for the person who gave it."""
    message = " ".join(str(exc).split())[:REASON_CHARS]
    if isinstance(exc, LimitReachedError):
        return (
            "it exceeds a safety limit of the PDF reader (a stream that decompresses too far, "
            "or objects that refer to themselves)"
        )
    if isinstance(exc, MemoryError):
        return "it needs more memory to read than RAG_MAX_PDF_MEMORY_MB allows"
    if isinstance(exc, RecursionError):
        return "its objects nest too deeply to read"
    if "encrypt" in message.lower():
        return "the PDF is encrypted"
    if isinstance(exc, NotImplementedError):
        return f"it uses a feature the PDF reader does not support ({message or 'unnamed'})"
    if isinstance(exc, PyPdfError) and message:
        return f"it is damaged ({message})"
    return f"it is damaged ({type(exc).__name__})"


def _text(raw: str) -> str:
    """Page text that is valid Unicode: a lone surrogate pypdf decoded becomes `?`."""
    return raw.encode("utf-8", "replace").decode("utf-8")


class PypdfParser:
    """Page-by-page text through pypdf, in this process (pypdf's per-stream limits only)."""

    def parse(self, data: bytes, name: str) -> ParsedPdf:
        """See `PdfParser.parse`."""
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise DocumentError(name, "the PDF is encrypted with a password")
            pages = [_text(page.extract_text() or "") for page in reader.pages]
            info = {
                str(key).lstrip("/"): " ".join(_text(str(value)).split())
                for key, value in (reader.metadata or {}).items()
                if isinstance(value, str) and value.strip()
            }
        except DocumentError:
            raise
        except Exception as exc:
            raise DocumentError(name, f"cannot read the PDF: {_reason(exc)}") from exc
        return ParsedPdf(pages, info.get("Title"), _page_labels(reader, name), info=info)


def pdfium_lines(data: bytes) -> list[list[Line]]:
    """Every page's laid-out lines, as pdfium reads the file."""
    document = pypdfium2.PdfDocument(data)
    try:
        return page_lines(document)
    finally:
        document.close()


class LayoutPdfParser:
    """pypdf's reading of the file plus pdfium's lines with fonts and positions.

    pypdf reads first so that a hostile file is refused with its reasons and limits;
    layout only adds to what it read. A file pdfium cannot lay out keeps the plain text,
    with a warning naming it: logged here, or, in the child process, which has no name,
    kept in `warning` for the parent to log.
    """

    def __init__(self, read_layout: Callable[[bytes], list[list[Line]]] | None = None) -> None:
        self.read_layout = read_layout or pdfium_lines
        self.warning: str | None = None

    def parse(self, data: bytes, name: str) -> ParsedPdf:
        """See `PdfParser.parse`."""
        plain = PypdfParser().parse(data, name)
        try:
            lines = self.read_layout(data)
        except Exception as exc:
            return self._plain(plain, name, f"its layout could not be read ({_reason(exc)})")
        plain_text = any(page.strip() for page in plain.pages)
        if len(lines) != len(plain.pages) or (plain_text and not any(lines)):
            return self._plain(plain, name, "its layout has no text where its text stream has")
        pages = ["\n".join(ln.text for ln in page if not ln.rotated) for page in lines]
        return ParsedPdf(pages, plain.title, plain.page_labels, lines, plain.info)

    def _plain(self, plain: ParsedPdf, name: str, why: str) -> ParsedPdf:
        """The plain reading, with the warning that says why layout was not used."""
        self.warning = f"{why}; indexed from its plain text, without layout"
        if name:
            log.warning("%s: %s", name, self.warning)
        return plain


def _page_labels(reader: PdfReader, name: str) -> tuple[str, ...]:
    """The PDF's own page labels, or none when it has none or they cannot be read.

    Labels only add to the physical page numbers, so a broken label tree costs the labels,
    not the paper.
    """
    try:
        if "/PageLabels" not in reader.root_object:
            return ()
        return tuple(_text(label) for label in reader.page_labels)
    except Exception as exc:
        log.warning("%s: page labels ignored: %s", name, _reason(exc))
        return ()


class IsolatedPdfParser:
    """A PDF parser run in a child process held to a memory limit and a time limit.

    Whatever the file does to the reader (inflate without end, loop, crash it), this
    process only sees an answer, a refusal or a stopped child, each a `DocumentError`.
    """

    def __init__(
        self, memory_bytes: int, timeout_s: float, parser: PdfParserName = "layout"
    ) -> None:
        self.memory_bytes = memory_bytes
        self.timeout_s = timeout_s
        self.parser = parser

    @classmethod
    def from_settings(cls, settings: Settings) -> IsolatedPdfParser:
        """The parser and limits the settings give.

        RAG_PDF_PARSER, RAG_MAX_PDF_MEMORY_MB and RAG_MAX_INDEX_SECONDS_PER_PAPER.
        """
        return cls(
            settings.max_pdf_memory_mb * 2**20,
            settings.max_index_seconds_per_paper,
            settings.pdf_parser,
        )

    def parse(self, data: bytes, name: str) -> ParsedPdf:
        """See `PdfParser.parse`."""
        command = [
            sys.executable,
            "-P",
            "-m",
            "ingest.loaders",
            str(self.memory_bytes),
            self.parser,
        ]
        try:
            done = subprocess.run(
                command, input=data, capture_output=True, timeout=self.timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(
                name,
                f"the PDF took over {self.timeout_s:g} s to read (RAG_MAX_INDEX_SECONDS_PER_PAPER)",
            ) from exc
        log.debug("%s: PDF reader said: %s", name, done.stderr.decode("utf-8", "replace")[-2000:])
        try:
            reply = json.loads(done.stdout)
        except ValueError:
            reply = None
        if done.returncode != 0 or not isinstance(reply, dict):
            raise DocumentError(
                name,
                "the PDF reader stopped before it finished (the PDF may need more memory "
                "than RAG_MAX_PDF_MEMORY_MB allows)",
            )
        if "error" in reply:
            raise DocumentError(name, str(reply["error"]))
        if reply.get("warning"):
            log.warning("%s: %s", name, reply["warning"])
        return ParsedPdf(
            reply["pages"],
            reply["title"],
            tuple(reply["page_labels"]),
            [[Line.from_json(ln) for ln in page] for page in reply["lines"]],
            reply["info"],
        )


def _serve_child(memory_bytes: int, parser_name: str) -> None:
    """Child side of `IsolatedPdfParser`: PDF bytes on stdin, a JSON answer on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    data = sys.stdin.buffer.read()
    parser = LayoutPdfParser() if parser_name == "layout" else PypdfParser()
    try:
        parsed = parser.parse(data, "")
    except DocumentError as exc:
        answer: dict[str, object] = {"error": exc.reason}
    else:
        answer = {
            "pages": parsed.pages,
            "title": parsed.title,
            "page_labels": list(parsed.page_labels),
            "lines": [[ln.to_json() for ln in page] for page in parsed.lines],
            "info": parsed.info,
            "warning": getattr(parser, "warning", None),
        }
    sys.stdout.write(json.dumps(answer))


def make_pdf_parser(settings: Settings) -> PdfParser:
    """The PDF parser for these settings, isolated and held to the settings' limits."""
    return IsolatedPdfParser.from_settings(settings)


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
        parsed = (pdf_parser or make_pdf_parser(get_settings())).parse(data, name)
        if not any(p.strip() for p in parsed.pages):
            raise DocumentError(
                name, "the PDF has no extractable text (a scanned image? run OCR on it first)"
            )
        return LoadedDocument(
            path,
            parsed.pages,
            "pdf",
            parsed.title,
            data,
            page_labels=parsed.page_labels,
            lines=parsed.lines,
            info=parsed.info,
        )
    if suffix in (".txt", ".md"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentError(
                name, f"not UTF-8 text (invalid byte at offset {exc.start}); re-save it as UTF-8"
            ) from exc
        if suffix == ".md":
            return LoadedDocument(path, [text], "markdown", markdown_title(text), data)
        return LoadedDocument(path, [text], "text-export", None, data)
    raise DocumentError(name, f"unsupported file type {suffix or '(none)'}; use .pdf, .txt or .md")


if __name__ == "__main__":
    _serve_child(int(sys.argv[1]), sys.argv[2])
