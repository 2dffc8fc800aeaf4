"""Public request and response models, each with an example for the OpenAPI page."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from rag.types import (
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    MIN_TOP_K,
    TOP_K_HELP,
    Answer,
    Evidence,
    PaperRecord,
    Turn,
)

# The most earlier turns a request may send; the pipeline reads the latest
# `rag.pipeline.MAX_HISTORY_TURNS` of them.
MAX_HISTORY_ITEMS = 50
# What the middleware may answer on any route (api.errors, api.guards); and 422 in the
# project's error shape, not FastAPI's default, for any route that takes a parameter.
ANY_ROUTE = {
    421: "the Host header is not one of RAG_ALLOWED_HOSTS",
    422: "bad input, naming the field",
    500: "internal error; the server log has the request id",
}
# ... and on any route but /health and /metrics.
LIMITED = {429: "rate limit exceeded; `Retry-After` says in how many seconds to retry"}
# What refuses a change (a POST or DELETE) before its route runs.
CHANGE_REFUSALS = {
    403: "sent by a page of another site (`Origin`, `Sec-Fetch-Site`) not in RAG_CORS_ORIGINS",
    413: "request body too large",
}

ANSWER_EXAMPLE: dict[str, Any] = {
    "answer": "According to Russia's Korea Policy in the 21st Century (p. 31): Russia "
    "officially and unofficially has two fundamental interests concerning the Korean "
    "peninsula... [1] Second, Russia does not want a war in Korea. [1]",
    "answered": True,
    "citations": [
        {
            "n": 1,
            "chunk_id": "russia-korea-policy-21st-century:1f0c...",
            "paper_id": "russia-korea-policy-21st-century",
            "title": "Russia's Korea Policy in the 21st Century",
            "authors": "",
            "year": None,
            "page": 1,
            "page_label": "31",
            "section": "Russia's Interests on the Korean Peninsula",
            "text": "Russia officially and unofficially has two fundamental interests...",
        }
    ],
    "related": [],
    "unsupported": [],
    "backend": "extractive",
    "fallback_reason": None,
    "timings_ms": {"retrieve": 18.2, "answer": 1.1, "total": 19.3},
    "evidence": {
        "best_dense": 0.71,
        "term_coverage": 0.8,
        "known_terms": 1.0,
        "missing_keys": [],
        "unknown_keys": [],
        "unknown_terms": [],
        "form_stated": True,
        "sentences": 2,
    },
}


def error_docs(model: type[BaseModel], texts: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route can give, each with its body model."""
    return {code: {"model": model, "description": text} for code, text in texts.items()}


def unicode_text(value: str) -> str:
    """Refuse a lone surrogate: a valid JSON escape, but not text.

    Passed on, it breaks the tokenizer (a 500) and any reply that echoes it.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        where = {"at": exc.start}
        raise PydanticCustomError(
            "string_unicode", "not Unicode text: a lone surrogate at character {at}", where
        ) from None
    return value


# A string field of a request: any Unicode text, never a lone surrogate.
Text = Annotated[str, AfterValidator(unicode_text)]


class AskRequest(BaseModel):
    """A question, optionally limited to some papers, with the conversation so far.

    Every bound is the core's own constant (`rag.pipeline`), so what OpenAPI declares and
    what is enforced cannot drift apart; none is a setting, so the schema can be built at
    import time. `top_k` and `history` are checked here as declared. The question's
    length is only declared: the pipeline measures the stripped question and words the
    error the same for every entry point (CLI, MCP, `/v1`); checked here too, a padded
    question the pipeline accepts would be refused, and `/ask` would word it differently.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "What are Russia's two fundamental interests in Korea?",
                    "top_k": 5,
                    "papers": ["russia-korea-policy-21st-century"],
                    "history": [{"role": "user", "content": "What does Russia want?"}],
                }
            ]
        },
    )

    question: Text = Field(
        description=f"The question; 1 to {MAX_QUESTION_CHARS:,} characters once stripped.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUESTION_CHARS},
    )
    top_k: int = Field(5, ge=MIN_TOP_K, le=MAX_TOP_K, description=TOP_K_HELP)
    papers: list[Text] | None = Field(None, description="Only these paper ids.")
    history: list[Turn] | None = Field(
        None, max_length=MAX_HISTORY_ITEMS, description="Earlier turns."
    )


