"""Does a passage support a sentence? Claims aligned with the passage, weighed by a fitted model.

Each claim of the sentence (`rag.claims`) is looked for in the passages: its quantities
and years (however written), its names, the pairs of names it relates and which way,
whether it sits with the same words around it, its polarity, quantifiers and
comparisons, and how much of the rest the passages say. Each mismatch is a feature; a
logistic regression fitted on pairs generated from the papers (`eval.judge_training`)
weighs them, and a sentence is supported when the fitted probability reaches the
threshold kept with the weights in `rag/data/judge_model.json`. No language model, a
few milliseconds a sentence, so the pipeline grounds every LLM sentence with it and
`rag eval` scores with the same judge.

The reading is `rag.claims`, the alignment with the passages `rag.alignment`, the
features `rag.anchor_features` and `rag.wording_features`, the fitted weights
`rag.judge_model`; this module gives the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.judge_model import JudgeModel, default_model, findings
from rag.support import CITE, SentenceVerdict, copied

__all__ = ["JudgeModel", "default_model", "judge_sentence"]


def judge_sentence(
    sentence: str, passages: Sequence[str], model: JudgeModel | None = None
) -> SentenceVerdict:
    """Supported when copied from the passages, or when the model's probability is high enough.

    The reason names the feature whose mismatch cost the sentence most.
    """
    model = model or default_model()
    claim = CITE.sub("", sentence).strip()
    if claim and copied(claim, passages):
        return SentenceVerdict(True, 1.0)
    found = findings(claim, passages)
    if found is None:
        return SentenceVerdict(False, 0.0, "says nothing checkable")
    values = {name: f.value for name, f in found.items()}
    p = model.probability(values)
    if p >= model.threshold:
        return SentenceVerdict(True, p)
    worst = model.worst(values)
    return SentenceVerdict(False, p, found[worst].detail or worst)
