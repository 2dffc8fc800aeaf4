from __future__ import annotations

import copy
import math
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch

from rag import query_encoder
from rag.embeddings import SentenceTransformerEmbedder, make_embedder, resolve_model
from rag.errors import QueryEncoderError
from rag.settings import Settings


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

    assert dot(vectors[0], vectors[1]) > dot(vectors[0], vectors[2])


QUESTIONS = [
    "What did Putin say about the Korean peninsula in 2018?",
    "How many times did Kim Jong-un meet Putin?",
    "Which railway projects link Russia and the two Koreas?",
]


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_questions_on_onnxruntime_match_torch(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.query_runtime == "onnxruntime-int8"
    assert embedder.query_encoder() is not None
    on_torch = embedder.embed_batch(QUESTIONS)
    for question, reference in zip(QUESTIONS, on_torch, strict=True):
        assert dot(embedder.embed_query(question), reference) >= query_encoder.AGREEMENT[True]


def onnx_files(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*.onnx*")}


@pytest.mark.parametrize("quantized", [False, True], ids=["float", "int8"])
def test_export_is_reused_and_a_broken_one_replaced(
    embedder: SentenceTransformerEmbedder, tmp_path: Path, quantized: bool
) -> None:
    def load() -> query_encoder.OnnxQueryEncoder:
        return query_encoder.load(embedder.model, tmp_path, embedder.model_name, quantized)

    load()
    assert onnx_files(tmp_path) == {query_encoder.FILE_NAME[quantized]}
    export = next(tmp_path.rglob(query_encoder.FILE_NAME[quantized]))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(export.stat().st_mode) == 0o666 & ~umask
    first = export.stat().st_mtime_ns
    load()
    assert export.stat().st_mtime_ns == first

    export.write_bytes(b"half a file")
    encoder = load()
    assert export.stat().st_size > 1_000_000
    reference = embedder.embed_batch(QUESTIONS[:1])[0]
    similarity = dot([float(x) for x in encoder.encode(QUESTIONS[0])], reference)
    assert similarity >= query_encoder.AGREEMENT[quantized]
    assert onnx_files(tmp_path) == {query_encoder.FILE_NAME[quantized]}


def test_an_export_that_disagrees_with_torch_is_replaced(
    embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    query_encoder.load(embedder.model, tmp_path, embedder.model_name, quantized=True)
    folder = query_encoder.export_folder(embedder.model, tmp_path, embedder.model_name)
    # int8 vectors are close to torch's, but not close enough to pass as the float export.
    shutil.copy(folder / "model-int8.onnx", folder / "model.onnx")
    query_encoder.load(embedder.model, tmp_path, embedder.model_name, quantized=False)
    assert (folder / "model.onnx").stat().st_size > 3 * (folder / "model-int8.onnx").stat().st_size


def test_other_weights_under_the_same_name_get_their_own_export(
    embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    tuned = copy.deepcopy(embedder.model)
    with torch.no_grad():
        next(tuned.parameters()).mul_(1.01)
    name = embedder.model_name
    assert query_encoder.export_folder(tuned, tmp_path, name) != query_encoder.export_folder(
        embedder.model, tmp_path, name
    )


EXPORT_IN_A_PROCESS = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO)
from rag.embeddings import SentenceTransformerEmbedder
embedder = SentenceTransformerEmbedder(
    "sentence-transformers/all-MiniLM-L6-v2", query_runtime="onnxruntime-int8",
    cache_dir=Path(sys.argv[1]),
)
print("onnx" if embedder.query_encoder() is not None else "torch")
"""


def test_processes_starting_together_all_get_the_export(tmp_path: Path) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", EXPORT_IN_A_PROCESS, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [out.strip() for out, _ in results] == ["onnx"] * 3, [err for _, err in results]
    assert sum("exporting" in err for _, err in results) == 1
    assert onnx_files(tmp_path) == {"model-int8.onnx"}


def test_failed_export_falls_back_to_torch(
    embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(model: object, folder: Path, quantized: bool) -> None:
        raise QueryEncoderError("cannot export to ONNX: unsupported layer")

    monkeypatch.setattr(query_encoder, "export", refuse)
    fallback = SentenceTransformerEmbedder(
        embedder.model_name, query_runtime="onnxruntime", cache_dir=tmp_path
    )
    fallback._model = embedder.model
    vector = fallback.embed_query(QUESTIONS[0])
    assert fallback.query_encoder() is None
    assert "embedded on torch: cannot export to ONNX: unsupported layer" in caplog.text
    assert vector == embedder.embed_batch(QUESTIONS[:1])[0]
    assert not onnx_files(tmp_path)


def test_torch_runtime_exports_nothing(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, model_cache_dir=None, embedding_query_runtime="torch"
    )
    embedder = make_embedder(settings)
    assert embedder.cache_dir == tmp_path / "models"
    assert embedder.query_encoder() is None
    assert not list(tmp_path.rglob("*"))
