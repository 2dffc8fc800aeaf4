"""The judge's model fitted on training pairs: feature matrix, logistic regression, threshold.

Computes `rag.judge_model`'s features for every pair, fits an L2-regularised logistic
regression with numpy, and picks the threshold on out-of-fold predictions, each paper
predicted by a model fitted on the others, so the threshold is not tuned in-sample.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from eval.judge_pairs import SEED, Pair
from rag.judge_model import FEATURES, findings

VERSION = "3"
L2 = 1.0


def feature_matrix(pairs: Sequence[Pair]) -> np.ndarray:
    """One row of `rag.judge` features per pair (a pair with nothing to check: all zero)."""
    rows = []
    for pair in pairs:
        found = findings(pair.sentence, [pair.passage])
        rows.append([found[f].value if found else 0.0 for f in FEATURES])
    return np.asarray(rows, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method, both labels weighed equally."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    beta = np.zeros(xb.shape[1])
    penalty = np.full(xb.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(xb @ beta)))
        grad = xb.T @ (weight * (p - y)) + penalty * beta
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def balanced_accuracy(p: np.ndarray, y: np.ndarray, threshold: float) -> float:
    """Mean of the rates of supported and unsupported pairs judged right."""
    said = p >= threshold
    return float((said[y == 1].mean() + (~said[y == 0]).mean()) / 2)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: Sequence[str]) -> np.ndarray:
    """Each paper's probabilities from a model fitted on the other papers."""
    out = np.zeros(len(y))
    names = np.asarray(groups)
    for g in sorted(set(groups)):
        test = names == g
        w, b = fit(x[~test], y[~test])
        out[test] = 1 / (1 + np.exp(-(x[test] @ w + b)))
    return out


def labelled(path: Path) -> list[Pair]:
    """Hand-labelled pairs (the calibration set's format), each as a `Pair`."""
    from eval.calibration import load_pairs

    return [
        Pair(f"labelled:{p.paper}", p.passage, p.sentence, p.supported, p.kind)
        for p in load_pairs(path)
    ]


def train(
    pairs: Sequence[Pair], hand: Mapping[str, tuple[Sequence[Pair], int]] | None = None
) -> dict[str, object]:
    """The fitted model as `rag.judge_model.load_model` reads it, with how it was made.

    Each hand-labelled set (by name) counts as many times as it is given: they are
    few, and written the way people paraphrase and edit, which the generated rewrites
    only approach. The threshold is the one with the best balanced accuracy on the
    out-of-fold predictions of the hand-labelled pairs (of all pairs when there are
    none): those are the sentences a judge meets, and each is predicted by a model that
    never saw the labels of its paper.
    """
    hand = hand or {}
    generated = len(pairs)
    groups = hand.values()
    pairs = [*pairs, *(p for group, weight in groups for p in group for _ in range(weight))]
    x = feature_matrix(pairs)
    y = np.asarray([p.supported for p in pairs], dtype=float)
    oof = out_of_fold(x, y, [p.paper for p in pairs])
    rows = slice(generated, None) if hand else slice(None)
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    scores = [balanced_accuracy(oof[rows], y[rows], t) for t in grid]
    best = int(np.argmax(scores))
    weights, bias = fit(x, y)
    return {
        "version": VERSION,
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
        "threshold": float(grid[best]),
        "training": {
            "seed": SEED,
            "papers": sorted({p.paper for p in pairs}),
            "pairs": generated,
            "hand_labelled": {
                name: {"pairs": len(group), "weight": weight}
                for name, (group, weight) in hand.items()
            },
            "supported": int(y.sum()),
            "threshold_chosen_on": "hand-labelled pairs" if hand else "all pairs",
            "out_of_fold_balanced_accuracy": round(scores[best], 4),
            "out_of_fold_balanced_accuracy_generated": round(
                balanced_accuracy(oof[:generated], y[:generated], float(grid[best])), 4
            ),
        },
    }
