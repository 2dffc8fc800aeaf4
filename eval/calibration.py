"""How far to trust a faithfulness judge: its accuracy on labelled sentence-passage pairs.

`faithfulness_calibration.jsonl` holds pairs written from the papers: faithful
sentences (verbatim, paraphrased, summarised) and unfaithful edits of them (a changed
number, date, name or place, a negation, swapped roles, a reversed comparison, a claim
the passage never makes). Balanced accuracy weighs both labels equally, so a judge that
says "supported" to everything scores 0.5, not the share of supported pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from eval.faithfulness import Judge
from eval.jsonl import load_jsonl

CALIBRATION_SET = Path(__file__).with_name("faithfulness_calibration.jsonl")
HOLDOUT_SET = Path(__file__).with_name("faithfulness_holdout.jsonl")
# Written from the five real papers by someone who had not read the judge's code; kept
# out of its training and tuning.
REAL_PAPERS_SET = Path(__file__).with_name("faithfulness_realpapers.jsonl")
# Written from three of the real papers to tune the judge on; fitted on, so in-sample.
DEV_SET = Path(__file__).with_name("faithfulness_dev_realpapers.jsonl")


class LabelledPair(BaseModel):
    """A sentence, the passage it is judged against, and whether the passage supports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    paper: str
    passage: str
    sentence: str
    supported: bool
    kind: str
    note: str = ""


class Calibration(BaseModel):
    """A judge's scores on a labelled set, overall and for each kind of pair."""

    judge: str
    set: str
    pairs: int
    balanced_accuracy: float
    true_positive_rate: float
    true_negative_rate: float
    accuracy_by_kind: dict[str, float]
    wrong: list[str]


def load_pairs(path: Path = CALIBRATION_SET) -> list[LabelledPair]:
    """Read a JSONL set of labelled pairs, naming the line of any malformed one."""
    return load_jsonl(path, LabelledPair)


def calibrate(judge: Judge, pairs: Sequence[LabelledPair], name: str = "") -> Calibration:
    """Judge every pair and compare with its label."""
    right: dict[str, list[bool]] = defaultdict(list)
    by_label: dict[bool, list[bool]] = {True: [], False: []}
    wrong = []
    for pair in pairs:
        verdict = judge.judge(pair.sentence, [pair.passage])
        ok = verdict.supported == pair.supported
        right[pair.kind].append(ok)
        by_label[pair.supported].append(ok)
        if not ok:
            wrong.append(f"{pair.id} ({pair.kind}): {verdict.reason or 'judged supported'}")
    tpr, tnr = (sum(v) / len(v) if v else 0.0 for v in (by_label[True], by_label[False]))
    return Calibration(
        judge=judge.name,
        set=name,
        pairs=len(pairs),
        balanced_accuracy=(tpr + tnr) / 2,
        true_positive_rate=tpr,
        true_negative_rate=tnr,
        accuracy_by_kind={k: sum(v) / len(v) for k, v in sorted(right.items())},
        wrong=wrong,
    )
