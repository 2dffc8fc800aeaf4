"""What routes depend on, as `Annotated` aliases: settings, the pipeline, the API key."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from api.errors import ApiError
from api.pdf_pages import PdfPages
from api.pipelines import Pipelines
from rag.pipeline import Pipeline
from rag.settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_pipeline(request: Request) -> Pipeline:
    """The one pipeline built at start-up."""
    pipeline: Pipeline = request.app.state.pipeline
    return pipeline


def get_pipelines(request: Request) -> Pipelines:
    """Pipelines by backend, for routes where the client picks who answers."""
    pipelines: Pipelines = request.app.state.pipelines
    return pipelines


def get_pages(request: Request) -> PdfPages:
    """The app's page renderer, whose cache all requests share."""
    pages: PdfPages = request.app.state.pdf_pages
    return pages


SettingsDep = Annotated[Settings, Depends(get_settings)]
PagesDep = Annotated[PdfPages, Depends(get_pages)]
PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]
PipelinesDep = Annotated[Pipelines, Depends(get_pipelines)]


def require_key(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """With RAG_API_KEY set, demand `Authorization: Bearer <key>`, compared in constant time."""
    if settings.api_key is None:
        return
    scheme, _, given = (authorization or "").partition(" ")
    expected = settings.api_key.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise ApiError(401, "unauthorized", "missing or wrong API key (Authorization: Bearer)")


KeyDep = Depends(require_key)
