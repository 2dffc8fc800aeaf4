"""The public schemas (issue 19): apart from the core models, bounds in OpenAPI, one error table.

The bounds are read from `/openapi.json` and tried just past and at each one, so what
the document declares and what the server enforces cannot drift apart. Failures after
a stream opened must take the error table's row, as the plain response does, and an
unexpected one must not leak its text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.errors import INTERNAL_DETAIL
from api.schemas import MAX_HISTORY_ITEMS, AnswerPublic, CitationPublic
from rag.embeddings import SentenceTransformerEmbedder
from rag.errors import StoreUnavailableError
from rag.settings import Settings
from rag.types import (
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    MIN_TOP_K,
    Answer,
    Citation,
    Evidence,
    Retrieved,
)
from tests.conftest import free_port
from tests.utils.pipelines import FailingPipeline
from tests.utils.servers import serving

QUESTION = "What are Russia's two fundamental interests concerning the Korean peninsula?"
CHAT = {"model": "papers-extractive", "messages": [{"role": "user", "content": QUESTION}]}
SECRET = "/srv/secret/chroma.sqlite3 SELECT * FROM embeddings"


def component(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    name = str(ref["$ref"]).rsplit("/", 1)[1]
    found: dict[str, Any] = schema["components"]["schemas"][name]
    return found


def bounds(client: httpx.Client) -> dict[str, dict[str, Any]]:
    """The ask request's fields as `/openapi.json` declares them."""
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/ask"]["post"]["requestBody"]["content"]["application/json"]
    fields: dict[str, dict[str, Any]] = component(schema, body["schema"])["properties"]
    return fields


def test_openapi_shows_the_bounds_the_core_enforces(client: httpx.Client) -> None:
    fields = bounds(client)
    assert (fields["question"]["minLength"], fields["question"]["maxLength"]) == (
        1,
        MAX_QUESTION_CHARS,
    )
    assert (fields["top_k"]["minimum"], fields["top_k"]["maximum"]) == (MIN_TOP_K, MAX_TOP_K)
    history = next(s for s in fields["history"]["anyOf"] if s.get("type") == "array")
    assert history["maxItems"] == MAX_HISTORY_ITEMS
    schema = client.get("/openapi.json").json()
    search = schema["paths"]["/passages"]["get"]["parameters"]
    top_k = next(p for p in search if p["name"] == "top_k")["schema"]
    assert (top_k["minimum"], top_k["maximum"]) == (MIN_TOP_K, MAX_TOP_K)


def past_and_at(fields: dict[str, dict[str, Any]]) -> Iterator[tuple[str, Any, Any]]:
    """For each declared bound: the field, a value just past it and a value at it."""
    question, top_k = fields["question"], fields["top_k"]
    yield "question", "", "x" * question["minLength"]
    yield "question", "x" * (question["maxLength"] + 1), "x" * question["maxLength"]
    yield "top_k", top_k["minimum"] - 1, top_k["minimum"]
    yield "top_k", top_k["maximum"] + 1, top_k["maximum"]
    most = next(s for s in fields["history"]["anyOf"] if s.get("type") == "array")["maxItems"]
    turn = {"role": "user", "content": "What does Russia want?"}
    yield "history", [turn] * (most + 1), [turn] * most


def test_a_request_past_a_declared_bound_is_422_naming_the_field(client: httpx.Client) -> None:
    for field, past, at in past_and_at(bounds(client)):
        base = {"question": QUESTION}
        for path in ("/ask", "/ask/stream"):
            r = client.post(path, json={**base, field: past})
            assert r.status_code == 422, (path, field, r.text)
            body = r.json()
            assert set(body) == {"error", "detail", "retryable", "request_id"}, body
            assert body["error"] == "invalid_input" and body["detail"].startswith(f"{field}:")
            assert body["request_id"] == r.headers["x-request-id"]
        r = client.post("/ask", json={**base, field: at})
        assert r.status_code == 200, (field, r.text[:300])


