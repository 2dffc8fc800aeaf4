"""Shared fixtures: real embedding model, real Chroma (embedded and a `chroma run` server)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.pipeline import Pipeline
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One model-export folder for the run, so servers and CLIs the tests start (which
    inherit the environment) export the query model once rather than once per data dir."""
    folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAG_MODEL_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def embedder(model_cache: Path) -> SentenceTransformerEmbedder:
    """The real default model as the default settings run it, loaded once for the run."""
    model = make_embedder(Settings(_env_file=None, model_cache_dir=model_cache))
    assert model.dimension == 384
    assert model.query_encoder() is not None
    return model


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on 127.0.0.1, started for this test session."""
    binary = Path(sys.executable).parent / "chroma"
    if not binary.exists():
        pytest.fail(f"chroma server binary not found at {binary}; install chromadb")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            "run",
            "--path",
            str(data / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/api/v2/heartbeat", proc, data / "server.log", 60)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the real corpus that a test may change.

    Hidden entries (the upload journal `.staging/` a server run leaves) are not papers.
    """
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns(".*"))
    return target


@pytest.fixture
def private_index(corpus: Path, tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Settings:
    """The real corpus copied and ingested into an embedded index a test may change."""
    from ingest.indexer import ingest

    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")
    assert not ingest(None, settings, embedder=embedder).failed
    return settings


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, corpus: Path) -> Settings:
    """Settings for both store modes; each test gets its own collection."""
    collection = f"t{abs(hash(request.node.nodeid)) % 10**8}"
    if request.param == "server":
        url = request.getfixturevalue("chroma_server")
        return Settings(
            _env_file=None,
            corpus_dir=corpus,
            data_dir=tmp_path / "data",
            chroma_url=url,
            collection=collection,
        )
    return Settings(
        _env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data", collection=collection
    )


@pytest.fixture(scope="session")
def indexed_settings(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Settings:
    """The real corpus ingested once into an embedded index, for tests that only read it."""
    from ingest.indexer import ingest

    data = tmp_path_factory.mktemp("indexed")
    settings = Settings(_env_file=None, corpus_dir=CORPUS, data_dir=data)
    report = ingest(None, settings, embedder=embedder)
    assert not report.failed
    return settings


@pytest.fixture(scope="session")
def pipeline(indexed_settings: Settings, embedder: SentenceTransformerEmbedder) -> Pipeline:
    """A pipeline over the real corpus, shared: `ask` does not change the index."""
    return Pipeline(indexed_settings, embedder=embedder)


def wait_for_http(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    """Poll `url` until it answers, failing loudly with the server log if it never does."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"server at {url} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def gguf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled gemma GGUF, assembled from its package (the `llamacpp` extra)."""
    from rag.llm import resolve_gguf

    return resolve_gguf("gemma3-270m-q4-k-m", tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def llama_server(gguf_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1, running the gemma GGUF."""
    port = free_port()
    logs = tmp_path_factory.mktemp("llama-server") / "server.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--chat_format",
            "gemma",
        ],
        stdout=logs.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for_http(f"http://127.0.0.1:{port}/v1/models", proc, logs, 120)
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=20)
