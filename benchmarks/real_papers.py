"""How well and how fast the five real papers are read: `python -m benchmarks.real_papers`.

Each paper is prepared as `rag ingest` prepares it (read in the isolated child process,
cleaned, chunked; the pages/s column leaves embedding out) and scored against
`tests/fixtures/papers/expected.toml`; `--ingest` also times a whole ingest of the five
into an empty index, embedding included. The three papers that are not committed
are read from `../shared/real-papers/` beside the repository.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ingest.indexer import ingest, prepare
from ingest.quality import Expected, Score, load_expected, score
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "papers"
SHARED = ROOT.parent / "shared" / "real-papers"


def paper_path(paper: Expected) -> Path:
    """Where a paper of the expected file lives: the fixtures, or the shared folder."""
    return (FIXTURES if paper.committed else SHARED) / paper.file


def run(settings: Settings) -> list[tuple[Score, int, float]]:
    """Each paper's score, page count and seconds to prepare."""
    out = []
    for paper in load_expected(FIXTURES / "expected.toml"):
        began = time.perf_counter()
        item = prepare(paper_path(paper), None, "benchmark", settings)
        seconds = time.perf_counter() - began
        out.append((score(paper, item.record.meta, item.chunks), item.record.pages, seconds))
    return out


def ingest_speed(settings: Settings) -> tuple[int, float]:
    """Pages of the five papers and seconds for a whole `rag ingest` of them.

    Embedding and writing included, into an empty index in a temporary folder.
    """
    papers = load_expected(FIXTURES / "expected.toml")
    with tempfile.TemporaryDirectory() as folder:
        fresh = settings.model_copy(update={"data_dir": Path(folder)})
        began = time.perf_counter()
        report = ingest([paper_path(p) for p in papers], fresh)
        seconds = time.perf_counter() - began
    return sum(r.pages for r in report.results), seconds


def table(rows: list[tuple[Score, int, float]], chunk_size: int) -> str:
    """The Markdown table the README shows."""
    lines = [
        "| paper | metadata fields right | authors P / R | headings P / R | probes failed "
        "| reference-like lines in answerable chunks | largest chunk | pages/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s, pages, seconds in rows:
        wrong = f" ({', '.join(s.wrong_fields)} wrong)" if s.wrong_fields else ""
        lines.append(
            f"| `{s.file}` | {s.fields_right}/{s.fields_total}{wrong} "
            f"| {s.author_precision:.0%} / {s.author_recall:.0%} "
            f"| {s.heading_precision:.0%} / {s.heading_recall:.0%} "
            f"| {len(s.failed_probes)} | {s.reference_lines_answerable} "
            f"| {s.largest_chunk} ({s.largest_chunk / chunk_size:.2f}x) | {pages / seconds:.1f} |"
        )
    pages = sum(p for _, p, _ in rows)
    seconds = sum(t for _, _, t in rows)
    lines.append(f"| all five | | | | | | | {pages / seconds:.1f} ({pages} pages) |")
    return "\n".join(lines)


def main() -> None:
    """Print the table, then what went wrong paper by paper."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--ingest", action="store_true", help="also time a whole ingest, embedding included"
    )
    args = parser.parse_args()
    settings = Settings(_env_file=None)
    rows = run(settings)
    print(table(rows, settings.chunk_size))
    if args.ingest:
        pages, seconds = ingest_speed(settings)
        print(
            f"whole ingest (read, chunk, embed, write): {pages} pages in {seconds:.1f} s, "
            f"{pages / seconds:.1f} pages/s"
        )
    for s, _, _ in rows:
        for what, items in (
            ("wrong fields", s.wrong_fields),
            ("missed headings", s.missed_headings),
            ("extra headings", s.extra_headings),
            ("failed probes", s.failed_probes),
        ):
            if items:
                print(f"{s.file}: {what}: {items}")


if __name__ == "__main__":
    main()
