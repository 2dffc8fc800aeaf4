"""An ONNX Runtime copy of the embedding model's transformer, for embedding questions.

The profile of an ask put 79% of its CPU in embedding the question. On this 2-core
machine one question costs about 3 ms of CPU under ONNX Runtime on one thread against
about 11 ms on torch (which also keeps a second thread busy); batches of long passages
stay on torch, which is faster there (0.8 s against 1.3 s for 32 chunks). Tokenising and
pooling stay sentence-transformers' own modules, so the vectors match torch's (cosine
above 0.99999) for whatever pooling a model uses, and the index needs no rebuild.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch

log = logging.getLogger(__name__)

OPSET = 17
# Cosine with torch's vector for the probe below which a file is not this model's export.
# The float export matches torch to rounding; int8 weights move vectors by about 0.005.
AGREEMENT = {False: 0.99999, True: 0.98}
FILE_NAME = {False: "model.onnx", True: "model-int8.onnx"}
PROBE = "Why did Moscow's policy toward Pyongyang and Seoul change after 2000?"


class QueryEncoderError(Exception):
    """The model cannot be exported or its export disagrees with torch."""


class _LastHiddenState(torch.nn.Module):
    """The transformer with positional inputs and one output, the shape ONNX export wants."""

    def __init__(self, transformer: torch.nn.Module, input_names: list[str]) -> None:
        super().__init__()
        self.transformer = transformer
        self.input_names = input_names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        named = dict(zip(self.input_names, inputs, strict=True))
        return self.transformer(**named, return_dict=True).last_hidden_state  # type: ignore[no-any-return]


class OnnxQueryEncoder:
    """Embeds one text with the ONNX transformer and the model's own pooling modules."""

    def __init__(self, model: Any, session: ort.InferenceSession) -> None:
        self.model = model
        self.session = session
        self.input_names = [i.name for i in session.get_inputs()]

    def encode(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """Unit-length vector for `text`, computed as sentence-transformers would."""
        features = self.model.preprocess([text])
        inputs = {name: features[name].numpy() for name in self.input_names}
        hidden = self.session.run(None, inputs)[0]
        features["token_embeddings"] = torch.from_numpy(hidden)
        with torch.inference_mode():
            for module in list(self.model)[1:]:
                features = module(features)
            vector = features["sentence_embedding"][0]
            vector = torch.nn.functional.normalize(vector, dim=0)
        return vector.numpy()


def export_folder(model: Any, cache_dir: Path, name: str) -> Path:
    """Where the exports of `name` are kept; the folder name says which model it is."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_.")
    digest = hashlib.sha256(f"{name}|{model.max_seq_length}".encode()).hexdigest()[:8]
    return cache_dir / f"{slug}-{digest}"


@contextmanager
def _written_atomically(target: Path) -> Iterator[str]:
    """A temporary file moved onto `target` only on success: workers never read half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def export(model: Any, folder: Path, quantized: bool) -> None:
    """Write the model's transformer as ONNX, and an int8 copy of it when `quantized`."""
    sample = model.preprocess([PROBE, "a question"])
    names = [k for k, v in sample.items() if isinstance(v, torch.Tensor)]
    wrapper = _LastHiddenState(model[0].auto_model, names).eval()
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    try:
        with _written_atomically(folder / FILE_NAME[False]) as tmp, warnings.catch_warnings():
            # The exporter warns about tracing internals that do not apply to this graph.
            warnings.simplefilter("ignore")
            with torch.inference_mode():
                torch.onnx.export(
                    wrapper,
                    tuple(sample[n] for n in names),
                    tmp,
                    input_names=names,
                    output_names=["last_hidden_state"],
                    dynamic_axes=axes,
                    opset_version=OPSET,
                    dynamo=False,
                )
        if quantized:
            _quantize(folder / FILE_NAME[False], folder / FILE_NAME[True])
    except Exception as exc:
        raise QueryEncoderError(f"cannot export to ONNX: {exc}") from exc


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 weights: on CPUs with VNNI a question costs about a third of float's."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer advises a shape-inference pass that fails on this graph and is not needed.
    def advice(record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()

    root = logging.getLogger()
    root.addFilter(advice)
    try:
        with _written_atomically(target) as tmp:
            quantize_dynamic(source, tmp, weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.removeFilter(advice)


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    # One question per call: a second thread costs more in hand-offs than it saves, and
    # concurrent asks already run on both cores.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _agrees(encoder: OnnxQueryEncoder, reference: np.ndarray[Any, Any], floor: float) -> bool:
    return float(np.dot(encoder.encode(PROBE), reference)) >= floor


def load(model: Any, cache_dir: Path, name: str, quantized: bool = False) -> OnnxQueryEncoder:
    """The ONNX encoder for `model`, exported on first use and checked against torch.

    A cached export that fails to load or disagrees with torch (other weights under the
    same name, a truncated file) is exported again once before giving up.
    """
    folder = export_folder(model, cache_dir, name)
    target = folder / FILE_NAME[quantized]
    floor = AGREEMENT[quantized]
    reference = model.encode(
        [PROBE], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )[0]
    if target.is_file():
        try:
            encoder = OnnxQueryEncoder(model, _session(target))
        except Exception as exc:
            log.warning("cached ONNX export %s unreadable (%s); exporting again", target, exc)
        else:
            if _agrees(encoder, reference, floor):
                return encoder
            log.warning("cached ONNX export %s disagrees with torch; exporting again", target)
    log.info("exporting %s to ONNX at %s (once)", name, target)
    export(model, folder, quantized)
    encoder = OnnxQueryEncoder(model, _session(target))
    if not _agrees(encoder, reference, floor):
        raise QueryEncoderError("the ONNX export's vectors disagree with torch's")
    return encoder
