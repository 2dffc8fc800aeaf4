"""An API server over a private copy of the corpus, served on 127.0.0.1 for each module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from ingest.indexer import ingest
from ingest.library import LibraryWriter
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.conftest import CORPUS, free_port
from tests.utils.servers import serving


@pytest.fixture(scope="module")
def api_settings(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Settings:
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(CORPUS, root / "corpus")
    settings = Settings(
        _env_file=None,
        corpus_dir=root / "corpus",
        data_dir=root / "data",
        max_upload_bytes=200_000,
        rate_limit="1000/minute",
    )
    ingest(None, settings, embedder=embedder)
    return settings


def serve(settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    pipeline = Pipeline(settings, embedder=embedder, writer=LibraryWriter())
    with serving(create_app(settings, pipeline), free_port()) as url:
        yield url


@pytest.fixture(scope="module")
def api_url(api_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    yield from serve(api_settings, embedder)


@pytest.fixture
def client(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=60) as c:
        yield c


def corpus_files(settings: Settings) -> set[Path]:
    return set(settings.corpus_dir.iterdir())
