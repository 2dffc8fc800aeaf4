"""Every cut-off and weight the answering core decides by, in one place.

The refusal's cut-offs are fitted on the eval's `dev` split (the seed questions and the
`dev` real papers, README "The real-papers set and its splits") and read from `rag/data`;
the rest were set by hand on it. The `test` papers were never looked at while setting
them, so figures on `test` are out of sample and figures on `dev` are in-sample. Bounds
that only cap how much work or text a step takes are kept beside the step; what is here
changes which answer a question gets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# --- Refusal (`rag.answering.refusal`) ---
# Fitted, not set by hand: `python -m eval.refusal_fit` replays the refusal's checks on the
# `dev` questions' recorded evidence and keeps the cut-offs with the best balanced accuracy
# in `rag/data/refusal_cutoffs.json`, read here.
REFUSAL_CUTOFFS_PATH = Path(__file__).resolve().parent.parent / "data" / "refusal_cutoffs.json"


@dataclass(frozen=True)
class RefusalCutoffs:
    """Where the evidence stops answering, each a cosine or a share of the question's terms.

    Below `min_dense` the best passage is about something else; below `min_known_terms`
    of its terms known to the index the question asks in words the papers never use;
    below `min_term_coverage` of them in the passages, these do not say what is asked.
    """

    min_dense: float
    min_known_terms: float
    min_term_coverage: float


# The layout of the fitted file this code reads; `eval.refusal_fit` writes the same.
REFUSAL_CUTOFFS_VERSION = "1"


def read_refusal_cutoffs(path: Path = REFUSAL_CUTOFFS_PATH) -> RefusalCutoffs:
    """Cut-offs from a fitted file, each a share or a cosine between 0 and 1.

    A file of another layout, or one missing a cut-off, is refused with its path named:
    answering with a cut-off silently defaulted would refuse by rules nobody fitted.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("version") != REFUSAL_CUTOFFS_VERSION:
        raise ValueError(
            f"{path}: version {data.get('version')!r}, this code reads "
            f"{REFUSAL_CUTOFFS_VERSION!r}; refit with `python -m eval.refusal_fit`"
        )
    fields = RefusalCutoffs.__dataclass_fields__
    absent = sorted(name for name in fields if name not in data)
    if absent:
        raise ValueError(f"{path}: cut-offs missing: {absent}")
    values = {name: float(data[name]) for name in fields}
    out_of_range = sorted(name for name, v in values.items() if not 0.0 <= v <= 1.0)
    if out_of_range:
        raise ValueError(f"{path}: cut-offs outside 0..1: {out_of_range}")
    return RefusalCutoffs(**values)


@lru_cache(maxsize=1)
def refusal_cutoffs() -> RefusalCutoffs:
    """The cut-offs shipped in `rag/data/refusal_cutoffs.json`, read once."""
    return read_refusal_cutoffs()


# Share of what a "how many X" question counts that the sentence with the number must name.
MIN_FOCUS = 0.5

# --- Sentence scoring (`rag.answering.sentence_scoring`) ---
# A key term (a number or a name) counts this many times a content term.
KEY_WEIGHT = 2.0
# Most sentences picked for their own coverage, and most that lean on each of them.
MAX_PICKS = 4
MAX_FOLLOWERS = 4
# A sentence past the first is picked only if it covers at least this share more of the
# question's weighted terms.
MIN_GAIN = 0.08
# Earlier passages rank higher: a sentence gains up to this much for its passage's rank.
RANK_PRIOR = 0.03
# A sentence about the paper itself ("This paper argues ...") counts this share of its gain:
# it matches every question on the paper's topic and answers none.
ABOUT_THE_PAPER_WEIGHT = 0.25
# The best sentence brings this many next sentences along even without a connective.
LEAD_FOLLOWERS = 2
# A sentence holding the kind of fact asked for (a date, an amount) gains up to this much,
# in proportion to how much of the question it is about.
FORM_BONUS = 0.15

# --- Questions across papers (`rag.pipeline`) ---
# A question about "both papers" gets this many passages from each paper the first
# retrieval missed, for at most this many papers.
PER_PAPER_K = 2
MAX_PAPERS_COMPARED = 4
