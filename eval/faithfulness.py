"""Is each answer sentence supported by the passages it cites? The offline judge.

No language model: the claim-aware judge of `rag.judge`, the one the pipeline grounds
LLM sentences with, aligns each sentence's numbers, years, names, relations, polarity,
quantifiers and comparisons with the passages it cites and weighs the mismatches with a
model fitted on pairs generated from the papers (`eval.judge_training`). Its accuracy
is measured on `faithfulness_calibration.jsonl`, labelled pairs written from the papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rag.answering.composition import ATTRIBUTION
from rag.judge import JudgeModel, default_model
from rag.judge import judge_sentence as claim_verdict
from rag.sentences import sentences
from rag.support import CITE_RUN, SentenceVerdict, cited_numbers
from rag.types import Answer

Verdict = SentenceVerdict


class Judge(Protocol):
    """Anything that can say whether passages support a sentence."""

    name: str

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """The verdict on one sentence, given the texts it cites."""
        ...


class OfflineJudge:
    """The claim-aware judge of `rag.judge`, with the fitted model it is given."""

    def __init__(self, model: JudgeModel | None = None) -> None:
        self.model = model or default_model()
        self.name = f"offline (claims, model v{self.model.version})"

    def judge(self, sentence: str, passages: Sequence[str]) -> Verdict:
        """Supported when copied, or when the fitted probability reaches the threshold."""
        return claim_verdict(sentence, passages, self.model)


@lru_cache(maxsize=1)
def default_judge() -> OfflineJudge:
    """One offline judge per process."""
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
