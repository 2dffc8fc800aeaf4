"""A real pipeline whose answering fails, for testing what the API shows of a failure."""

from __future__ import annotations

from collections.abc import Sequence

from rag.pipeline import Pipeline
from rag.types import Answer, Turn


class FailingPipeline(Pipeline):
    """Raises `failure` from `ask`: a project error, or anything a bug would raise."""

    failure: Exception = RuntimeError("answering failed")

    def ask(
        self,
        question: str,
        history: Sequence[str | Turn] | None = None,
        papers: Sequence[str] | None = None,
        top_k: int = 5,
    ) -> Answer:
        raise self.failure
