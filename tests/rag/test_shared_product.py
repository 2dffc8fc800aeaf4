"""Concurrent exact searches share one matrix product, and each gets its own row back."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from rag.shared_product import SharedProduct

WAIT_S = 10.0
# A batched product sums in another order than one vector's: float32 rows of 8 numbers
# near 1 differ by a few units in the last place, far below any two queries' difference.
ATOL = 1e-5


class _Gated:
    """A matrix's transpose whose first product waits for a gate; records each round's size."""

    __array_ufunc__ = None

    def __init__(self, matrix: np.ndarray, fail: bool = False) -> None:
        self.matrix = matrix
        self.fail = fail
        self.gate = threading.Event()
        self.rounds: list[int] = []

    def __rmatmul__(self, queries: np.ndarray) -> np.ndarray:
        if not self.rounds:
            assert self.gate.wait(WAIT_S)
        self.rounds.append(len(queries))
        if self.fail:
            raise RuntimeError("product failed")
        return np.asarray(queries @ self.matrix.T)


class _Matrix:
    """Stands in for the vectors: its `.T` is the gated transpose."""

    def __init__(self, gated: _Gated) -> None:
        self.T = gated
        self.dtype = gated.matrix.dtype
        self.shape = gated.matrix.shape


def _rows(n: int = 50, dim: int = 8) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, dim)).astype(np.float32)


def _ask_concurrently(product: SharedProduct, gated: _Gated, queries: np.ndarray) -> list[Any]:
    """The first query starts a round that waits at the gate; the rest queue behind it."""
    out: list[Any] = [None] * len(queries)

    def ask(i: int) -> None:
        try:
            out[i] = product(queries[i])
        except RuntimeError as exc:
            out[i] = exc

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    others = [threading.Thread(target=ask, args=(i,)) for i in range(1, len(queries))]
    for t in others:
        t.start()
    deadline = time.monotonic() + WAIT_S
    while len(product._waiting) < len(others) and time.monotonic() < deadline:
        time.sleep(0.001)
    gated.gate.set()
    for t in [first, *others]:
        t.join(WAIT_S)
    return out


def test_a_lone_query_gets_the_product_at_once() -> None:
    rows = _rows()
    query = rows[3]
    assert np.allclose(SharedProduct(rows)(query), rows @ query, atol=ATOL)


def test_queries_that_arrive_during_a_product_share_the_next_one() -> None:
    rows = _rows()
    gated = _Gated(rows)
    product = SharedProduct(rows)
    product.matrix = _Matrix(gated)  # type: ignore[assignment]
    queries = rows[:6]
    out = _ask_concurrently(product, gated, queries)
    assert gated.rounds == [1, 5]
    for q, got in zip(queries, out, strict=True):
        assert np.allclose(got, rows @ q, atol=ATOL)


def test_a_failed_product_fails_every_query_in_its_round() -> None:
    rows = _rows()
    gated = _Gated(rows, fail=True)
    product = SharedProduct(rows)
    product.matrix = _Matrix(gated)  # type: ignore[assignment]
    out = _ask_concurrently(product, gated, rows[:4])
    assert all(isinstance(x, RuntimeError) for x in out)
    assert gated.rounds == [1, 3]
    with pytest.raises(RuntimeError):
        product(rows[0])
