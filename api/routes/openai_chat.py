"""`POST /v1/chat/completions` and `GET /v1/models`: the chatbot as an OpenAI-compatible model.

Any OpenAI client (Open WebUI, LibreChat, the OpenAI SDKs) can then talk to the papers.
The last user message is the question and earlier turns are the history. The answer
keeps its `[n]` markers and ends with a numbered source list, so a plain chat client
shows the citations; the full citations ride along in extra fields. Each answering
backend is a model, `papers-<backend>`.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.answering import answer_in_time, stream_pieces
from api.deps import KeyDep, PipelinesDep, SettingsDep
from api.errors import ApiError, request_id, streamed_error
from api.openai_schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatMessage,
    Choice,
    ChunkChoice,
    Delta,
    ModelCard,
    ModelList,
    OpenAIError,
)
from api.schemas import CHANGE_REFUSALS, AskRequest, error_docs, sources
from rag.errors import InvalidInputError
from rag.pipeline import offered_backends
from rag.settings import Settings
from rag.types import MAX_HISTORY_TURNS, SOURCE_HEADINGS, Answer, Citation, Turn

MODEL_PREFIX = "papers-"
# The source list this API appends to an answer; taken off again when a client sends the
# answer back as history, so only the answer itself reaches the pipeline.
HEADINGS = "|".join(re.escape(h) for h in SOURCE_HEADINGS)
SOURCE_LIST = re.compile(rf"\n\n(?:{HEADINGS})\n\[\d+\] .*\Z", re.S)
STARTED = int(time.time())
STREAM_EXAMPLE = 'data: {"object": "chat.completion.chunk", ...}\n\ndata: [DONE]\n\n'

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[KeyDep])
KEY_ERRORS = {401: "API key missing or wrong"}
CHAT_ERRORS = error_docs(
    OpenAIError,
    {
        400: "a project error without a more specific status",
        **KEY_ERRORS,
        **CHANGE_REFUSALS,
        404: "no such model (`model_not_found`)",
        422: "bad input, naming the field in `param`",
        503: "no index yet, or the chosen backend cannot be loaded",
        504: "the answer took longer than the request timeout",
    },
)


def offered(settings: Settings) -> list[str]:
    """The extractive backend and the configured one, and no other.

    A client naming a model must not make the server load one nobody set up.
    """
    return offered_backends(settings)


@router.get("/models", response_model=ModelList, responses=error_docs(OpenAIError, KEY_ERRORS))
def list_models(settings: SettingsDep) -> ModelList:
    """One model per backend this server answers with; choosing one picks who answers."""
    return ModelList(
        data=[ModelCard(id=MODEL_PREFIX + name, created=STARTED) for name in offered(settings)]
    )


def backend_for(model: str, settings: Settings) -> str:
    """The backend a model name stands for, or OpenAI's 404 `model_not_found`."""
    backend = model.removeprefix(MODEL_PREFIX)
    if not model.startswith(MODEL_PREFIX) or backend not in offered(settings):
        known = ", ".join(MODEL_PREFIX + name for name in offered(settings))
        detail = f"The model {model!r} does not exist; use one of {known}"
        raise ApiError(404, "model_not_found", detail, "model")
    return backend


def as_ask(body: ChatCompletionRequest) -> AskRequest:
    """The question (the last message, a user's) and the turns before it as history."""
    *earlier, last = body.messages
    if last.role != "user":
        raise InvalidInputError("messages", "the last message must be the user's question")
    history = [_turn(m) for m in earlier if m.role in ("user", "assistant")]
    return AskRequest(
        question=last.text,
        top_k=body.top_k,
        papers=body.papers,
        history=history[-MAX_HISTORY_TURNS:],
    )


def _turn(message: ChatMessage) -> Turn:
    text = SOURCE_LIST.sub("", message.text) if message.role == "assistant" else message.text
    return Turn(role="user" if message.role == "user" else "assistant", content=text)


def source_list(answer: Answer) -> str:
    """The numbered sources a plain chat client shows under the answer."""
    if not answer.sources:
        return ""
    lines = [f"[{c.n}] {where(c)}" for c in answer.sources]
    return f"\n\n{answer.sources_heading}\n" + "\n".join(lines)


def where(c: Citation) -> str:
    """`Title (Authors, Year), p. N`, leaving out what is not known."""
    who = ", ".join(str(x) for x in (c.authors, c.year) if x)
    return f"{c.title}{f' ({who})' if who else ''}, p. {c.printed_page}"


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        **CHAT_ERRORS,
        200: {
            "description": "The answer; with `stream: true`, `chat.completion.chunk` events "
            "ending with `data: [DONE]`.",
            "content": {"text/event-stream": {"example": STREAM_EXAMPLE}},
        },
    },
)
async def chat_completions(
    request: Request, body: ChatCompletionRequest, pipelines: PipelinesDep, settings: SettingsDep
) -> ChatCompletion | StreamingResponse:
    """Answer the conversation's last question from the papers, as an OpenAI chat model."""
    backend = backend_for(body.model, settings)
    pipeline = await run_in_threadpool(pipelines.get, backend)
    ask = as_ask(body)
    await run_in_threadpool(pipeline.validate, ask.question, ask.papers, ask.top_k)
    reply_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        chunks = stream(
            lambda: answer_in_time(pipeline, settings, ask),
            reply_id,
            created,
            body.model,
            where=(request.url.path, request_id(request)),
        )
        return StreamingResponse(
            chunks, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )
    answer = await answer_in_time(pipeline, settings, ask)
    return ChatCompletion(
        id=reply_id,
        created=created,
        model=body.model,
        choices=[Choice(message=AssistantMessage(content=answer.answer + source_list(answer)))],
        **sources(answer),
    )


async def stream(
    answering: Callable[[], Awaitable[Answer]],
    reply_id: str,
    created: int,
    model: str,
    where: tuple[str, str],
) -> AsyncIterator[str]:
    """OpenAI's chunk stream: the role, a cited sentence at a time, the sources, `[DONE]`.

    A failure after the stream opened is sent as an OpenAI error event, which the
    OpenAI SDKs raise as an error, instead of breaking the connection; its status and
    code come from the error table as for any response. `where` is the request's path
    and id.
    """

    def chunk(delta: Delta, finish: Literal["stop"] | None = None, **extra: Any) -> str:
        choice = ChunkChoice(delta=delta, finish_reason=finish)
        data = ChatCompletionChunk(
            id=reply_id, created=created, model=model, choices=[choice], **extra
        )
        return f"data: {data.model_dump_json(exclude_none=True)}\n\n"

    try:
        answer = await answering()
    except Exception as exc:  # the stream is open: report, never crash the connection
        yield f"data: {json.dumps(streamed_error(exc, *where))}\n\n"
        return
    yield chunk(Delta(role="assistant", content=""))
    for piece in [*stream_pieces(answer.answer), source_list(answer)]:
        yield chunk(Delta(content=piece))
    yield chunk(Delta(), "stop", **sources(answer))
    yield "data: [DONE]\n\n"
