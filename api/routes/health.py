"""`GET /health`: ready or not, index size, backend, version."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import PipelineDep
from api.schemas import Health
from rag.errors import NoIndexError

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def health(pipeline: PipelineDep) -> Health | JSONResponse:
    """200 when questions can be answered; 503 (with the same body) while there is no index."""
    try:
        snapshot = pipeline.retriever.snapshots.current()
    except NoIndexError:
        body = Health(
            status="no index: run `rag ingest`",
            papers=0,
            chunks=0,
            backend=pipeline.backend,
            version=version("papers-rag"),
        )
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(
        status="ok",
        papers=len(snapshot.papers),
        chunks=len(snapshot.docs),
        backend=pipeline.backend,
        version=version("papers-rag"),
    )
