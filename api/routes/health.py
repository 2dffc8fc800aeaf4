"""`GET /health`: ready or not, index size, backend, version; `?deep=1` checks the index."""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Annotated

from chromadb.errors import ChromaError
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import PipelineDep
from api.schemas import Health, IndexCheckPublic
from rag.errors import NoIndexError
from rag.pipeline import Pipeline

router = APIRouter(tags=["health"])
log = logging.getLogger("api")


def _report(pipeline: Pipeline, deep: bool) -> tuple[int, Health]:
    """Status code and body: the index is read, queried once, and with `deep` self-checked."""
    body = Health(
        status="ok", papers=0, chunks=0, backend=pipeline.backend, version=version("papers-rag")
    )
    try:
        snapshot = pipeline.view()
    except NoIndexError:
        body.status = "no index: run `rag ingest`"
        return 503, body
    body.papers, body.chunks = len(snapshot.papers), len(snapshot.docs)
    try:
        pipeline.probe()
    except ChromaError:
        log.exception("health: the index cannot answer a query")
        body.status = "index broken: it cannot answer a query (the server log says why)"
        return 503, body
    if deep:
        check = pipeline.self_check()
        body.check = IndexCheckPublic(
            sampled=check.sampled, found=check.found, missing=check.missing
        )
        if not check.ok:
            if check.error:
                log.error("health: index self-check failed: %s", check.error)
            body.status = (
                f"index broken: {len(check.missing)} of {check.sampled} sampled chunks not "
                "found by their own vector"
                if not check.error
                else "index broken: the self-check could not read it (the server log says why)"
            )
            return 503, body
    return 200, body


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
