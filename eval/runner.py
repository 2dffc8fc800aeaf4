"""Put every question of a set to the system, in-process or over HTTP, and score it.

Both ways return the same `Answer`, so a run against a deployed server is scored
exactly like one against a local pipeline; latency is measured here, around the call,
so over HTTP it includes the network and the server's queueing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import httpx
from pydantic import ValidationError

from eval.faithfulness import Judge, score_answer
from eval.metrics import QuestionResult, question_metrics
from eval.questions import EvalQuestion
from rag.errors import EvalRunError
from rag.llm import ChatBackend
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.types import Answer


class Asker(Protocol):
    """Something that answers one question with `top_k` passages."""

    def __call__(self, question: str, top_k: int) -> Answer:
        """The system's answer."""
        ...


def in_process(settings: Settings, llm: ChatBackend | None = None) -> Asker:
    """Ask a pipeline built here from `settings` (its backend included), warmed up.

    `llm` is a backend already loaded (by an LLM judge), so a model is not loaded
    twice. The warm-up loads the embedding model, so the first question's latency is
    that of answering, like every other's, and not of start-up.
    """
    pipeline = Pipeline(settings, llm=llm)
    pipeline.warm_up()

    def ask(question: str, top_k: int) -> Answer:
        return pipeline.ask(question, top_k=top_k)

    return ask


@contextmanager
def over_http(url: str, settings: Settings, timeout_s: float = 120.0) -> Iterator[Asker]:
    """Ask a running server's `POST /ask` on one connection, with the API key if set."""
    headers = {}
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"

    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout_s) as client:

        def ask(question: str, top_k: int) -> Answer:
            try:
                response = client.post("/ask", json={"question": question, "top_k": top_k})
            except httpx.HTTPError as exc:
                raise EvalRunError(f"cannot reach {url}: {exc}") from exc
            if response.status_code != 200:
                raise EvalRunError(
                    f"{url}/ask answered {response.status_code}: {response.text[:300]}"
                )
            try:
                return Answer.model_validate(response.json())
            except (ValueError, ValidationError) as exc:
                raise EvalRunError(f"{url}/ask did not answer with an Answer: {exc}") from exc

        yield ask


def run(
    questions: Sequence[EvalQuestion],
    ask: Asker,
    judge: Judge,
    top_k: int = 5,
    advance: Callable[[EvalQuestion], None] | None = None,
) -> list[QuestionResult]:
    """Ask, time, judge and score each question in order; `advance` reports progress."""
    results = []
    for q in questions:
        began = time.perf_counter()
        answer = ask(q.question, top_k)
        latency_ms = (time.perf_counter() - began) * 1000
        faithfulness = score_answer(answer, judge)
        results.append(
            QuestionResult(
                question=q,
                answer=answer,
                latency_ms=latency_ms,
                judged=faithfulness.sentences,
                metrics=question_metrics(q, answer, faithfulness.share, top_k),
            )
        )
        if advance:
            advance(q)
    return results