class PassagePublic(BaseModel):
    """A passage as the API shows it: the paper, where in it, and the text."""

    chunk_id: str
    paper_id: str
    title: str
    authors: str = ""
    year: int | None = None
    page: int = Field(description="1-based page of the file, as a PDF viewer counts it.")
    page_label: str | None = Field(
        None,
        description="The page as the paper prints it (the PDF's own label, or counted from "
        "the catalog's `first_page`), where that differs from `page`.",
    )
    section: str | None = None
    text: str

    @classmethod
    def of(cls, internal: BaseModel) -> Self:
        """The public fields of a core model, by name; a field the API does not show is left."""
        return cls.model_validate(internal, from_attributes=True)


class CitationPublic(PassagePublic):
    """What one `[n]` marker points at: a passage of a named paper and page."""

    n: int


class RetrievedPublic(PassagePublic):
    """A passage retrieval ranked for the question, cited or not, so callers can audit it."""

    rank: int
    score: float


class ScoredPassagePublic(PassagePublic):
    """A passage found by a search, with its scores and where it stands in its paper."""

    page_end: int
    kind: str = "body"
    ordinal: int = 0
    score: float = 0.0
    dense: float | None = None
    bm25: float | None = None


class EvidencePublic(BaseModel):
    """What the refusal weighed before answering or refusing, so a refusal can be audited."""

    best_dense: float = Field(description="Cosine similarity of the closest passage.")
    term_coverage: float = Field(description="Share of the question's terms in the passages.")
    known_terms: float = Field(description="Share of the question's terms the index knows.")
    missing_keys: list[str] = Field(
        description="The question's names and numbers no passage holds."
    )
    unknown_keys: list[str] = Field(description="Those of them the papers never mention at all.")
    unknown_terms: list[str] = Field(description="The question's terms the index does not know.")
    form_stated: bool = Field(
        description="Whether a sentence gives the date, count or amount asked for."
    )
    sentences: int = Field(description="How many sentences the answer would be made of.")

    @classmethod
    def of(cls, evidence: Evidence) -> EvidencePublic:
        """What the API shows of the evidence weighed."""
        return cls.model_validate(evidence.model_dump())


class AnswerPublic(BaseModel):
    """An answer whose every sentence cites a passage, or a plain refusal.

    Its own model rather than the core's `Answer`, so a field added inside the core
    reaches clients only when it is added here too.
    """

    model_config = ConfigDict(json_schema_extra={"examples": [ANSWER_EXAMPLE]})

    answer: str = Field(description="The answer text with [n] markers, or the refusal.")
    answered: bool = Field(description="False when the papers do not contain the answer.")
    citations: list[CitationPublic] = Field(description="The passage behind each [n].")
    related: list[CitationPublic] = Field(description="When refused: the closest passages.")
    retrieved: list[RetrievedPublic] = Field(
        description="Every passage retrieved for the question, ranked, cited or not."
    )
    unsupported: list[str] = Field(
        description="LLM sentences the passages did not support, left out of the answer."
    )
    backend: str = Field(description="The backend that answered.")
    fallback_reason: str | None = Field(
        description="Why the configured LLM backend was not used, when it was not."
    )
    timings_ms: dict[str, float] = Field(description="Milliseconds per stage and in total.")
    evidence: EvidencePublic | None = Field(
        description="What the refusal weighed; null where no check ran (a metadata answer, "
        "no passage found)."
    )

    @classmethod
    def of(cls, answer: Answer) -> AnswerPublic:
        """What the API shows of an answer."""
        return cls(
            answer=answer.answer,
            answered=answer.answered,
            citations=[CitationPublic.of(c) for c in answer.citations],
            related=[CitationPublic.of(c) for c in answer.related],
            retrieved=[RetrievedPublic.of(r) for r in answer.retrieved],
            unsupported=list(answer.unsupported),
            backend=answer.backend,
            fallback_reason=answer.fallback_reason,
            timings_ms=dict(answer.timings_ms),
            evidence=EvidencePublic.of(answer.evidence) if answer.evidence else None,
        )


