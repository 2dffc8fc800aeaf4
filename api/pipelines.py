"""One pipeline per answering backend, so a request can choose who answers.

The OpenAI-compatible routes let a client pick a backend by model name. Each backend's
pipeline is built the first time it is asked for (loading a model is slow, and most
servers only ever use one) and shares the app's store and embedding model; only the
extractive backend and the configured one are offered, so a client cannot make the
server load a model nobody set up.
"""

from __future__ import annotations

import threading

from rag.pipeline import Pipeline


class Pipelines:
    """The app's pipeline, and the other backends' pipelines once they are first used."""

    def __init__(self, base: Pipeline) -> None:
        self.base = base
        self._built = {base.backend: base}
        self._lock = threading.Lock()

    def get(self, backend: str) -> Pipeline:
        """The pipeline answering with `backend`, built now if it is the first call.

        Raises:
            BackendError: the backend is unknown or cannot be loaded.
        """
        with self._lock:
            if backend not in self._built:
                settings = self.base.settings.model_copy(update={"backend": backend})
                self._built[backend] = Pipeline(
                    settings,
                    store=self.base.store,
                    embedder=self.base.retriever.embedder,
                    writer=self.base.writer,
                )
            return self._built[backend]
