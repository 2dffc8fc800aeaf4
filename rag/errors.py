"""Project errors: messages safe to show a user, each naming its fix where there is one."""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} ({self.fix})" if self.fix else self.message


class NoIndexError(RagError):
    """The index is missing or empty, so nothing can be retrieved yet."""

    def __init__(self, where: str) -> None:
        super().__init__(f"No index found at {where}.", fix="run `rag ingest` first")


class DocumentError(RagError):
    """A file in the corpus cannot be indexed; other files still can."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class EmbeddingModelError(RagError):
    """The embedding model cannot be loaded from local weights or by name."""


class StoreUnavailableError(RagError):
    """The Chroma server named by RAG_CHROMA_URL cannot be reached."""


class IndexBrokenError(RagError):
    """The index is there but cannot answer a query: its vectors and records disagree."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The index {where} cannot answer queries.",
            fix="check it with `rag ingest --check`; rebuild it with `rag ingest --reset`",
        )


class InvalidInputError(RagError):
    """A request field is out of bounds; `field` names it for API and CLI messages."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class BackendError(RagError):
    """An answering backend is misconfigured, missing, or failed to answer in time.

    At ask time the pipeline catches it and answers extractively instead, saying why.
    """
