"""BM25 over chunks that a library keeps adding to, without indexing it all again.

bm25s indexes a fixed set of texts: one more paper in a library of 30,000 chunks means
tokenizing and scoring all of them again (seconds), paid by the first question after
the change. Here the chunks live in segments, as in Lucene: adding chunks adds a
segment of their raw term counts, and a question's scores are summed over the segments
from those counts, with the document frequencies and average length of everything
indexed at that moment. Small segments are merged as they pile up, so a query reads a
few of them and an addition costs about what the new chunks weigh. The scores are the
Lucene variant that bm25s computes by default (same k1 and b), equal to float precision.

An index is never changed in place: `added` returns a new one sharing the old segments,
so a question being answered over the previous index is never disturbed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix, csc_matrix
from scipy.sparse import vstack as stack_rows

# bm25s's defaults.
K1 = 1.5
B = 0.75
# A new segment is merged into the one before it once it holds a quarter of its rows:
# a library's first segment is merged again only after it grew by a quarter.
MERGE_SHARE = 0.25


@dataclass(frozen=True)
class _Segment:
    """Term counts of consecutive chunks: rows from `start`, one column per term id."""

    start: int
    counts: csc_matrix

    @property
    def rows(self) -> int:
        return int(self.counts.shape[0])

    def column(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The chunks (by position in the index) holding `term`, and how often."""
        if term >= self.counts.shape[1]:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        lo, hi = self.counts.indptr[term], self.counts.indptr[term + 1]
        return self.start + self.counts.indices[lo:hi], self.counts.data[lo:hi]

    def widened(self, terms: int) -> csc_matrix:
        """The counts with columns for terms first seen after this segment was made."""
        extra = terms - self.counts.shape[1]
        indptr = np.concatenate([self.counts.indptr, np.repeat(self.counts.indptr[-1], extra)])
        return csc_matrix((self.counts.data, self.counts.indices, indptr), shape=(self.rows, terms))


@dataclass(frozen=True)
class BM25Index:
    """Chunks' term counts in segments; chunk `i` is the `i`-th text ever added."""

    vocab: dict[str, int] = field(default_factory=dict)
    segments: tuple[_Segment, ...] = ()
    lengths: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))
    doc_freq: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # Terms' rows and weights as `_weights` worked them out (a race only repeats work).
    _cache: dict[int, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def size(self) -> int:
        """How many chunks are indexed."""
        return len(self.lengths)

    def added(self, tokens: Sequence[Sequence[str]]) -> BM25Index:
        """This index with more chunks (their tokens, as `bm25_tokens` gives them)."""
        if not tokens:
            return self
        vocab = dict(self.vocab)
        rows: list[int] = []
        cols: list[int] = []
        for row, words in enumerate(tokens):
            for word in words:
                cols.append(vocab.setdefault(word, len(vocab)))
                rows.append(row)
        counts = coo_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(tokens), len(vocab))
        ).tocsc()
        counts.sum_duplicates()
        doc_freq = np.zeros(len(vocab), dtype=np.int64)
        doc_freq[: len(self.doc_freq)] = self.doc_freq
        doc_freq += np.diff(counts.indptr)
        lengths = np.concatenate(
            [self.lengths, np.array([len(w) for w in tokens], dtype=np.float32)]
        )
        segments = _merged([*self.segments, _Segment(self.size, counts)], len(vocab))
        return BM25Index(vocab, segments, lengths, doc_freq)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every chunk's BM25 score for the query tokens (a repeated token counts again)."""
        out = np.zeros(self.size, dtype=np.float32)
        for word in query:
            term = self.vocab.get(word)
            if term is not None:
                rows, weights = self._weights(term)
                out[rows] += weights
        return out

    def _weights(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The chunks holding a term and its BM25 weight in each, worked out once per index.

        A weight depends on how many chunks the index holds and their average length, so
        it is kept with this index (a new one starts afresh); common words recur across
        questions, and their columns are the long ones.
        """
        known = self._cache.get(term)
        if known is not None:
            return known
        n, average = self.size, float(self.lengths.mean()) or 1.0
        df = int(self.doc_freq[term])
        idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
        parts = [segment.column(term) for segment in self.segments]
        rows = np.concatenate([r for r, _ in parts])
        tf = np.concatenate([t for _, t in parts])
        norm = K1 * (1 - B + B * self.lengths[rows] / average)
        known = (rows, idf * tf / (tf + norm))
        self._cache[term] = known
        return known


def _merged(segments: list[_Segment], terms: int) -> tuple[_Segment, ...]:
    """Merge the newest segment into the one before while it is big enough beside it."""
    while len(segments) > 1 and segments[-1].rows >= MERGE_SHARE * segments[-2].rows:
        last, before = segments.pop(), segments.pop()
        counts = stack_rows([before.widened(terms), last.widened(terms)], format="csc")
        segments.append(_Segment(before.start, counts))
    return tuple(segments)
