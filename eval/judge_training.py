"""Fit the faithfulness judge's model on pairs generated from the papers' own text.

`python -m eval.judge_training --out rag/data/judge_model.json` reads the seed corpus
(`corpus/*.txt`), the committed real PDFs (`tests/fixtures/papers/*.pdf`) and the five
real papers beside the repository (`../shared/real-papers/`, where present; text by
pypdf, cut at the reference list), cuts them into passages of consecutive sentences of
running prose, and makes labelled pairs from each: faithful ones from a sentence of the
passage rewritten without changing what it says (a bracket or an opening dropped, a
date or a clause moved, a list's items reordered, an active sentence made passive, a
number written another way, an attribution added, two sentences joined, general words
swapped for synonyms on top of another rewrite), and unfaithful ones by one systematic
edit (a number, year, name or content word swapped for another of the same paper, a
negation added or dropped, two names exchanged, a comparison or a quantifier changed,
a clause added from elsewhere in the paper, or a sentence from elsewhere). The
hand-labelled sets of `LABELLED` are fitted on too; the held-out real-paper set is not.
The features of `rag.judge` are computed for every pair and a logistic regression is
fitted with numpy; the threshold is the one with the best balanced accuracy on the
hand-labelled pairs' out-of-fold predictions, each paper predicted by a model fitted on
the others. Everything is seeded, so a refit on the same text writes the same file.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from eval.judge_fit import labelled, train
from eval.judge_pairs import generate
from eval.judge_papers import DEFAULT_SOURCES, ROOT

HAND_WEIGHT = 3
# Hand-labelled sets fitted on too, each with how many times it counts: the seed
# calibration set, and the development pairs written from three of the real papers
# (`faithfulness_dev_realpapers.md`), once each since they are twice as many. The
# held-out real-paper set is never read here.
LABELLED = {
    ROOT / "eval" / "faithfulness_calibration.jsonl": HAND_WEIGHT,
    ROOT / "eval" / "faithfulness_dev_realpapers.jsonl": 1,
}


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the pairs, fit, and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="Where to write the model.")
    parser.add_argument(
        "--source", type=Path, action="append", help="Folder of papers (repeatable)."
    )
    parser.add_argument("--pairs", type=Path, help="Also write the generated pairs as JSONL.")
    parser.add_argument(
        "--labelled",
        type=Path,
        action="append",
        help=(
            f"Hand-labelled pairs fitted on too, counted {HAND_WEIGHT} times (repeatable; "
            f"default {', '.join(p.name for p in LABELLED)})."
        ),
    )
    parser.add_argument("--no-labelled", action="store_true", help="Fit on generated pairs only.")
    args = parser.parse_args(argv)
    pairs = generate(args.source or DEFAULT_SOURCES)
    if args.pairs:
        lines = [json.dumps(p.__dict__, ensure_ascii=False) for p in pairs]
        args.pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sets = {f: HAND_WEIGHT for f in args.labelled} if args.labelled else LABELLED
    hand = {} if args.no_labelled else {f.name: (labelled(f), w) for f, w in sets.items()}
    model = train(pairs, hand)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model["training"]))


if __name__ == "__main__":
    main()
