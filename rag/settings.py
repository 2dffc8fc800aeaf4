"""The one place settings are read: environment (`RAG_` prefix), an optional `.env`, defaults."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Bump when cleaning or chunking changes what ends up in the index, so a stale
# index is never reused: it is part of the collection name.
TEXT_PIPELINE_VERSION = "1"


class Settings(BaseSettings):
    """Everything the pipeline can be tuned by; every field is also `RAG_<NAME>` in the env."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", env_file_encoding="utf-8", extra="forbid"
    )

    corpus_dir: Path = Field(
        Path("corpus"), description="Folder of papers (.pdf, .txt, .md) and papers.toml."
    )
    data_dir: Path = Field(Path("data"), description="Where local state (the index) is kept.")
    chroma_path: Path | None = Field(
        None, description="Embedded Chroma folder; defaults to <data_dir>/chroma."
    )
    chroma_url: str | None = Field(
        None, description="URL of a `chroma run` server; when set, used instead of chroma_path."
    )
    collection: str = Field(
        "papers", min_length=3, description="Base name of the Chroma collection."
    )
    embedding_model: str = Field(
        "sentence-transformers/all-MiniLM-L6-v2",
        description="Sentence-transformers model name or local folder; local weights preferred.",
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024, description="Texts per embedding batch.")
    embedding_device: str = Field("cpu", description="Torch device for the embedding model.")
    chunk_size: int = Field(1000, ge=200, le=8000, description="Target characters per chunk.")
    chunk_overlap: int = Field(
        150, ge=0, description="Characters of whole trailing sentences repeated in the next chunk."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.chroma_url is not None:
            parsed = urlparse(self.chroma_url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError("chroma_url must look like http://127.0.0.1:8001")
        return self

    @property
    def resolved_chroma_path(self) -> Path:
        """Embedded index folder, derived from data_dir unless set."""
        return self.chroma_path if self.chroma_path is not None else self.data_dir / "chroma"

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
            ]
        )
        return f"{self.collection}-{hashlib.sha256(shape.encode()).hexdigest()[:10]}"


@lru_cache
def get_settings() -> Settings:
    """Settings read once per process; tests build their own `Settings(...)` instead."""
    return Settings()
