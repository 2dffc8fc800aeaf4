"""The segmented BM25 index scores as bm25s does, however its chunks were added."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from rag.bm25_index import BM25Index
from rag.snapshot import bm25_tokens

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
QUERIES = [
    "Russia North Korea policy",
    "Putin visit Pyongyang 2000 treaty treaty",
    "trade volume between Russia and South Korea",
    "a word no paper holds: zyzzyva",
]


@pytest.fixture(scope="module")
def tokens() -> list[list[str]]:
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text("utf-8")
        texts += [text[i : i + 900] for i in range(0, len(text), 700)]
    return bm25_tokens(texts)


def bm25s_scores(tokens: list[list[str]], query: list[str]) -> np.ndarray:
    reference = bm25s.BM25()
    reference.index(tokens, show_progress=False)
    return np.asarray(reference.get_scores(query))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_equal_bm25s_whatever_the_additions(tokens: list[list[str]], seed: int) -> None:
    rng = random.Random(seed)
    index, start, sizes = BM25Index().added(tokens[:30]), 30, []
    while start < len(tokens):
        stop = start + rng.choice([1, 2, 3, 9])
        index = index.added(tokens[start:stop])
        sizes.append(len(index.segments))
        start = stop
    assert index.size == len(tokens)
    assert max(sizes) > 1, "the additions never left more than one segment to sum over"
    for query in QUERIES:
        words = bm25_tokens([query])[0]
        assert np.allclose(index.scores(words), bm25s_scores(tokens, words), atol=1e-5)


def test_an_addition_leaves_the_index_it_was_made_from_unchanged(
    tokens: list[list[str]],
) -> None:
    words = bm25_tokens([QUERIES[0]])[0]
    base = BM25Index().added(tokens[:30])
    before = base.scores(words).copy()
    grown = base.added(tokens[30:])
    assert base.size == 30 and np.array_equal(base.scores(words), before)
    assert grown.size == len(tokens)


def test_an_empty_index_and_unknown_words_score_nothing(tokens: list[list[str]]) -> None:
    assert BM25Index().scores(["russia"]).size == 0
    assert not BM25Index().added(tokens).scores(["zyzzyva"]).any()
