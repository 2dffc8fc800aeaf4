"""From raw page text to clean body text with pages, sections and footnotes kept apart.

Text exported from a PDF comes with layout noise: blank lines between lines, words
hyphenated across lines, running headers, footnotes between two halves of a body
sentence, a masthead above the title. Cleaning removes the noise without changing a
word, and remembers where each page and section begins so chunks can cite them. A
PDF's pages are numbered as the PDF numbers them (blank and image-only pages count); a
text export's pages are split at form feeds and running headers, and, where its
catalog entry says so (`page_start = "indent"`), at a line that starts with a space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ingest.clean_document import CleanDocument
from ingest.clean_text import TextCleaner, clean_page
from ingest.loaders import LoadedDocument
from ingest.normalise import normalise, text_key
from ingest.pdf_line import Line
from ingest.structure import Structured, structure
from ingest.text_pages import count_masthead_lines, find_footnote_starts, strip_running_lines
from rag.types import Footnote, PageStart


def clean(
    doc: LoadedDocument,
    title: str | None = None,
    authors: Sequence[str] = (),
    affiliation: str | None = None,
    sections: Sequence[str] = (),
    page_start: PageStart = "formfeed",
) -> CleanDocument:
    """Clean a loaded document; `sections` are headings to recognise whatever their look.

    A PDF read with its layout is cleaned from its lines (`ingest.structure`), which know
    what each line is; the rules of `ingest.clean_text` are for text without layout.
    """
    if doc.lines:
        return _from_layout(doc, structure([[_normalised(ln) for ln in pg] for pg in doc.lines]))
    texts = (
        doc.pages if doc.layout == "pdf" else [p for page in doc.pages for p in page.split("\f")]
    )
    pages = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in texts]
    if doc.layout == "pdf":
        pages = strip_running_lines(pages)
    cleaner = TextCleaner(
        layout=doc.layout,
        known_headings={text_key(s): normalise(s) for s in sections},
        footnote_starts=find_footnote_starts(pages),
        front_matter={text_key(x) for x in (title, affiliation, *authors) if x and text_key(x)},
        indent_starts_page=page_start == "indent",
        masthead_lines=count_masthead_lines(pages[0] if pages else [], title),
    )
    for page_no, lines in enumerate(pages):
        if doc.layout == "pdf":
            cleaner.physical_page(page_no)
        elif page_no:
            cleaner.page_break()
        clean_page(cleaner, lines, page_no)
    cleaner.end_footnote()
    return CleanDocument(
        body="".join(cleaner.parts),
        page_offsets=cleaner.page_offsets or [(0, 0)],
        sections=cleaner.sections,
        footnotes=cleaner.footnotes,
        page_count=len(pages) if doc.layout == "pdf" else cleaner.page + 1,
        page_labels=doc.page_labels,
    )


def _normalised(line: Line) -> Line:
    """A laid-out line with its text normalised as every other text is."""
    return replace(line, text=normalise(line.text), parts=tuple(normalise(p) for p in line.parts))


def _from_layout(doc: LoadedDocument, laid: Structured) -> CleanDocument:
    """The layout's reading of a PDF as a `CleanDocument`."""
    return CleanDocument(
        body=laid.body,
        page_offsets=laid.page_offsets,
        sections=[(h.offset, h.text) for h in laid.headings],
        footnotes=[
            Footnote(
                int(n.marker) if n.marker.isdigit() else None,
                n.text if n.marker.isdigit() else f"{n.marker} {n.text}".strip(),
                n.page,
                n.anchor,
            )
            for n in laid.notes
        ],
        page_count=len(doc.lines),
        page_labels=doc.page_labels,
        kinds=laid.kinds,
        asides=laid.asides,
        headings=laid.headings,
        layout=laid,
    )
