"""The claim-aware judge's model file, its generator, and the grounding that uses it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.judge_edits import EDITS
from eval.judge_pairs import generate
from rag.grounding import ground
from rag.judge_model import FEATURES, MODEL_PATH, default_model, load_model
from tests.conftest import CORPUS

S2ORC = (
    "We introduce S2ORC, a large corpus of 81.1M English-language academic papers spanning "
    "many academic disciplines. The corpus consists of rich metadata, paper abstracts, "
    "resolved bibliographic references, as well as structured full text for 8.1M open access "
    "papers."
)


def test_the_shipped_model_weighs_every_feature_the_judge_computes() -> None:
    model = default_model()
    assert model.features == tuple(FEATURES)
    assert len(model.weights) == len(FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert json.loads(MODEL_PATH.read_text())["version"] == model.version


def test_a_model_naming_a_feature_the_code_lacks_is_refused(tmp_path: Path) -> None:
    data = json.loads(MODEL_PATH.read_text())
    data["features"] = [*data["features"], "mood"]
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="mood"):
        load_model(path)


def test_grounding_drops_a_number_moved_within_its_passage() -> None:
    out = ground(
        "S2ORC has 81.1 million English-language academic papers [1]. "
        "Structured full text is provided for 81.1M open access papers [1].",
        [S2ORC],
    )
    assert out.text == "S2ORC has 81.1 million English-language academic papers. [1]"
    assert out.unsupported == ["Structured full text is provided for 81.1M open access papers."]


def test_the_generator_is_seeded_and_makes_every_kind_of_edit(tmp_path: Path) -> None:
    paper = next(CORPUS.glob("*.txt"))
    shutil.copy(paper, tmp_path / paper.name)
    pairs = generate([tmp_path])
    assert pairs == generate([tmp_path])
    assert {p.kind for p in pairs if not p.supported} == set(EDITS)
    faithful = sum(p.supported for p in pairs)
    assert 0.4 <= faithful / len(pairs) <= 0.6
    for pair in pairs:
        assert pair.sentence != pair.passage
