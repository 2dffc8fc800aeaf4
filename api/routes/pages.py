"""A paper's own file and its pages: the evidence of a citation where it stands.

`GET /papers/{id}/file` serves the original (with HTTP ranges, for PDF viewers that load
big files in parts); a PDF's pages are rendered as PNG with a cited passage's sentences
highlighted, or their boxes given as JSON for clients that draw their own.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from api.deps import PagesDep, PipelineDep, SettingsDep
from api.errors import ApiError
from api.pdf_pages import Box, PdfPages, fold
from api.schemas import BoxPublic, ErrorBody, PageBoxes, SentenceBoxes, error_docs
from rag.errors import PageError, PaperNotFoundError
from rag.pipeline import Pipeline
from rag.settings import Settings

router = APIRouter(tags=["papers"])
log = logging.getLogger("api")
MEDIA = {".pdf": "application/pdf", ".txt": "text/plain", ".md": "text/markdown"}
MIN_WIDTH, MAX_WIDTH = 200, 2400
QuoteArg = Annotated[
    list[str] | None,
    Query(
        max_length=20,
        description="The answer's text cited to the passage (repeat for each piece): only "
        "the passage's sentences it quotes are marked.",
    ),
]
PAGE_ERRORS = error_docs(
    ErrorBody,
    {
        404: "no such paper, or a page outside the PDF (the detail names its page count)",
        422: "not a PDF, a PDF that cannot be rendered, a width outside 200-2400, or a "
        "passage of another paper",
        503: "no index yet (run `rag ingest`)",
    },
)


def paper_file(pipeline: Pipeline, settings: Settings, paper_id: str) -> Path:
    """The indexed paper's file in the corpus; 404 when the paper or its file is gone."""
    record = pipeline.paper(paper_id)
    if record is None:
        raise PaperNotFoundError(paper_id)
    path = settings.corpus_dir / (record.meta.source or "")
    if not record.meta.source or not path.is_file():
        raise ApiError(404, "not_found", f"the file of paper {paper_id!r} is not in the corpus")
    return path


def pdf_file(pipeline: Pipeline, settings: Settings, paper_id: str) -> Path:
    """The paper's file when it is a PDF; 422 for text and Markdown papers."""
    path = paper_file(pipeline, settings, paper_id)
    if path.suffix.lower() != ".pdf":
        raise ApiError(422, "not_a_pdf", f"paper {paper_id!r} is {path.suffix} text, not a PDF")
    return path


def cited_sentences(
    pipeline: Pipeline, paper_id: str, chunk_id: str, quotes: list[str] | None = None
) -> list[str]:
    """The sentences of one of the paper's passages that an answer quoted.

    With `quotes` (the answer's text cited to this passage), only the passage's
    sentences the quotes hold, or that hold a quote, are kept; when none match (an LLM
    answer in its own words), or without quotes, every sentence of the passage is.
    Raises 422 for another paper's passage.
    """
    found = pipeline.passage(chunk_id)
    if found is None:
        raise ApiError(404, "not_found", f"no passage with id {chunk_id!r}")
    if found.passage.paper_id != paper_id:
        raise ApiError(
            422, "invalid_input", f"chunk: passage {chunk_id!r} is not of paper {paper_id!r}"
        )
    forms = found.passage.quoted_forms()
    wanted = [fold(q) for q in quotes or () if fold(q)]

    def quoted(form: str) -> bool:
        own = fold(form)
        return bool(own) and any(own in q or q in own for q in wanted)

    return [s for s, form in forms if quoted(form)] or [s for s, _ in forms]


def located(pages: PdfPages, path: Path, page: int, texts: list[str]) -> list[SentenceBoxes]:
    """Each sentence with its boxes on the page (none where it is on another page)."""
    try:
        found = pages.locate(path, page, texts)
    except PageError as exc:
        raise page_error(exc) from exc
    return [
        SentenceBoxes(text=f.text, boxes=[BoxPublic(**vars(b)) for b in f.boxes]) for f in found
    ]


def page_error(exc: PageError) -> ApiError:
    """A page that cannot be shown: 404 when it is outside the PDF, else 422 with why."""
    if exc.page_count is not None:
        return ApiError(404, "not_found", str(exc))
    log.warning("cannot show a PDF page: %s", exc)
    return ApiError(422, "bad_document", str(exc))


@router.get(
    "/papers/{paper_id}/file",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The paper's original file; `Range` requests get 206.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in MEDIA.values()
            },
        },
        **error_docs(ErrorBody, {404: "no such paper or file", 503: "no index yet"}),
    },
)
def get_file(paper_id: str, pipeline: PipelineDep, settings: SettingsDep) -> FileResponse:
    """The paper as it was added: PDF, text or Markdown, named as in the corpus."""
    path = paper_file(pipeline, settings, paper_id)
    return FileResponse(
        path,
        media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"),
        filename=path.name,
        content_disposition_type="inline",
    )


@router.get(
    "/papers/{paper_id}/pages/{page}.png",
    response_class=Response,
    responses={
        200: {
            "description": "The page as PNG, the passage's sentences highlighted.",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        },
        **PAGE_ERRORS,
    },
)
async def page_image(
    paper_id: str,
    page: int,
    pipeline: PipelineDep,
    settings: SettingsDep,
    pages: PagesDep,
    width: Annotated[int, Query(ge=MIN_WIDTH, le=MAX_WIDTH, description="Pixels.")] = 1000,
    highlight: Annotated[
        str | None, Query(max_length=200, description="A passage id whose sentences to mark.")
    ] = None,
    quote: QuoteArg = None,
) -> Response:
    """A PDF page rendered server-side, with the cited passage's sentences highlighted."""

    def draw() -> bytes:
        path = pdf_file(pipeline, settings, paper_id)
        boxes: list[Box] = []
        if highlight:
            texts = cited_sentences(pipeline, paper_id, highlight, quote)
            boxes = [
                Box(**b.model_dump()) for s in located(pages, path, page, texts) for b in s.boxes
            ]
        try:
            return pages.png(path, page, width, boxes)
        except PageError as exc:
            raise page_error(exc) from exc

    png = await run_in_threadpool(draw)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@router.get(
    "/papers/{paper_id}/pages/{page}/boxes", response_model=PageBoxes, responses=PAGE_ERRORS
)
async def page_boxes(
    paper_id: str,
    page: int,
    pipeline: PipelineDep,
    settings: SettingsDep,
    pages: PagesDep,
    chunk: Annotated[str, Query(max_length=200, description="The cited passage's id.")],
    quote: QuoteArg = None,
) -> PageBoxes:
    """Where each sentence of a passage stands on a page, in PDF points from the top left.

    A sentence on another page of the passage comes with no boxes.
    """

    def find() -> PageBoxes:
        path = pdf_file(pipeline, settings, paper_id)
        texts = cited_sentences(pipeline, paper_id, chunk, quote)
        found = located(pages, path, page, texts)
        width, height = pages.size(path, page)
        return PageBoxes(page=page, width=width, height=height, sentences=found)

    return await run_in_threadpool(find)
