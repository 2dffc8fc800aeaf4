"""Papers: list, show, upload, delete; and a cited passage with its neighbours."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.deps import KeyDep, PagesDep, PipelineDep, SettingsDep
from api.errors import ApiError
from api.evidence import passage_boxes
from api.schemas import (
    CHANGE_REFUSALS,
    ErrorBody,
    PaperInfo,
    PassagePublic,
    PassageView,
    ScoredPassagePublic,
    Text,
    error_docs,
)
from rag.errors import PaperNotFoundError
from rag.pipeline import Pipeline
from rag.types import (
    ANSWER_KINDS,
    CITATION_MEDIA_TYPES,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    MIN_TOP_K,
    TOP_K_HELP,
    ChunkKind,
    CitationFormat,
    PaperRecord,
    Upload,
)

router = APIRouter(tags=["papers"])
NO_INDEX = error_docs(ErrorBody, {503: "no index yet (run `rag ingest`), or it cannot be reached"})
NOT_FOUND = {**NO_INDEX, **error_docs(ErrorBody, {404: "no such paper or passage"})}
CHANGES = {
    **NOT_FOUND,
    **error_docs(
        ErrorBody,
        {
            400: "the body is not a multipart form",
            401: "API key missing or wrong",
            **CHANGE_REFUSALS,
            405: "this server's pipeline was built without a paper writer (read-only)",
            422: "a bad file or field, naming the reason",
        },
    ),
}


@router.get("/papers", response_model=list[PaperInfo], responses=NO_INDEX)
def list_papers(pipeline: PipelineDep) -> list[PaperInfo]:
    """Every indexed paper with its metadata and chunk count."""
    return [PaperInfo.of(r) for r in sorted(pipeline.papers().values(), key=lambda r: r.meta.title)]


def indexed(pipeline: Pipeline, paper_id: str) -> PaperRecord:
    """The indexed paper with this id, or a 404."""
    record = pipeline.paper(paper_id)
    if record is None:
        raise PaperNotFoundError(paper_id)
    return record


@router.get("/papers/{paper_id}", response_model=PaperInfo, responses=NOT_FOUND)
def get_paper(paper_id: str, pipeline: PipelineDep) -> PaperInfo:
    """One paper."""
    return PaperInfo.of(indexed(pipeline, paper_id))


@router.get(
    "/papers/{paper_id}/cite",
    response_class=Response,
    responses={
        200: {
            "description": "The citation; only fields papers.toml knows are written.",
            "content": {
                CITATION_MEDIA_TYPES["bibtex"]: {"schema": {"type": "string"}},
                CITATION_MEDIA_TYPES["ris"]: {"schema": {"type": "string"}},
                CITATION_MEDIA_TYPES["csl-json"]: {
                    "schema": {"type": "array", "items": {"type": "object"}}
                },
            },
        },
        **NOT_FOUND,
        422: {"model": ErrorBody, "description": "unknown format"},
    },
)
def cite_paper(
    paper_id: str,
    pipeline: PipelineDep,
    fmt: Annotated[
        CitationFormat, Query(alias="format", description="bibtex, ris or csl-json.")
    ] = "bibtex",
) -> Response:
    """A paper's citation for a reference manager: BibTeX, RIS or CSL-JSON."""
    text = pipeline.cite(paper_id, fmt)
    return Response(text, media_type=f"{CITATION_MEDIA_TYPES[fmt]}; charset=utf-8")


@router.post(
    "/papers",
    response_model=PaperInfo,
    status_code=201,
    responses={
        **CHANGES,
        409: {"model": ErrorBody, "description": "the same file is already indexed"},
    },
    dependencies=[KeyDep],
)
async def upload_paper(
    file: Annotated[
        UploadFile,
        File(
            description="A .pdf, .txt or .md paper of at most RAG_MAX_UPLOAD_BYTES "
            "(20,000,000 by default)."
        ),
    ],
    pipeline: PipelineDep,
    settings: SettingsDep,
    title: Annotated[str | None, Form(max_length=300)] = None,
    authors: Annotated[str | None, Form(description="Separated by `;`.", max_length=1000)] = None,
    year: Annotated[int | None, Form(ge=1000, le=2100)] = None,
) -> PaperInfo:
    """Check an uploaded paper (type by content, size, extractable text) and index it.

    A bad file gets a 4xx naming the reason and leaves the index as it was.
    """
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ApiError(413, "too_large", f"paper over {settings.max_upload_bytes} bytes")
    upload = Upload(
        filename=file.filename or "upload",
        data=data,
        title=title.strip() if title and title.strip() else None,
        authors=tuple(a.strip() for a in (authors or "").split(";") if a.strip()),
        year=year,
    )
    return PaperInfo.of(await run_in_threadpool(pipeline.add_paper, upload))


@router.delete("/papers/{paper_id}", status_code=204, responses=CHANGES, dependencies=[KeyDep])
async def delete_paper(paper_id: str, pipeline: PipelineDep) -> None:
    """Remove a paper and all its chunks from the index, and its file from the corpus."""
    await run_in_threadpool(pipeline.remove_paper, paper_id)


@router.get("/passages", response_model=list[ScoredPassagePublic], responses=NO_INDEX)
def search_passages(
    pipeline: PipelineDep,
    q: Annotated[Text, Query(description="What to look for.", max_length=MAX_QUESTION_CHARS)],
    kinds: Annotated[
        list[ChunkKind] | None,
        Query(
            description="Kinds of passage to search (repeat the parameter); by default those "
            "answers draw on: body, abstract, footnote, caption. `references`, `table` and "
            "`front` are found only when asked for."
        ),
    ] = None,
    papers: Annotated[list[Text] | None, Query(description="Only these paper ids.")] = None,
    top_k: Annotated[int, Query(ge=MIN_TOP_K, le=MAX_TOP_K, description=TOP_K_HELP)] = 5,
) -> list[ScoredPassagePublic]:
    """Passages matching a query, of the kinds asked for, without composing an answer."""
    found = pipeline.search(q, papers=papers, top_k=top_k, kinds=kinds or ANSWER_KINDS)
    return [ScoredPassagePublic.of(p) for p in found]


@router.get("/passages/{chunk_id}", response_model=PassageView, responses=NOT_FOUND)
def get_passage(
    chunk_id: str, pipeline: PipelineDep, settings: SettingsDep, pages: PagesDep
) -> PassageView:
    """A passage with the text before and after it, and for a PDF its boxes on its pages."""
    found = pipeline.passage(chunk_id)
    if found is None:
        raise ApiError(404, "not_found", f"no passage with id {chunk_id!r}")
    return PassageView(
        passage=PassagePublic.of(found.passage),
        before=found.before,
        after=found.after,
        pages=passage_boxes(pages, settings, found.passage, found.paper),
    )