class Sources(BaseModel):
    """What each `[n]` of an answer cites, for clients that show more than the text."""

    answered: bool = Field(description="False when the papers do not contain the answer.")
    citations: list[CitationPublic] = Field(description="The passage behind each [n].")
    related: list[CitationPublic] = Field(description="When refused: the closest passages.")


def sources(answer: Answer) -> dict[str, Any]:
    """The `Sources` fields of an answer, to build that model or one extending it."""
    return {
        "answered": answer.answered,
        "citations": [CitationPublic.of(c) for c in answer.citations],
        "related": [CitationPublic.of(c) for c in answer.related],
    }


class PaperInfo(BaseModel):
    """An indexed paper: what is known about it and how much of it is indexed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "russia-korean-crisis-2018",
                    "title": "Russia and the Korean Crisis",
                    "authors": ["Anton Koslov"],
                    "year": 2018,
                    "venue": None,
                    "source": "002_fb44eeff083fdf3e.txt",
                    "pages": 5,
                    "chunks": 22,
                }
            ]
        }
    )

    id: str
    title: str
    authors: list[str]
    year: int | None
    venue: str | None
    source: str | None
    pages: int
    chunks: int

    @classmethod
    def of(cls, record: PaperRecord) -> PaperInfo:
        """What the API shows of an indexed paper."""
        m = record.meta
        return cls(
            id=m.id,
            title=m.title,
            authors=list(m.authors),
            year=m.year,
            venue=m.venue,
            source=m.source,
            pages=record.pages,
            chunks=record.chunk_count,
        )


class BoxPublic(BaseModel):
    """A rectangle on a PDF page in points, measured from the page's top-left corner."""

    x0: float
    y0: float
    x1: float
    y1: float


class SentenceBoxes(BaseModel):
    """One sentence of a passage and the boxes it covers on the page (one per line)."""

    text: str
    boxes: list[BoxPublic] = Field(description="Empty when the sentence is on another page.")


class PageBoxes(BaseModel):
    """Where a passage's sentences stand on one page of its PDF."""

    page: int = Field(description="The physical page, 1-based.")
    width: float = Field(description="Page width in points.")
    height: float = Field(description="Page height in points.")
    sentences: list[SentenceBoxes]


class PassageView(BaseModel):
    """A cited passage with the text around it, for the side panel."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "passage": ANSWER_EXAMPLE["citations"][0],
                    "before": "These statements manifested the new policy...",
                    "after": "There are several reasons for this...",
                }
            ]
        }
    )

    passage: PassagePublic
    before: str | None
    after: str | None
    pages: list[PageBoxes] = Field(
        default_factory=list,
        description="For a PDF paper: each page the passage covers, with its sentences' boxes.",
    )


class IndexCheckPublic(BaseModel):
    """Sampled chunks looked up by their own vector: how many the index found."""

    sampled: int
    found: int
    missing: list[str] = Field(description="Ids of sampled chunks the index did not find.")


class Health(BaseModel):
    """Whether the API can answer, and what with."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "papers": 2,
                    "chunks": 59,
                    "backend": "extractive",
                    "version": "0.1.0",
                }
            ]
        }
    )

    status: str
    papers: int
    chunks: int
    backend: str
    version: str
    check: IndexCheckPublic | None = Field(
        None, description="The index self-check, with `?deep=1` only."
    )


class ErrorBody(BaseModel):
    """Every error response: a stable error code, a readable detail, the request id."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "invalid_input",
                    "detail": "question: must not be empty",
                    "retryable": False,
                    "request_id": "5f1c2b0e9a7d4c3b",
                }
            ]
        }
    )

    error: str
    detail: str
    retryable: bool = Field(
        description="Whether the same request may succeed later: a server down or slow, "
        "not bad input or a missing index."
    )
    request_id: str


class RetrievedWithBoxes(RetrievedPublic):
    """A ranked passage, and for a PDF paper where its sentences stand on its pages."""

    pages: list[PageBoxes] = Field(
        default_factory=list, description="Each page the passage covers, with the boxes."
    )
