"""The language model's part of an answer: condensing a follow-up, writing from passages.

Every call is bounded by RAG_LLM_TIMEOUT_S, and a model's answer keeps only the
sentences grounding finds in the passages. Whatever goes wrong, the caller still has an
answer (the extractive one, or the follow-up led by its history) and a fixed phrase in
`fallback` saying why the model's was not used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from rag import wording
from rag.answering.composition import to_citation
from rag.errors import BackendError, BackendTimeoutError
from rag.grounding import ground
from rag.llm import ChatBackend
from rag.settings import Settings
from rag.types import Answer, ScoredPassage, Turn

log = logging.getLogger(__name__)

T = TypeVar("T")


class Generation:
    """One backend's calls, each in time or given up; safe to use from many threads."""

    def __init__(self, llm: ChatBackend, settings: Settings) -> None:
        self.llm = llm
        self.settings = settings
        self._calls = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    def condense(self, text: str, turns: list[Turn], fallback: list[str]) -> str | None:
        """The follow-up rewritten to stand alone, or None (and the reason) when it failed."""
        try:
            return self._in_time(lambda: self.llm.condense(text, turns))
        except BackendError as exc:
            fallback.append(wording.HISTORY_NOT_CONDENSED.format(reason=self._why_not(exc)))
            return None

    def answer(
        self,
        question: str,
        passages: list[ScoredPassage],
        extractive: Answer,
        fallback: list[str],
    ) -> Answer:
        """The LLM's checked answer, or the extractive one with the reason it was not used."""
        llm = self.llm
        try:
            raw = self._in_time(lambda: llm.answer(question, passages))
        except BackendError as exc:
            fallback.append(self._why_not(exc))
            return extractive
        if raw is None:
            fallback.append(wording.BACKEND_FOUND_NO_ANSWER.format(backend=llm.name))
            return extractive
        strict = self.settings.grounding == "strict"
        checked = ground(raw, [p.text for p in passages], strict=strict)
        if not checked.text:
            fallback.append(wording.BACKEND_UNSUPPORTED.format(backend=llm.name))
            extractive.unsupported = checked.unsupported
            return extractive
        citations = [to_citation(i, passages[n - 1]) for i, n in enumerate(checked.cited, start=1)]
        return Answer(
            answer=checked.text,
            answered=True,
            citations=citations,
            unsupported=checked.unsupported,
            backend=llm.name,
        )

    def _in_time(self, call: Callable[[], T]) -> T:
        """Run an LLM call, giving up after the configured timeout."""
        future = self._calls.submit(call)
        try:
            return future.result(timeout=self.settings.llm_timeout_s)
        except FutureTimeout as exc:
            future.cancel()
            raise BackendTimeoutError(
                f"{self.llm.name} backend gave no answer within {self.settings.llm_timeout_s:g} s"
            ) from exc

    def _why_not(self, exc: BackendError) -> str:
        """Why the backend was not used, in a fixed phrase; the error's own text is logged.

        A backend's error can hold a server's reply or a path, not for the user to read.
        """
        log.warning("the %s backend was not used: %s", self.llm.name, exc)
        if isinstance(exc, BackendTimeoutError):
            seconds = self.settings.llm_timeout_s
            return wording.BACKEND_TIMED_OUT.format(backend=self.llm.name, seconds=seconds)
        return wording.BACKEND_FAILED.format(backend=self.llm.name)
