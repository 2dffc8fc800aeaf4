"""`POST /ask` and `POST /ask/stream`: a question in, a cited answer (or refusal) out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.answering import answer_in_time, stream_pieces
from api.deps import KeyDep, PipelineDep, SettingsDep
from api.errors import request_id, streamed_error
from api.schemas import (
    CHANGE_REFUSALS,
    AnswerPublic,
    AskRequest,
    CitationPublic,
    ErrorBody,
    error_docs,
)

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


@router.post("/ask", response_model=AnswerPublic, responses=ERRORS)
async def ask(body: AskRequest, pipeline: PipelineDep, settings: SettingsDep) -> AnswerPublic:
    """Answer a question from the papers, every sentence cited to paper and page."""
    return AnswerPublic.of(await answer_in_time(pipeline, settings, body))


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
    would have sent (the same error table); an unexpected one names only the request
    id, its cause going to the server log.
    """
    await run_in_threadpool(pipeline.validate, body.question, body.papers, body.top_k)
    rid, path = request_id(request), request.url.path

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            answer = AnswerPublic.of(await answer_in_time(pipeline, settings, body))
        except Exception as exc:  # the stream is open: report, never crash the connection
            yield ServerSentEvent(json.dumps(streamed_error(exc, path, rid)), event="error")
            return
        cited: list[CitationPublic] = answer.citations or answer.related
        yield ServerSentEvent(json.dumps([c.model_dump() for c in cited]), event="citations")
        for piece in stream_pieces(answer.answer):
            yield ServerSentEvent(json.dumps(piece), event="token")
        yield ServerSentEvent(answer.model_dump_json(), event="done")

    return EventSourceResponse(events(), ping=15)
