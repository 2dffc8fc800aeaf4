"""An ONNX Runtime copy of the embedding model's transformer, for embedding questions.

On torch the question's embedding was 79% of an ask. Per eval question on the 2-core
development machine: torch 15.9 ms of CPU on its two threads, a float ONNX export on one
thread 6.6 ms, the export with int8 weights 2.3 ms. The float export reproduces torch's
vectors to rounding (cosine 0.99999); int8 moves them by about 0.005 in cosine, which the
index (embedded on torch) tolerates: evidence recall on the eval set is unchanged, MRR
drops about a point. Batches of long passages stay on torch, which is faster there.
Tokenising and pooling are sentence-transformers' own modules, so whatever pooling a
model uses is kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from filelock import FileLock

from rag.errors import QueryEncoderError

log = logging.getLogger(__name__)

OPSET = 17
# Cosine with torch's vector for the probe below which a file is not this model's export.
AGREEMENT = {False: 0.99999, True: 0.98}
FILE_NAME = {False: "model.onnx", True: "model-int8.onnx"}
PROBE = "Why did Moscow's policy toward Pyongyang and Seoul change after 2000?"
# How long a process waits for another one's export (a few seconds on this machine).
LOCK_TIMEOUT_S = 600


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


def fingerprint(model: Any) -> str:
    """A short id of the model's weights, from a sample of every parameter.

    Other weights under the same name (a new fine-tune saved to the same folder) then get
    an export of their own instead of being checked against the old one's.
    """
    digest = hashlib.sha256(str(model.max_seq_length).encode())
    for name, param in model.named_parameters():
        digest.update(f"{name}{tuple(param.shape)}".encode())
        digest.update(param.detach().flatten()[:16].float().cpu().numpy().tobytes())
    return digest.hexdigest()[:12]


def export_folder(model: Any, cache_dir: Path, name: str) -> Path:
    """Where the exports of `name` are kept: its name made safe, then its weights' id."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_.")
    return cache_dir / f"{slug}-{fingerprint(model)}"


def export(model: Any, folder: Path, quantized: bool) -> None:
    """Write the export `quantized` names into `folder`; hold the folder's lock.

    Files are written under temporary names and moved into place, so a process killed
    half-way leaves no half file under the real name; its leftovers are removed here.
    """
    tmp = f"{os.getpid()}.tmp"
    try:
        for leftover in folder.glob("*.tmp*"):
            leftover.unlink()
        sample = model.preprocess([PROBE, "a question"])
        names = [k for k, v in sample.items() if isinstance(v, torch.Tensor)]
        wrapper = _LastHiddenState(model[0].auto_model, names).eval()
        axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
        exported = folder / f"model.{tmp}.onnx"
        with warnings.catch_warnings(), torch.inference_mode():
            # The exporter warns about tracing internals that do not apply to this graph.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                tuple(sample[n] for n in names),
                str(exported),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
        if quantized:
            quantized_file = folder / f"model-int8.{tmp}.onnx"
            _quantize(exported, quantized_file)
            exported = quantized_file
        os.replace(exported, folder / FILE_NAME[quantized])
    except Exception as exc:
        raise QueryEncoderError(f"cannot export to ONNX: {exc}") from exc
    finally:
        for leftover in folder.glob(f"*.{tmp}*"):
            leftover.unlink()


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 weights: on CPUs with VNNI a question costs about a third of float's."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantizer advises a shape-inference pass that fails on this graph and is not needed.
    def advice(record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()

    root = logging.getLogger()
    root.addFilter(advice)
    try:
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True)
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


def _checked(
    model: Any, path: Path, reference: np.ndarray[Any, Any], floor: float
) -> OnnxQueryEncoder | None:
    """The encoder over `path` if it loads and agrees with torch, else None (logged)."""
    try:
        encoder = OnnxQueryEncoder(model, _session(path))
    except Exception as exc:
        log.warning("ONNX export %s is unreadable: %s", path, exc)
        return None
    if float(np.dot(encoder.encode(PROBE), reference)) < floor:
        log.warning("ONNX export %s disagrees with torch", path)
        return None
    return encoder


def load(model: Any, cache_dir: Path, name: str, quantized: bool = False) -> OnnxQueryEncoder:
    """The ONNX encoder for `model`, exported on first use and checked against torch.

    Processes starting together (`rag serve --workers N`) take turns on a file lock: one
    exports, the others then load its file. A cached export that is unreadable or
    disagrees with torch (a truncated file) is exported again.
    """
    folder = export_folder(model, cache_dir, name)
    target = folder / FILE_NAME[quantized]
    floor = AGREEMENT[quantized]
    reference = model.encode(
        [PROBE], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )[0]
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / ".export.lock", timeout=LOCK_TIMEOUT_S):
        encoder = _checked(model, target, reference, floor) if target.is_file() else None
        if encoder is None:
            log.info("exporting %s to ONNX at %s (once)", name, target)
            export(model, folder, quantized)
            encoder = _checked(model, target, reference, floor)
        if encoder is None:
            raise QueryEncoderError("the ONNX export's vectors disagree with torch's")
        return encoder
