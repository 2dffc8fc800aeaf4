"""HTTP edges of issue 14, finding 8, each against a real server.

Lone surrogates, 500s a pooled client survives, no internals in errors, 413 for a
chunked body, `Retry-After`, an unlimited `/health`, `X-Forwarded-For` believed only
from configured proxies, bounds and statuses in OpenAPI, `Allow` on 405.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.errors import INTERNAL_DETAIL, ApiError, classify
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import (
    BackendTimeoutError,
    BackendUnavailableError,
    InvalidInputError,
    NoIndexError,
    StoreUnavailableError,
)
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import MAX_QUESTION_CHARS
from tests.conftest import free_port, wait_for_http
from tests.utils.cli import RAG
from tests.utils.pipelines import FailingPipeline
from tests.utils.servers import serving

QUESTION = "What are Russia's two fundamental interests concerning the Korean peninsula?"
PAPER1 = "russia-korea-policy-21st-century"
LONE = "S2ORC \\ud800 corpus"  # as raw JSON: a lone surrogate escape, valid JSON, not text


def raw(c: httpx.Client, path: str, body: str) -> httpx.Response:
    return c.post(path, content=body.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/ask", f'{{"question": "{LONE}"}}', "question"),
        ("/ask/stream", f'{{"question": "{LONE}"}}', "question"),
        ("/ask", f'{{"question": "ok?", "papers": ["{LONE}"]}}', "papers.0"),
        (
            "/ask",
            f'{{"question": "And?", "history": [{{"role": "user", "content": "{LONE}"}}]}}',
            "history.0.content",
        ),
        ("/ask", f'{{"question": "ok?", "{LONE}": 1}}', "body"),
    ],
)
def test_a_lone_surrogate_is_422_naming_the_field(
    client: httpx.Client, path: str, body: str, field: str
) -> None:
    r = raw(client, path, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_input" and r.json()["detail"].startswith(f"{field}:")


@pytest.mark.parametrize(
    "body",
    [
        f'{{"model": "papers-extractive", "messages": [{{"role": "user", "content": "{LONE}"}}]}}',
        '{"model": "papers-extractive", "messages": [{"role": "user", "content": '
        f'[{{"type": "text", "text": "{LONE}"}}]}}]}}',
        f'{{"model": "{LONE}", "messages": [{{"role": "user", "content": "ok?"}}]}}',
        '{"model": "papers-extractive", "messages": [{"role": "user", "content": "ok?"}], '
        f'"papers": ["{LONE}"]}}',
    ],
)
def test_a_lone_surrogate_in_a_chat_completion_is_422(client: httpx.Client, body: str) -> None:
    r = raw(client, "/v1/chat/completions", body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input"


@pytest.fixture(scope="module")
def broken_url(api_settings: Settings, embedder: SentenceTransformerEmbedder) -> Iterator[str]:
    broken = FailingPipeline(api_settings, embedder=embedder)
    broken.failure = RuntimeError(f"index broken at {api_settings.resolved_chroma_path}")
    app = create_app(api_settings, broken)
    with serving(app, free_port()) as url:
        yield url


def test_a_500_has_its_request_id_a_log_line_and_closes_the_connection(
    broken_url: str, api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api")
    secret = str(api_settings.resolved_chroma_path)
    chat = {"model": "papers-extractive", "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.Client(base_url=broken_url, timeout=60) as c:
        asked = c.post("/ask", json={"question": QUESTION}, headers={"X-Request-ID": "boom-ask"})
        # The pooled client's next request, on a fresh connection, is answered.
        assert c.get("/health").status_code == 200
        chatted = c.post("/v1/chat/completions", json=chat, headers={"X-Request-ID": "boom-v1"})
        assert c.get("/health").status_code == 200
    for r, rid in ((asked, "boom-ask"), (chatted, "boom-v1")):
        assert r.status_code == 500, r.text
        assert r.headers["x-request-id"] == rid and r.headers["connection"] == "close"
        assert secret not in r.text and "Traceback" not in r.text
        failed = [x.exc_info for x in caplog.records if x.getMessage().startswith(f"{rid} POST")]
        assert any(exc and secret in str(exc[1]) for exc in failed), rid
        lines = [x.getMessage() for x in caplog.records]
        assert any(line.startswith(f"{rid} POST {r.request.url.path} 500 ") for line in lines)
    assert asked.json() == {
        "error": "internal",
        "detail": INTERNAL_DETAIL,
        "retryable": False,
        "request_id": "boom-ask",
    }
    assert chatted.json()["error"]["code"] == "internal"


def test_a_stream_error_names_the_request_id_not_the_exception(
    broken_url: str, api_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api")
    with httpx.Client(base_url=broken_url, timeout=60) as c:
        r = c.post("/ask/stream", json={"question": QUESTION})
    assert r.status_code == 200 and "event: error" in r.text
    data = json.loads(r.text.split("data:", 1)[1].splitlines()[0])
    assert data == {
        "error": "internal",
        "detail": INTERNAL_DETAIL,
        "retryable": False,
        "request_id": r.headers["x-request-id"],
    }
    assert str(api_settings.resolved_chroma_path) not in r.text
    assert any(
        rec.exc_info and r.headers["x-request-id"] in rec.getMessage() for rec in caplog.records
    )


def chunked(data: bytes, size: int = 16_384) -> Iterator[bytes]:
    """`data` as a body without Content-Length (Transfer-Encoding: chunked)."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_an_over_limit_chunked_body_is_413(client: httpx.Client, api_settings: Settings) -> None:
    boundary = "papers-rag-boundary"
    upload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + b"word " * (api_settings.max_upload_bytes // 4)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = client.post(
        "/papers",
        content=chunked(upload),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "too_large" and r.headers["connection"] == "close"
    question = json.dumps({"question": "x" * api_settings.max_body_bytes}).encode()
    r = client.post("/ask", content=chunked(question), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert client.get("/papers").status_code == 200


def test_429_says_when_to_retry_and_health_is_never_limited(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    tight = api_settings.model_copy(update={"rate_limit": "2/minute"})
    app = create_app(tight, Pipeline(tight, embedder=embedder))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        assert [c.get("/papers").status_code for _ in range(3)] == [200, 200, 429]
        r = c.get("/papers")
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        chat = c.get("/v1/models")
        assert chat.status_code == 429 and chat.json()["error"]["type"] == "rate_limit_error"
        assert 1 <= int(chat.headers["retry-after"]) <= 60
        assert [c.get("/health").status_code for _ in range(5)] == [200] * 5


Serve = Callable[[dict[str, str]], str]


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Serve]:
    """Start `rag serve` as a user would, with RAG_* settings; stop it after the test."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> str:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        settings = {
            "RAG_CORPUS_DIR": str(tmp_path / "corpus"),
            "RAG_DATA_DIR": str(tmp_path / "data"),
            "RAG_RATE_LIMIT": "5/minute",
        }
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [RAG, "serve", "--port", str(port)],
                env={**os.environ, **settings, **env},
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_for_http(f"{url}/metrics", proc, log, 120)  # not rate limited
        return url

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


def statuses_behind_forged_forwarded_for(url: str) -> list[int]:
    """200 requests from this one loopback client, each claiming another address."""
    with httpx.Client(base_url=url, timeout=60) as c:
        return [
            c.get(
                "/v1/models", headers={"X-Forwarded-For": f"203.0.113.{n % 250}, 10.0.{n}.1"}
            ).status_code
            for n in range(200)
        ]


def test_forwarded_for_is_believed_only_from_a_configured_proxy(serve_process: Serve) -> None:
    direct = statuses_behind_forged_forwarded_for(serve_process({}))
    assert direct.count(200) == 5 and direct[5:] == [429] * 195
    proxied = serve_process({"RAG_TRUSTED_PROXIES": '["127.0.0.1"]'})
    assert statuses_behind_forged_forwarded_for(proxied).count(429) == 0


def test_openapi_declares_the_bounds_and_every_status(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    parts = schema["components"]["schemas"]
    question = parts["AskRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"]) == (1, MAX_QUESTION_CHARS)
    for name in ("AskRequest", "ChatCompletionRequest"):
        top_k = parts[name]["properties"]["top_k"]
        assert (top_k["minimum"], top_k["maximum"]) == (1, 20), name
    form = schema["paths"]["/papers"]["post"]["requestBody"]["content"]["multipart/form-data"]
    file_doc = parts[form["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["file"]["description"]
    assert all(kind in file_doc for kind in (".pdf", ".txt", ".md", "RAG_MAX_UPLOAD_BYTES"))
    documented = {
        (path, method): set(op["responses"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    for (path, method), codes in documented.items():
        assert {"421", "500"} <= codes, (path, method)
        if path != "/health":
            assert "429" in codes, (path, method)
        if method in ("post", "delete"):
            assert {"403", "413"} <= codes, (path, method)
    for path in ("/ask", "/ask/stream", "/v1/chat/completions"):
        assert {"401", "422", "503", "504"} <= documented[(path, "post")], path
    assert {"401", "404", "503"} <= documented[("/papers/{paper_id}", "delete")]
    assert {"400", "401", "413", "422", "503"} <= documented[("/papers", "post")]
    for path in ("/papers", "/papers/{paper_id}", "/papers/{paper_id}/cite"):
        assert "503" in documented[(path, "get")], path
    assert {"404", "503"} <= documented[("/passages/{chunk_id}", "get")]


def test_405_names_the_allowed_methods(client: httpx.Client) -> None:
    for method, path, allowed in (
        ("PUT", "/ask", {"POST"}),
        ("GET", "/ask", {"POST"}),
        ("DELETE", "/health", {"GET"}),
        ("PATCH", f"/papers/{PAPER1}", {"GET", "DELETE"}),
    ):
        r = client.request(method, path)
        assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
        assert set(r.headers["allow"].replace(" ", "").split(",")) == allowed, path


def test_the_error_table_says_whether_a_retry_can_help() -> None:
    for later in (
        StoreUnavailableError("down"),
        BackendUnavailableError("down"),
        BackendTimeoutError("slow"),
        ApiError(504, "timeout", "slow"),
        ApiError(429, "rate_limited", "busy"),
    ):
        assert classify(later).retryable, later
    for never in (
        NoIndexError("data/chroma"),
        InvalidInputError("question", "must not be empty"),
        ApiError(404, "not_found", "no such paper"),
        RuntimeError("a bug"),
    ):
        assert not classify(never).retryable, never


def test_a_read_only_pipeline_refuses_uploads_and_deletes_with_405(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    app = create_app(api_settings, Pipeline(api_settings, embedder=embedder))
    with serving(app, free_port()) as url, httpx.Client(base_url=url, timeout=60) as c:
        papers = c.get("/papers").json()
        added = c.post("/papers", files={"file": ("notes.md", b"# Notes\n\nText.", "text/plain")})
        removed = c.delete(f"/papers/{papers[0]['id']}")
        for r in (added, removed):
            assert r.status_code == 405, r.text
            assert r.json()["error"] == "read_only" and not r.json()["retryable"]
            assert "writer" in r.json()["detail"]
        assert c.get("/papers").json() == papers
