"""OpenAI chat-completion request and response models, as OpenAI clients send and read them.

Only what this API uses is declared; the many other parameters clients send (`top_p`,
`max_tokens`, `stream_options`, ...) are accepted and ignored, since an answer made of
the papers' own sentences has nothing for them to tune.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas import CitationPublic, Sources, Text
from rag.types import MAX_TOP_K, MIN_TOP_K, TOP_K_HELP

MAX_MESSAGE_CHARS = 20000


class ContentPart(BaseModel):
    """One part of a message's content; only `text` parts carry anything this API reads."""

    model_config = ConfigDict(extra="ignore")

    type: str
    text: Text | None = None


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: Text | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        """The message's text, its text parts joined."""
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""

    @model_validator(mode="after")
    def _not_too_long(self) -> ChatMessage:
        if len(self.text) > MAX_MESSAGE_CHARS:
            raise ValueError(f"content longer than {MAX_MESSAGE_CHARS} characters")
        return self


class ChatCompletionRequest(BaseModel):
    """A chat completion request; `papers` and `top_k` are this API's own additions."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "papers-extractive",
                    "messages": [
                        {"role": "user", "content": "What are Russia's two interests in Korea?"}
                    ],
                }
            ]
        },
    )

    model: Text = Field(description="A model from GET /v1/models, e.g. papers-extractive.")
    messages: list[ChatMessage] = Field(
        min_length=1, max_length=200, description="The conversation; the last is the question."
    )
    stream: bool = Field(False, description="Stream chunks as Server-Sent Events.")
    temperature: float | None = Field(None, description="Accepted and ignored.")
    top_k: int = Field(5, ge=MIN_TOP_K, le=MAX_TOP_K, description=TOP_K_HELP)
    papers: list[Text] | None = Field(None, description="Only these paper ids.")


class AssistantMessage(BaseModel):
    """The answer: its text with `[n]` markers, then the numbered sources."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one answer (`n` is not supported: the papers give one answer)."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(Sources):
    """A chat completion whose answer is cited to paper and page."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]


class Delta(BaseModel):
    """The next piece of the streamed answer."""

    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    """A streamed piece; `finish_reason` is set on the last."""

    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    """One streamed chunk; the last one also carries the `Sources` fields."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    answered: bool | None = None
    citations: list[CitationPublic] | None = None
    related: list[CitationPublic] | None = None


class ModelCard(BaseModel):
    """One model: an answering backend."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "papers-rag"


class ModelList(BaseModel):
    """Every model a client may choose."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [
                        {
                            "id": "papers-extractive",
                            "object": "model",
                            "created": 1767225600,
                            "owned_by": "papers-rag",
                        }
                    ],
                }
            ]
        }
    )

    object: Literal["list"] = "list"
    data: list[ModelCard]


class OpenAIErrorDetail(BaseModel):
    """What went wrong; `code` is the API's stable error code."""

    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """Every error under /v1/, in OpenAI's shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "message": "The model 'gpt-4' does not exist",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_found",
                    }
                }
            ]
        }
    )

    error: OpenAIErrorDetail
