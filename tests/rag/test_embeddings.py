from __future__ import annotations

import math
from pathlib import Path

from rag.embeddings import SentenceTransformerEmbedder, resolve_model


def test_default_model_resolves_to_installed_weights() -> None:
    target, local = resolve_model("sentence-transformers/all-MiniLM-L6-v2")
    assert local and Path(target, "model.safetensors").is_file()


def test_unknown_name_is_passed_through_for_the_hub() -> None:
    assert resolve_model("someone/some-model") == ("someone/some-model", False)


def test_vectors_are_normalised_and_meaningful(embedder: SentenceTransformerEmbedder) -> None:
    calls: list[int] = []
    texts = ["Russia and North Korea", "Moscow and Pyongyang", "a recipe for apple pie"] * 12
    vectors = embedder.embed_many(texts, on_batch=calls.append)
    assert sum(calls) == len(texts) and len(calls) == 2
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-4) for v in vectors)

    def dot(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2])
