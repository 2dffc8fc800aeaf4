"""Project errors: messages safe to show a user, each naming its fix where there is one.

Every error class says whether trying again later can succeed (`retryable`): a server
that is down or slow may answer next time; bad input, a missing index or a bad
document stays as it is until someone changes it. The API sends the flag with the
error body.
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this project raises on purpose."""

    retryable: bool = False

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


class PageError(RagError):
    """A PDF page cannot be shown: the file is no PDF, is damaged, or has no such page."""

    def __init__(self, message: str, page_count: int | None = None) -> None:
        super().__init__(message)
        self.page_count = page_count


class EmbeddingModelError(RagError):
    """The embedding model cannot be loaded from local weights or by name."""


class QueryEncoderError(RagError):
    """The model cannot be exported to ONNX or its export disagrees with torch."""


class StoreUnavailableError(RagError):
    """The Chroma server named by RAG_CHROMA_URL cannot be reached."""

    retryable = True


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


class PaperNotFoundError(RagError):
    """No indexed paper has this id."""

    def __init__(self, paper_id: str) -> None:
        super().__init__(f"no paper with id {paper_id!r}", fix="list papers with GET /papers")
        self.paper_id = paper_id


class DuplicatePaperError(RagError):
    """The same file is already indexed, under another name or title perhaps."""

    def __init__(self, filename: str, paper_id: str) -> None:
        super().__init__(
            f"{filename}: this file is already indexed as paper {paper_id!r}",
            fix=f"delete {paper_id!r} first to replace it",
        )
        self.paper_id = paper_id


class ReadOnlyPipelineError(RagError):
    """A paper was to be added or removed through a pipeline built without a writer."""

    def __init__(self) -> None:
        super().__init__(
            "this pipeline cannot add or remove papers",
            fix="build it with a writer: `Pipeline(writer=ingest.library.LibraryWriter())`",
        )


class BackendError(RagError):
    """An answering backend is misconfigured or missing: unknown, or its package absent.

    At ask time the pipeline catches every `BackendError` and answers extractively
    instead, saying why in a fixed phrase (`rag.wording`); the error's text is logged.
    """


class BackendUnavailableError(BackendError):
    """The backend's model or server failed to answer: down, refusing, or erring."""

    retryable = True


class BackendTimeoutError(BackendError):
    """The backend gave no answer within RAG_LLM_TIMEOUT_S."""

    retryable = True


class EvalRunError(RagError):
    """The system under test could not be asked: a server down, refusing, or erring."""

    retryable = True
