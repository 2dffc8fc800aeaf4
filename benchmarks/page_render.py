"""Page rendering for the citation panel: `python -m benchmarks.page_render [PDF ...]`.

First renders (a new page at width 1000, highlight drawn, PNG encoded) and repeats from
the cache, over every page of the given PDFs (default: the committed fixtures), with
percentiles by nearest rank. The same `PdfPages` the API serves from.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from api.pdf_pages import Box, PdfPages
from benchmarks.stats import percentile

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "papers"
WIDTH = 1000
HIGHLIGHT = (Box(72.0, 100.0, 300.0, 112.0),)


def main() -> None:
    """Print p50 and p95 of first and cached renders."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pdfs", nargs="*", type=Path, default=sorted(FIXTURES.glob("*.pdf")))
    args = parser.parse_args()
    pages = PdfPages(cache_size=1024)
    first: list[float] = []
    cached: list[float] = []
    for pdf in args.pdfs:
        for n in range(1, pages.page_count(pdf) + 1):
            began = time.perf_counter()
            pages.png(pdf, n, WIDTH, HIGHLIGHT)
            first.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            pages.png(pdf, n, WIDTH, HIGHLIGHT)
            cached.append((time.perf_counter() - began) * 1000)
    for name, times in (("first render", first), ("from the cache", cached)):
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        print(f"{name}: {len(times)} pages, p50 {p50:.1f} ms, p95 {p95:.1f} ms (width {WIDTH})")


if __name__ == "__main__":
    main()
