"""`POST /ask` and `POST /ask/stream`: a question in, a cited answer (or refusal) out."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import KeyDep, PipelineDep, SettingsDep
from api.errors import INTERNAL_DETAIL, ApiError, request_id
from api.schemas import CHANGE_REFUSALS, AnswerPublic, AskRequest, ErrorBody, error_docs
from rag.answer import Answer
from rag.pipeline import Pipeline
from rag.settings import Settings

# Answers are streamed a cited sentence at a time: each piece ends at a `[n]` marker, and
# the pieces joined with single spaces are exactly the answer text.
SENTENCE_END = re.compile(r"(?<=\]) (?=\S)")
log = logging.getLogger("api")

router = APIRouter(tags=["ask"], dependencies=[KeyDep])

ERRORS = error_docs(
    ErrorBody,
    {
        400: "a project error without a more specific status",
        401: "API key missing or wrong",
        **CHANGE_REFUSALS,
        422: "bad input, naming the field",
        503: "no index yet (run `rag ingest`), or the answering backend cannot be loaded",
        504: "the answer took longer than the request timeout",
    },
)


def stream_pieces(text: str) -> list[str]:
    """The answer a cited sentence at a time; joined, the pieces are exactly `text`."""
    pieces = SENTENCE_END.split(text)
    return [p + " " for p in pieces[:-1]] + pieces[-1:]


async def answer_in_time(pipeline: Pipeline, settings: Settings, body: AskRequest) -> Answer:
    """Run the (blocking) pipeline off the event loop, bounded by the request timeout."""
    try:
        return await asyncio.wait_for(
            run_in_threadpool(pipeline.ask, body.question, body.history, body.papers, body.top_k),
            timeout=settings.request_timeout_s,
        )
    except TimeoutError as exc:
        raise ApiError(
            504, "timeout", f"no answer within {settings.request_timeout_s:g} s"
        ) from exc


@router.post("/ask", response_model=AnswerPublic, responses=ERRORS)
async def ask(body: AskRequest, pipeline: PipelineDep, settings: SettingsDep) -> Answer:
    """Answer a question from the papers, every sentence cited to paper and page."""
    return await answer_in_time(pipeline, settings, body)


@router.post(
    "/ask/stream",
    responses={
        **ERRORS,
        200: {
            "description": "Server-Sent Events: `citations`, then `token` events, then "
            "`done` with the whole Answer; `error` if it fails after the stream opened.",
            "content": {"text/event-stream": {"example": 'event: token\ndata: "First, ..."\n\n'}},
        },
    },
)
async def ask_stream(
    request: Request, body: AskRequest, pipeline: PipelineDep, settings: SettingsDep
) -> EventSourceResponse:
    """The same answer as `/ask`, streamed sentence by sentence as Server-Sent Events.

    A failure after the stream opened is an `error` event with the error body `/ask`
    would have sent; an unexpected one names only the request id, its cause going to
    the server log.
    """
    await run_in_threadpool(pipeline.validate, body.question, body.papers, body.top_k)
    rid = request_id(request)

    def error_event(error: str, detail: str) -> ServerSentEvent:
        data = {"error": error, "detail": detail, "request_id": rid}
        return ServerSentEvent(json.dumps(data), event="error")

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            answer = await answer_in_time(pipeline, settings, body)
        except ApiError as exc:
            yield error_event(exc.error, exc.detail)
            return
        except Exception:  # the stream is open: report, never crash the connection
            log.exception("%s streamed answer failed", rid)
            yield error_event("internal", INTERNAL_DETAIL)
            return
        sources = answer.citations or answer.related
        yield ServerSentEvent(json.dumps([c.model_dump() for c in sources]), event="citations")
        for piece in stream_pieces(answer.answer):
            yield ServerSentEvent(json.dumps(piece), event="token")
        yield ServerSentEvent(answer.model_dump_json(), event="done")

    return EventSourceResponse(events(), ping=15)
