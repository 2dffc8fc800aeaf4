"""Running the pipeline for a request: off the event loop, in time, streamable.

Both `/ask` and the OpenAI-compatible `/v1/chat/completions` answer through these, so
the two never differ in how long they wait or how they cut an answer into pieces.
"""

from __future__ import annotations

import asyncio
import re

from fastapi.concurrency import run_in_threadpool

from api.errors import ApiError
from api.schemas import AskRequest
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import Answer

# Answers are streamed a cited sentence at a time: each piece ends at a `[n]` marker, and
# the pieces joined with single spaces are exactly the answer text.
SENTENCE_END = re.compile(r"(?<=\]) (?=\S)")


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