def test_answer_public_is_its_own_model_and_keeps_every_field() -> None:
    assert not issubclass(AnswerPublic, Answer) and not issubclass(CitationPublic, Citation)
    cited = Citation(n=1, chunk_id="p:1", paper_id="p", title="T", page=2, text="Text.")
    answer = Answer(
        answer="Text. [1]",
        answered=True,
        citations=[cited],
        related=[cited],
        retrieved=[Retrieved(rank=1, score=0.5, **cited.model_dump(exclude={"n"}))],
        unsupported=["An unsupported sentence."],
        backend="extractive",
        fallback_reason="no LLM configured",
        timings_ms={"total": 1.5},
        evidence=Evidence(
            best_dense=0.5, term_coverage=0.3, known_terms=1.0, missing_keys=["X"], sentences=2
        ),
    )
    assert AnswerPublic.of(answer).model_dump() == answer.model_dump()


def test_ask_and_the_streams_done_event_send_the_public_model(client: httpx.Client) -> None:
    asked = client.post("/ask", json={"question": QUESTION}).json()
    assert set(asked) == set(AnswerPublic.model_fields)
    r = client.post("/ask/stream", json={"question": QUESTION})
    done = r.text.split("event: done", 1)[1].split("data:", 1)[1].splitlines()[0]
    streamed = AnswerPublic.model_validate_json(done).model_dump()
    assert set(json.loads(done)) == set(AnswerPublic.model_fields)
    for key in ("answer", "answered", "citations", "related", "backend"):
        assert streamed[key] == asked[key], key
    schema = client.get("/openapi.json").json()
    ok = schema["paths"]["/ask"]["post"]["responses"]["200"]["content"]["application/json"]
    public = component(schema, ok["schema"])
    assert public["title"] == "AnswerPublic"
    assert component(schema, public["properties"]["citations"]["items"])["title"] == (
        "CitationPublic"
    )


@pytest.fixture(scope="module")
def failing(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> Iterator[tuple[FailingPipeline, httpx.Client]]:
    pipeline = FailingPipeline(api_settings, embedder=embedder)
    pipeline.failure = RuntimeError(SECRET)
    with (
        serving(create_app(api_settings, pipeline), free_port()) as url,
        httpx.Client(base_url=url, timeout=60) as c,
    ):
        yield pipeline, c


def stream_error(r: httpx.Response) -> dict[str, Any]:
    """The data of a stream's error event: `/ask/stream`'s `event: error`, or /v1's."""
    assert r.status_code == 200, r.text
    data = r.text.split("event: error", 1)[-1].split("data:", 1)[1].splitlines()[0]
    found: dict[str, Any] = json.loads(data)
    return found


def test_a_project_error_in_a_stream_takes_the_error_tables_row(
    failing: tuple[FailingPipeline, httpx.Client],
) -> None:
    pipeline, c = failing
    pipeline.failure = StoreUnavailableError("the Chroma server cannot be reached")
    plain = c.post("/ask", json={"question": QUESTION})
    assert plain.status_code == 503 and plain.json()["error"] == "store_unavailable"
    assert plain.json()["retryable"] is True
    streamed = c.post("/ask/stream", json={"question": QUESTION})
    assert stream_error(streamed) == {
        **plain.json(),
        "request_id": streamed.headers["x-request-id"],
    }
    chatted = c.post("/v1/chat/completions", json=CHAT)
    chat_streamed = stream_error(c.post("/v1/chat/completions", json={**CHAT, "stream": True}))
    assert chatted.status_code == 503 and chat_streamed == chatted.json()


def test_an_unexpected_error_in_a_stream_hides_its_text(
    failing: tuple[FailingPipeline, httpx.Client],
) -> None:
    pipeline, c = failing
    pipeline.failure = RuntimeError(SECRET)
    streamed = c.post("/ask/stream", json={"question": QUESTION})
    chat = c.post("/v1/chat/completions", json={**CHAT, "stream": True})
    for r in (streamed, chat):
        assert "secret" not in r.text and "SELECT" not in r.text and "Traceback" not in r.text
    assert stream_error(streamed) == {
        "error": "internal",
        "detail": INTERNAL_DETAIL,
        "retryable": False,
        "request_id": streamed.headers["x-request-id"],
    }
    error = stream_error(chat)["error"]
    assert (error["code"], error["message"], error["type"]) == (
        "internal",
        INTERNAL_DETAIL,
        "server_error",
    )
