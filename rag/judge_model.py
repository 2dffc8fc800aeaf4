"""The fitted judge: the features it weighs, and the weights kept in `rag/data`.

`FEATURES` names every feature the judge computes (`rag.anchor_features`,
`rag.wording_features`); a logistic regression fitted on pairs generated from the
papers (`eval.judge_training`) weighs them, and writes its weights and the threshold a
sentence's probability must reach to `rag/data/judge_model.json`, which is read here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.alignment import Alignment, Finding, align
from rag.anchor_features import (
    direction_added,
    direction_reversed,
    misplaced,
    missing,
    negation_added,
    negation_dropped,
    quantifier_changed,
    quantifier_unsupported,
    reversed_roles,
)
from rag.wording_features import (
    length,
    lexical_reversal,
    lexical_swap,
    novel_run,
    substituted,
    uncovered,
    uncovered_stretch,
)

MODEL_PATH = Path(__file__).with_name("data") / "judge_model.json"

FEATURES: dict[str, Callable[[Alignment], Finding]] = {
    "missing_numbers": missing("number"),
    "missing_years": missing("year"),
    "missing_names": missing("name"),
    "misplaced": misplaced,
    "reversed_roles": reversed_roles,
    "negation_added": negation_added,
    "negation_dropped": negation_dropped,
    "quantifier_changed": quantifier_changed,
    "quantifier_unsupported": quantifier_unsupported,
    "direction_reversed": direction_reversed,
    "direction_added": direction_added,
    "uncovered": uncovered,
    "uncovered_stretch": uncovered_stretch,
    "novel_run": novel_run,
    "lexical_reversal": lexical_reversal,
    "lexical_swap": lexical_swap,
    "substituted": substituted,
    "length": length,
}


def findings(claim: str, passages: Sequence[str]) -> dict[str, Finding] | None:
    """Every feature of a claim against its passages, by name (None: nothing to check)."""
    a = align(claim, passages)
    return None if a is None else {name: f(a) for name, f in FEATURES.items()}


@dataclass(frozen=True)
class JudgeModel:
    """Fitted weights over the named features, and the probability a sentence needs."""

    version: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def log_odds(self, values: dict[str, float]) -> float:
        """The fitted log-odds that the passages support the sentence."""
        return self.bias + sum(
            w * values[f] for f, w in zip(self.features, self.weights, strict=True)
        )

    def probability(self, values: dict[str, float]) -> float:
        """The fitted probability that the passages support the sentence."""
        return 1.0 / (1.0 + math.exp(-self.log_odds(values)))

    def worst(self, values: dict[str, float]) -> str:
        """The feature that pulls the log-odds down most."""
        pulls = {f: w * values[f] for f, w in zip(self.features, self.weights, strict=True)}
        return min(pulls, key=lambda f: pulls[f])


def load_model(path: Path = MODEL_PATH) -> JudgeModel:
    """Read a fitted model, refusing one whose features this code does not compute."""
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data["features"]) - FEATURES.keys()
    if unknown:
        raise ValueError(f"{path}: features this judge does not compute: {sorted(unknown)}")
    return JudgeModel(
        version=str(data["version"]),
        features=tuple(data["features"]),
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
    )


@lru_cache(maxsize=1)
def default_model() -> JudgeModel:
    """The model shipped in `rag/data/judge_model.json`, read once."""
    return load_model()
