"""The one place settings are read: environment (`RAG_` prefix), an optional `.env`, defaults.

Each field names its `Section` in its type (`Annotated[int, Section.CORPUS]`), for reading
only (the README's tables, `Settings.section`): access stays flat (`settings.chunk_size`) and
so do the env names (`RAG_CHUNK_SIZE`).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

# Bump when cleaning or chunking changes what ends up in the index, so a stale
# index is never reused: it is part of the collection name.
TEXT_PIPELINE_VERSION = "5"
# How PDFs are read (see ingest.loaders).
PdfParserName = Literal["layout", "pypdf"]
# What embeds questions on CPU (see rag.query_encoder).
QueryRuntime = Literal["onnxruntime-int8", "onnxruntime", "torch"]
URL_EXAMPLES = {"chroma_url": "http://127.0.0.1:8001", "llm_base_url": "http://127.0.0.1:8080/v1"}


class Section(StrEnum):
    """The group a setting is in, in the order `rag settings` and the README show them."""

    CORPUS = "corpus"
    INDEX = "index"
    EMBEDDING = "embedding"
    RETRIEVAL = "retrieval"
    ANSWERING = "answering"
    LLM = "llm"
    API = "api"


SECTION_DESCRIPTIONS = {
    Section.CORPUS: "Where the papers are, how each is read and chunked, and what one may cost.",
    Section.INDEX: "Where the chunks and their vectors are kept, and how the HNSW graph is built.",
    Section.EMBEDDING: "What turns passages and questions into vectors, and where it runs.",
    Section.RETRIEVAL: "How a question's candidate passages are found and which are kept.",
    Section.ANSWERING: "Which backend writes the answer, and how strictly it is grounded.",
    Section.LLM: "The language model behind the `openai` and `llamacpp` backends.",
    Section.API: "What the HTTP API lets in: keys, origins, hosts, proxies, rates, sizes, time.",
}


def sections_of(field: FieldInfo) -> list[Section]:
    """The sections a field's type names (`Annotated[T, Section.X]`): one, for every setting."""
    return [m for m in field.metadata if isinstance(m, Section)]


