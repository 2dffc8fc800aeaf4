"""One matrix multiplied by the queries of concurrent asks together, read once per round.

An exact dense search multiplies every chunk's vector by the question's: at 36,000
chunks that is 53 MB read for 384 numbers of work per row, so eight concurrent asks on
two cores each read the same matrix again, their BLAS threads crowding each other (35
searches a second from 8 threads, against 203 from one; BENCHMARKS.md). Here the
queries that arrive while a product runs wait for it to finish and are then multiplied
in one matrix product, which reads the matrix once for all of them (316 a second from 8
threads). A lone ask never waits: the first query finds nothing running and is
multiplied at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np


@dataclass
class _Slot:
    """One query waiting for its row of products (or for its turn to lead a round)."""

    query: np.ndarray
    ready: threading.Event = field(default_factory=threading.Event)
    result: np.ndarray | None = None
    error: BaseException | None = None


class SharedProduct:
    """`matrix @ query` for concurrent callers, their queries batched into rounds."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._leading = False

    def __call__(self, query: np.ndarray) -> np.ndarray:
        """Every row's product with `query` (a vector as long as a row)."""
        slot = _Slot(np.asarray(query, dtype=self.matrix.dtype))
        with self._lock:
            self._waiting.append(slot)
            follow = self._leading
            self._leading = True
        if follow:
            # Woken with a result, or with none: the round before handed this slot the lead.
            slot.ready.wait()
        if slot.result is None and slot.error is None:
            self._lead()
        if slot.error is not None:
            raise slot.error
        assert slot.result is not None
        return slot.result

    def _lead(self) -> None:
        """Multiply every waiting query in one product, then hand the lead on or give it up."""
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            rows = np.stack([s.query for s in batch]) @ self.matrix.T
        except BaseException as exc:
            for s in batch:
                s.error = exc
        else:
            for s, row in zip(batch, rows, strict=True):
                s.result = row
        finally:
            with self._lock:
                nxt = self._waiting[0] if self._waiting else None
                self._leading = nxt is not None
            for s in batch:
                s.ready.set()
            if nxt is not None:
                nxt.ready.set()
