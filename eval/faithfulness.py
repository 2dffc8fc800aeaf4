"""Is each answer sentence supported by the passages it cites? The offline judge.

No language model: a sentence passes only if the lexical checks the pipeline's own
grounding makes hold (numbers, names and places, content words, polarity, roles), and
its meaning is close to some stretch of the passages by sentence embeddings, which
catches claims reworded far from anything the passages say. Its accuracy is measured
on `faithfulness_calibration.jsonl`, labelled pairs written from the papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from rag.answer import Answer
from rag.embeddings import SentenceTransformerEmbedder, make_embedder
from rag.extractive import ATTRIBUTION
from rag.sentences import sentences
from rag.settings import get_settings
from rag.support import CITE, CITE_RUN, SentenceVerdict, cited_numbers, stretches
from rag.support import judge_sentence as lexical_verdict

Verdict = SentenceVerdict
# Cosine similarity a sentence needs with its closest stretch of passage text.
MIN_SIMILARITY = 0.6


class Judge(Protocol):
    """Anything that can say whether passages support a sentence."""

    name: str

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """The verdict on one sentence, given the texts it cites."""
        ...


class OfflineJudge:
    """Lexical checks, then closeness of meaning by the project's embedding model."""

    name = "offline"

    def __init__(self, embedder: SentenceTransformerEmbedder | None = None) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def embedder(self) -> SentenceTransformerEmbedder:
        """Built on first use, so importing the judge loads no model."""
        if self._embedder is None:
            self._embedder = make_embedder(get_settings())
        return self._embedder

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """Supported only if every lexical check passes and the meaning is close."""
        lexical = lexical_verdict(sentence, passages)
        if not lexical.supported:
            return lexical
        similarity = self.similarity(sentence, passages)
        if similarity < MIN_SIMILARITY:
            reason = f"meaning too far from the passages ({similarity:.2f})"
            return Verdict(False, similarity, reason)
        return Verdict(True, min(lexical.score, similarity))

    def similarity(self, sentence: str, passages: Sequence[str]) -> float:
        """Best cosine similarity with one passage sentence or two consecutive ones."""
        windows = stretches(passages)
        if not windows:
            return 0.0
        claim, *rest = self._unit_vectors([CITE.sub("", sentence), *windows])
        return float(max(v @ claim for v in rest))

    def _unit_vectors(self, texts: list[str]) -> list[np.ndarray]:
        """Normalised embeddings, each text embedded once per judge: passages recur."""
        new = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if new:
            for text, vector in zip(new, self.embedder.embed_batch(new), strict=True):
                v = np.asarray(vector, dtype=float)
                self._vectors[text] = v / np.linalg.norm(v)
        return [self._vectors[t] for t in texts]


@lru_cache(maxsize=1)
def default_judge() -> OfflineJudge:
    """One offline judge per process, its model loaded on first use."""
    return OfflineJudge()


def judge_sentence(sentence: str, passages: list[str]) -> Verdict:
    """The offline judge's verdict on one sentence against the passages it cites."""
    return default_judge().judge(sentence, passages)


@dataclass(frozen=True)
class JudgedSentence:
    """An answer sentence, the citation numbers it rests on, and the judge's verdict."""

    sentence: str
    cited: tuple[int, ...]
    verdict: Verdict


@dataclass(frozen=True)
class AnswerFaithfulness:
    """Per-sentence verdicts and the share supported (`None` for a refusal)."""

    sentences: list[JudgedSentence]
    share: float | None


def cited_sentences(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """Each sentence with the markers it rests on.

    Markers split the text: the sentences before a marker rest on it, the way one
    citation closes a run of sentences, even where the sentence splitter would not have
    ended a sentence there (a closing quote). Sentences after the last marker of a
    paragraph cite nothing. The "According to Title (p. 3):" opening of an extractive
    paragraph is attribution, not a claim, and is left out.
    """
    out: list[tuple[str, tuple[int, ...]]] = []
    for paragraph in text.split("\n\n"):
        body = ATTRIBUTION.sub("", paragraph.strip())
        start = 0
        for run in CITE_RUN.finditer(body):
            marks = tuple(cited_numbers(run.group()))
            out += [(s, marks) for s in _claims(body[start : run.start()])]
            start = run.end()
        out += [(s, ()) for s in _claims(body[start:])]
    return out


def _claims(text: str) -> list[str]:
    """The sentences of a stretch between markers, less a full stop left from the last."""
    return [s for s in sentences(text.lstrip(" .;,")) if any(c.isalnum() for c in s)]


def score_answer(answer: Answer, judge: Judge | None = None) -> AnswerFaithfulness:
    """Judge every sentence of an answer against the passages its markers name."""
    if not answer.answered:
        return AnswerFaithfulness([], None)
    judge = judge or default_judge()
    texts = {c.n: c.text for c in answer.citations}
    judged = []
    for sentence, marks in cited_sentences(answer.answer):
        cited = [texts[n] for n in marks if n in texts]
        verdict = judge.judge(sentence, cited) if cited else Verdict(False, 0.0, "cites no passage")
        judged.append(JudgedSentence(sentence, marks, verdict))
    share = sum(j.verdict.supported for j in judged) / len(judged) if judged else 0.0
    return AnswerFaithfulness(judged, share)
