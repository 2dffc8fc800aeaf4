"""`GET /health`: ready or not, index size, backend, version; `?deep=1` checks the index."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import PipelineDep
from api.schemas import Health, IndexCheckPublic
from rag.pipeline import Pipeline

router = APIRouter(tags=["health"])


def _report(pipeline: Pipeline, deep: bool) -> tuple[int, Health]:
    """Status code and body: the index is read, queried once, and with `deep` self-checked."""
    state = pipeline.health(deep)
    check = state.check
    body = Health(
        status=state.status,
        papers=state.papers,
        chunks=state.chunks,
        backend=pipeline.backend,
        version=version("papers-rag"),
        check=IndexCheckPublic(sampled=check.sampled, found=check.found, missing=check.missing)
        if check
        else None,
    )
    return (200 if state.ready else 503), body


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(
    pipeline: PipelineDep,
    deep: Annotated[
        bool, Query(description="Also look sampled chunks up by their own vector (slower).")
    ] = False,
) -> Health | JSONResponse:
    """200 when questions can be answered; 503 (same body) with no index or a broken one."""
    status, body = await run_in_threadpool(_report, pipeline, deep)
    if status != 200:
        return JSONResponse(body.model_dump(), status_code=status)
    return body
