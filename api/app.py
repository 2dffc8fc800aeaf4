"""The FastAPI app: built from settings, the pipeline loaded once at start-up.

`create_app(settings)` is what `rag serve` runs (through `app_from_env` for uvicorn's
factory mode, so each worker builds its own) and what tests build with their own
settings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from prometheus_fastapi_instrumentator import Instrumentator

from api.errors import RateLimit, RequestContext, install_error_handlers
from api.guards import SameOrigin, TrustedHosts
from api.openai_schemas import OpenAIError
from api.pdf_pages import PdfPages
from api.pipelines import Pipelines
from api.routes import ask, health, openai_chat, pages, papers
from api.schemas import ANY_ROUTE, LIMITED, ErrorBody, error_docs
from ingest.library import LibraryWriter
from rag.errors import NoIndexError
from rag.pipeline import Pipeline
from rag.settings import Settings, get_settings

log = logging.getLogger("api")
STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """An app serving the API and chat UI for these settings."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pipeline = pipeline or Pipeline(settings, writer=LibraryWriter())
        app.state.pipelines = Pipelines(app.state.pipeline)
        app.state.pipeline.warm_up()
        try:
            snapshot = app.state.pipeline.view()
            log.info("ready: %d papers, %d chunks", len(snapshot.papers), len(snapshot.docs))
        except NoIndexError:
            log.warning("no index yet: run `rag ingest`; /ask answers 503 until then")
        yield

    app = FastAPI(
        title="Papers RAG",
        version=version("papers-rag"),
        description="Questions answered from research papers, every sentence cited to "
        "paper and page, or a plain statement that the papers do not say.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.pdf_pages = PdfPages()
    install_error_handlers(app)
    app.add_middleware(RateLimit, limit=settings.rate_limit)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    # Each added wraps those before it: the Host is checked before the Origin, and
    # RequestContext, outermost, gives every answer (a middleware's too) its request id,
    # its log line and, when something raises, the JSON 500.
    app.add_middleware(SameOrigin, allowed=settings.cors_origins)
    app.add_middleware(TrustedHosts, allowed=settings.allowed_hosts)
    app.add_middleware(
        RequestContext, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    # What the middleware can answer on any route, in each router's error shape.
    app.include_router(ask.router, responses=error_docs(ErrorBody, ANY_ROUTE | LIMITED))
    app.include_router(papers.router, responses=error_docs(ErrorBody, ANY_ROUTE | LIMITED))
    app.include_router(pages.router, responses=error_docs(ErrorBody, ANY_ROUTE | LIMITED))
    app.include_router(health.router, responses=error_docs(ErrorBody, ANY_ROUTE))
    app.include_router(openai_chat.router, responses=error_docs(OpenAIError, ANY_ROUTE | LIMITED))
    Instrumentator(excluded_handlers=["/metrics", "/static/.*"]).instrument(app).expose(
        app, include_in_schema=False
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: settings from the environment, one app per worker.

    Each worker process also sets up its own logging here, so every request's line (with
    its request id) reaches the server log.
    """
    settings = get_settings()
    logging.basicConfig(level=logging.WARNING, format=settings.log_format)
    logging.getLogger("api").setLevel(logging.INFO)
    return create_app(settings)
