"""The official OpenAI SDK against the real server: cited answers, streams, refusals, errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import openai
import pytest
from openai import OpenAI
from pydantic import SecretStr

from api.app import create_app
from rag.embeddings import SentenceTransformerEmbedder
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.conftest import free_port
from tests.utils.servers import serving

QUESTION = "What are Russia's two fundamental interests concerning the Korean peninsula?"
PAPER1 = "russia-korea-policy-21st-century"
MODEL = "papers-extractive"


@pytest.fixture
def sdk(api_url: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{api_url}/v1", api_key="not-needed", max_retries=0) as c:
        yield c


def ask(sdk: OpenAI, question: str) -> openai.types.chat.ChatCompletion:
    return sdk.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], temperature=0.2
    )


def test_models_list_the_backends_this_server_answers_with(sdk: OpenAI) -> None:
    assert {m.id for m in sdk.models.list()} == {"papers-extractive"}
    with pytest.raises(openai.NotFoundError) as unconfigured:
        sdk.chat.completions.create(
            model="papers-llamacpp", messages=[{"role": "user", "content": QUESTION}]
        )
    assert unconfigured.value.code == "model_not_found"
    assert "papers-extractive" in unconfigured.value.message


def test_an_answer_keeps_its_markers_and_ends_with_its_sources(sdk: OpenAI) -> None:
    reply = ask(sdk, QUESTION)
    text = reply.choices[0].message.content or ""
    assert reply.choices[0].finish_reason == "stop" and reply.model == MODEL
    answer, sources = text.split("\n\nSources:\n")
    assert "Second, Russia does not want a war in Korea. [1]" in answer
    assert sources.startswith("[1] Russia's Korea Policy in the 21st Century, p. 31")
    extra = reply.model_extra or {}
    assert extra["answered"] is True and extra["related"] == []
    assert (
        extra["citations"][0]["paper_id"] == PAPER1 and extra["citations"][0]["page_label"] == "31"
    )
    assert len(sources.splitlines()) == len(extra["citations"])


def test_streaming_gives_the_same_text_then_the_citations(sdk: OpenAI) -> None:
    whole = ask(sdk, QUESTION).choices[0].message.content
    chunks = list(
        sdk.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    pieces = [c.choices[0].delta.content or "" for c in chunks]
    assert len([p for p in pieces if p]) >= 3 and "".join(pieces) == whole
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"][0]["paper_id"] == PAPER1


def test_the_raw_stream_ends_with_done(api_url: str) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.Client(timeout=60) as c:
        r = c.post(f"{api_url}/v1/chat/completions", json=body)
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [line for line in r.text.split("\n\n") if line]
    assert events[-1] == "data: [DONE]" and all(e.startswith("data: {") for e in events[:-1])


def test_an_off_topic_question_is_refused_with_the_closest_passages(sdk: OpenAI) -> None:
    reply = ask(sdk, "Give me a recipe for apple pie.")
    text = reply.choices[0].message.content or ""
    assert text.startswith("The papers do not contain the answer")
    assert "\n\nClosest passages:\n[1] " in text
    extra = reply.model_extra or {}
    assert extra["answered"] is False and extra["citations"] == [] and extra["related"]


def test_earlier_turns_are_history_and_extra_body_scopes_papers(sdk: OpenAI) -> None:
    first = ask(sdk, QUESTION).choices[0].message.content or ""
    reply = sdk.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": first},
            {"role": "user", "content": [{"type": "text", "text": "And what about South Korea?"}]},
        ],
        extra_body={"papers": [PAPER1], "top_k": 4},
    )
    extra = reply.model_extra or {}
    assert extra["answered"] and {c["paper_id"] for c in extra["citations"]} == {PAPER1}
    assert "South Korea" in (reply.choices[0].message.content or "")


def test_errors_come_in_openai_shape_as_sdk_exceptions(sdk: OpenAI, api_url: str) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        sdk.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.code == "model_not_found" and missing.value.param == "model"
    with pytest.raises(openai.UnprocessableEntityError) as empty:
        ask(sdk, "   ")
    assert empty.value.param == "question" and "must not be empty" in empty.value.message
    with pytest.raises(openai.UnprocessableEntityError) as last:
        sdk.chat.completions.create(
            model=MODEL, messages=[{"role": "assistant", "content": "Hello"}]
        )
    assert last.value.param == "messages"
    with pytest.raises(openai.UnprocessableEntityError) as top_k:
        sdk.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "ok?"}], extra_body={"top_k": 0}
        )
    assert top_k.value.param == "top_k"
    with httpx.Client(timeout=60) as c:
        r = c.get(f"{api_url}/v1/no-such-route")
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "message": "Not Found",
            "type": "invalid_request_error",
            "param": None,
            "code": "not_found",
        }
    }


def test_the_api_key_is_read_from_the_bearer_header(
    api_settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    locked = api_settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    app = create_app(locked, Pipeline(locked, embedder=embedder))
    with serving(app, free_port()) as url:
        wrong = OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0)
        with pytest.raises(openai.AuthenticationError) as denied:
            ask(wrong, QUESTION)
        assert denied.value.code == "unauthorized"
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
        right = OpenAI(base_url=f"{url}/v1", api_key="s3cret-key", max_retries=0)
        assert (ask(right, QUESTION).model_extra or {})["answered"] is True
