"""Milliseconds per judged sentence: the offline judge on every labelled pair, cold and warm.

Each pair is judged against its own passage; the first pass reads each passage for the
first time (as the pipeline meets a new passage), the second finds it in the judge's
caches. Prints the mean and the 95th percentile of each pass.
"""

from __future__ import annotations

import argparse
import statistics
import time

from eval.calibration import CALIBRATION_SET, HOLDOUT_SET, load_pairs
from rag.claims import read, read_passage
from rag.judge import default_model, judge_sentence


def main() -> None:
    """Time the judge on the calibration and holdout pairs."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    pairs = load_pairs(CALIBRATION_SET) + load_pairs(HOLDOUT_SET)
    default_model()
    for label in ("cold", "warm"):
        if label == "cold":
            read.cache_clear()
            read_passage.cache_clear()
        times = []
        for pair in pairs:
            began = time.perf_counter()
            judge_sentence(pair.sentence, [pair.passage])
            times.append((time.perf_counter() - began) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{label}: {len(times)} sentences, "
            f"{statistics.mean(times):.2f} ms mean, {p95:.2f} ms p95"
        )


if __name__ == "__main__":
    main()