class Settings(BaseSettings):
    """Everything the pipeline can be tuned by; every field is also `RAG_<NAME>` in the env.

    Every field's type names its `Section`, which groups it for reading and changes no name.
    """

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", env_file_encoding="utf-8", extra="forbid"
    )

    corpus_dir: Annotated[Path, Section.CORPUS] = Field(
        Path("corpus"), description="Folder of papers (.pdf, .txt, .md) and `papers.toml`."
    )
    data_dir: Annotated[Path, Section.INDEX] = Field(
        Path("data"),
        description="Where local state is kept; the embedded index is `<data_dir>/chroma`.",
    )
    chroma_path: Annotated[Path | None, Section.INDEX] = Field(
        None, description="Embedded Chroma folder, if not `<data_dir>/chroma`."
    )
    chroma_url: Annotated[str | None, Section.INDEX] = Field(
        None,
        description="A `chroma run` server (e.g. `http://127.0.0.1:8001`); when set, used "
        "instead of the embedded folder.",
    )
    collection: Annotated[str, Section.INDEX] = Field(
        "papers",
        min_length=3,
        description="Base name of the Chroma collection; a hash of the model and chunking "
        "is appended.",
    )
    embedding_model: Annotated[str, Section.EMBEDDING] = Field(
        "sentence-transformers/all-MiniLM-L6-v2",
        description="Sentence-transformers model name or local folder; installed weights are "
        "preferred.",
    )
    embedding_batch_size: Annotated[int, Section.EMBEDDING] = Field(
        32, ge=1, le=1024, description="Texts per embedding batch."
    )
    embedding_device: Annotated[str, Section.EMBEDDING] = Field(
        "cpu", description="Torch device for the embedding model."
    )
    embedding_query_runtime: Annotated[QueryRuntime, Section.EMBEDDING] = Field(
        "onnxruntime-int8",
        description="What embeds questions on CPU: `onnxruntime-int8` (an ONNX export with "
        "int8 weights, the least CPU), `onnxruntime` (a float ONNX export, torch's vectors to "
        "rounding) or `torch`. Exports are made once and checked against torch; passages are "
        "always embedded on torch. See [Speed](#speed) for what each costs.",
    )
    model_cache_dir: Annotated[Path | None, Section.EMBEDDING] = Field(
        None, description="Where the ONNX exports are kept; defaults to `<data_dir>/models`."
    )
    max_chunks_per_paper: Annotated[int, Section.CORPUS] = Field(
        5000,
        ge=1,
        description="Most distinct chunks one paper may have; a longer one is refused by name, "
        "so one huge file cannot crowd every other paper out of the index.",
    )
    max_index_seconds_per_paper: Annotated[float, Section.CORPUS] = Field(
        300.0,
        gt=0,
        description="Most seconds reading, chunking and embedding one paper may take; a slower "
        "one is stopped between embedding batches and nothing of it is written.",
    )
    max_pdf_memory_mb: Annotated[int, Section.CORPUS] = Field(
        1024,
        ge=128,
        description="Most memory reading one PDF may take: PDFs are read in a child process "
        "held to it, so a file that decompresses without end is refused, not the machine run out.",
    )
    pdf_parser: Annotated[PdfParserName, Section.CORPUS] = Field(
        "layout",
        description="How PDFs are read: `layout` (pypdfium2's character boxes and fonts, for "
        "headings, columns, footnotes, captions, tables, references and the paper's own "
        "metadata; plain text with a warning if it fails) or `pypdf` (the text stream alone).",
    )
    chunk_size: Annotated[int, Section.CORPUS] = Field(
        1000, ge=200, le=8000, description="Target characters per chunk."
    )
    chunk_overlap: Annotated[int, Section.CORPUS] = Field(
        150, ge=0, description="Characters of whole trailing sentences repeated in the next chunk."
    )
    hnsw_m: Annotated[int, Section.INDEX] = Field(
        32,
        ge=4,
        le=128,
        description="Links per vector in the HNSW graph (Chroma's `max_neighbors`); more keeps "
        "near-identical chunks findable in big libraries. Changing it builds a new index.",
    )
    hnsw_ef_construction: Annotated[int, Section.INDEX] = Field(
        200,
        ge=10,
        le=2000,
        description="Candidates weighed per insert when the HNSW graph is built; changing it "
        "builds a new index.",
    )
    hnsw_ef_search: Annotated[int, Section.RETRIEVAL] = Field(
        400, ge=10, le=2000, description="Candidates weighed per query in the HNSW graph."
    )
    hnsw_sync_threshold: Annotated[int, Section.INDEX] = Field(
        50,
        ge=2,
        le=10_000,
        description="New vectors the HNSW graph takes before it is saved to its folder "
        "(Chroma's `sync_threshold`). Every process that opens the "
        "index, and every worker that renews its view after another's write, inserts the "
        "unsaved ones again: at Chroma's default of 1,000 that took 1.3 s of two cores at "
        "36,000 chunks, at 50 it takes 0.1 s.",
    )
    exact_search_max_chunks: Annotated[int, Section.RETRIEVAL] = Field(
        0,
        ge=0,
        description="Up to this many chunks the dense search is exact, over vectors kept in "
        "memory (1.5 KB a chunk with the default model), instead of the HNSW graph: nothing "
        "missed and faster alone, slower under concurrent asks (see [A library's size]"
        "(#speed)). 0: always the graph.",
    )
    self_check_sample: Annotated[int, Section.INDEX] = Field(
        200,
        ge=1,
        le=100_000,
        description="Chunks that `rag ingest --check` and `/health?deep=1` look up by their "
        "own vector to check the index.",
    )
    min_similarity_ratio: Annotated[float, Section.RETRIEVAL] = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description="Leave out retrieved passages whose embedding similarity to the question "
        "is under this share of the best passage's, so `top_k` is a most, not an always (0 "
        "keeps all `top_k`).",
    )

    backend: Annotated[str, Section.ANSWERING] = Field(
        "extractive",
        description="Answering backend: `extractive` (no model), `openai` (any "
        "OpenAI-compatible server), `llamacpp` (a local GGUF file), or one a plugin registers.",
    )
    llm_base_url: Annotated[str | None, Section.LLM] = Field(
        None,
        description="OpenAI-compatible base URL for the `openai` backend, e.g. "
        "`http://127.0.0.1:8080/v1` (llama.cpp, vLLM, Ollama); unset means api.openai.com.",
    )
    llm_model: Annotated[str, Section.LLM] = Field(
        "gpt-4o-mini", description="Model name for the `openai` backend."
    )
    gguf_model: Annotated[str, Section.LLM] = Field(
        "gemma3-270m-q4-k-m",
        description="GGUF file for the `llamacpp` backend, or `gemma3-270m-q4-k-m`: the small "
        "offline demo model from the `llamacpp` extra.",
    )
    llm_api_key: Annotated[SecretStr | None, Section.LLM] = Field(
        None, description="API key for the `openai` backend (kept secret in logs and reprs)."
    )
    llm_timeout_s: Annotated[float, Section.LLM] = Field(
        30.0, gt=0, le=600, description="Seconds to wait for the LLM before answering extractively."
    )
    llm_max_tokens: Annotated[int, Section.LLM] = Field(
        512, ge=16, le=8192, description="Longest LLM answer, in tokens."
    )
    llm_context_tokens: Annotated[int, Section.LLM] = Field(
        4096, ge=512, le=131072, description="Context window for a local GGUF model."
    )
    grounding: Annotated[Literal["strict", "lenient"], Section.ANSWERING] = Field(
        "strict",
        description="`strict` drops LLM sentences the cited passages do not support; "
        "`lenient` keeps them and only lists them under `unsupported`.",
    )

    api_key: Annotated[SecretStr | None, Section.API] = Field(
        None,
        description="When set, asking and changing papers (`/ask`, `/ask/stream`, `/v1/*`, "
        "`POST /papers`, `DELETE /papers/{id}`) need `Authorization: Bearer <key>`.",
    )
    cors_origins: Annotated[list[str], Section.API] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) of other sites whose pages may call the "
        'API from a browser, changes included, as JSON: `["http://127.0.0.1:5173"]`; a '
        "change from any other site's page is refused 403.",
    )
    allowed_hosts: Annotated[list[str], Section.API] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"],
        description="Host names the API answers to (any port), so DNS rebinding cannot reach "
        "it; `*.example.org` matches subdomains, `*` any host; another `Host` is 421. A "
        "deployment sets its own.",
    )
    trusted_proxies: Annotated[list[str], Section.API] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose `X-Forwarded-For` and "
        "`X-Forwarded-Proto` are believed; empty: the client is the connection's peer.",
    )
    rate_limit: Annotated[str, Section.API] = Field(
        "120/minute",
        description="Requests per client address, in `N/second|minute|hour` (`/metrics` and "
        "`/health` exempt); over it: 429 with `Retry-After`.",
    )
    max_body_bytes: Annotated[int, Section.API] = Field(
        65536, ge=1024, description="Largest JSON request body; larger ones get 413."
    )
    max_upload_bytes: Annotated[int, Section.API] = Field(
        20_000_000, ge=1024, description="Largest uploaded paper; larger ones get 413."
    )
    request_timeout_s: Annotated[float, Section.API] = Field(
        60.0,
        gt=0,
        le=3600,
        description="Seconds an ask may take before the API answers 504 (an `error` event "
        "when streaming).",
    )
    log_format: Annotated[str, Section.API] = Field(
        "%(asctime)s %(levelname)s %(name)s: %(message)s",
        min_length=1,
        description="Python `logging` format of plain log lines: the API's workers, and `rag` "
        "when stderr is not a terminal.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        for name, example in URL_EXAMPLES.items():
            value = getattr(self, name)
            if value is not None:
                parsed = urlparse(value)
                if parsed.scheme not in ("http", "https") or not parsed.hostname:
                    raise ValueError(f"{name} must look like {example}")
        return self

    @classmethod
    def section_fields(cls, section: Section | str) -> list[str]:
        """The names of one section's fields, in the model's order."""
        if section not in list(Section):
            raise ValueError(f"no settings section {section!r}; the sections: {', '.join(Section)}")
        return [name for name, f in cls.model_fields.items() if Section(section) in sections_of(f)]

    def section(self, section: Section | str) -> dict[str, Any]:
        """One section's values by field name, e.g. `settings.section("llm")["llm_model"]`."""
        return {name: getattr(self, name) for name in self.section_fields(section)}

    @property
    def resolved_chroma_path(self) -> Path:
        """Embedded index folder, derived from data_dir unless set."""
        return self.chroma_path if self.chroma_path is not None else self.data_dir / "chroma"

    @property
    def resolved_model_cache_dir(self) -> Path:
        """Model exports folder, derived from data_dir unless set."""
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def index_name(self) -> str:
        """Collection name carrying a hash of what shapes the vectors and chunks.

        Changing the model, chunking or cleaning then builds a fresh index instead of
        mixing incompatible chunks into an old one.
        """
        shape = "|".join(
            [
                self.embedding_model,
                str(self.chunk_size),
                str(self.chunk_overlap),
                TEXT_PIPELINE_VERSION,
                self.pdf_parser,
                f"hnsw{self.hnsw_m}/{self.hnsw_ef_construction}",
            ]
        )
        return f"{self.collection}-{hashlib.sha256(shape.encode()).hexdigest()[:10]}"


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process; tests build their own `Settings(...)` instead."""
    return Settings()
