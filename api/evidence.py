"""Where a passage stands in its PDF: the pages it covers and its sentences' boxes there.

For `/passages/{id}` and the MCP `search_passages` tool, so a client can show the same
highlight the chat page shows. A passage of a text or Markdown paper, or of a PDF that
cannot be read, has no boxes: that never fails the request it rides on.
"""

from __future__ import annotations

import logging

from api.pdf_pages import PdfPages
from api.schemas import BoxPublic, PageBoxes, SentenceBoxes
from rag.errors import PageError
from rag.settings import Settings
from rag.types import PaperRecord, ScoredPassage

log = logging.getLogger("api")


def passage_boxes(
    pages: PdfPages, settings: Settings, passage: ScoredPassage, paper: PaperRecord | None
) -> list[PageBoxes]:
    """Each page of the passage (of `paper`) with the boxes of its sentences found there."""
    source = paper.meta.source if paper is not None else None
    path = settings.corpus_dir / (source or "")
    if not source or path.suffix.lower() != ".pdf" or not path.is_file():
        return []
    texts = passage.sentences()
    first, last = passage.page, passage.page_end
    out: list[PageBoxes] = []
    for page in range(first, last + 1):
        try:
            found = pages.locate(path, page, texts)
            width, height = pages.size(path, page)
        except PageError as exc:
            log.warning("no boxes for passage %s on page %d: %s", passage.chunk_id, page, exc)
            continue
        placed = [
            SentenceBoxes(text=f.text, boxes=[BoxPublic(**vars(b)) for b in f.boxes])
            for f in found
            if f.boxes
        ]
        out.append(PageBoxes(page=page, width=width, height=height, sentences=placed))
    return out
