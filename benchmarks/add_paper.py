"""One paper added to a served library while it is asked: `python -m benchmarks.add_paper`.

A copy of the generated library of `benchmarks.library` (its papers and index, so the
cache is never changed) served by `rag serve --workers 2`, extractive backend, embedded
index. Asks at concurrency 1 give the p50 before; then one asker asks for a minute with
nothing changing (what the machine's own noise costs), goes on while a paper is
uploaded through `POST /papers`, and for a minute after the upload returned.
Right after it returns, the paper is looked up over fresh connections, so that both
workers answer some, each of which must already know it. Reported: the p50 before, the
asks of the minute before, during the upload, its first ten after and the minute after
(p50, p95, the slowest, how many took over 3x the p50 before, and over 3x their own
question's p50 in the minute before) and how many lookups found the paper. Issue 20's
target: none over 3x in the minute after.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.http_load import chroma_server, load_http, serve
from benchmarks.library import Library, build, settings_for
from benchmarks.run import free_port
from benchmarks.stats import Latency
from eval.questions import load_questions
from ingest.indexer import ingest
from rag.settings import Settings
from rag.snapshot import SnapshotCache
from rag.store import ChunkStore

REPO = Path(__file__).resolve().parent.parent
# Papers none of the library holds: fixture PDFs of the test suite.
NEW_PAPER = REPO / "tests" / "fixtures" / "papers" / "2020.acl-main.447.pdf"
ANOTHER_PAPER = REPO / "tests" / "fixtures" / "papers" / "2023.eacl-main.121.pdf"
START_TIMEOUT_S = 900.0
WORKERS = 2


@dataclass
class Asker:
    """One client asking in a loop; each ask's start (monotonic seconds), milliseconds, question."""

    url: str
    questions: list[str]
    asks: list[tuple[float, float, int]] = field(default_factory=list)
    errors: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Ask until stopped, one question at a time over one connection."""
        with httpx.Client(base_url=self.url, timeout=120) as client:
            i = 0
            while not self.stop.is_set():
                began = time.monotonic()
                asked = i % len(self.questions)
                response = client.post("/ask", json={"question": self.questions[asked]})
                if response.status_code == 200:
                    self.asks.append((began, (time.monotonic() - began) * 1000, asked))
                else:
                    self.errors += 1
                i += 1

    def between(self, start: float, end: float) -> list[tuple[int, float]]:
        """(question, milliseconds) of the asks that started in [start, end)."""
        return [(q, ms) for at, ms, q in self.asks if start <= at < end]


def per_question_p50(asks: list[tuple[int, float]]) -> dict[int, float]:
    """Each question's p50 over these asks: the questions differ more than the minutes do."""
    by_question: dict[int, list[float]] = {}
    for q, ms in asks:
        by_question.setdefault(q, []).append(ms)
    return {q: statistics.median(times) for q, times in by_question.items()}


def summary(
    label: str, asks: list[tuple[int, float]], p50_before: float, own: dict[int, float]
) -> str:
    """One table row: how many asks, their p50, p95, slowest and how many over 3x.

    Over 3x the p50 of all asks before, and over 3x the p50 of the same question in the
    minute before (a question not asked then counts against the p50 of all).
    """
    if not asks:
        return f"| {label} | 0 | | | | | |"
    millis = [ms for _, ms in asks]
    ordered = sorted(millis)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    over = sum(ms > 3 * p50_before for ms in millis)
    over_own = sum(ms > 3 * own.get(q, p50_before) for q, ms in asks)
    return (
        f"| {label} | {len(millis)} | {statistics.median(millis):.1f} ms | {p95:.1f} ms | "
        f"{max(millis):.1f} ms | {over} | {over_own} |"
    )


def main() -> None:
    """Serve a copy of the library, add a paper under load, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1000, help="generated papers")
    parser.add_argument("--after-s", type=float, default=60.0, help="seconds asked after")
    parser.add_argument("--lookups", type=int, default=20, help="lookups of the new paper")
    parser.add_argument(
        "--chroma-server", action="store_true", help="serve the index by `chroma run`"
    )
    args = parser.parse_args()
    library = build(args.papers)
    questions = [q.question for q in load_questions()]
    with tempfile.TemporaryDirectory(prefix="rag-add-paper-") as tmp:
        root = Path(tmp)
        source = settings_for(args.papers)
        shutil.copytree(source.corpus_dir, root / "corpus")
        shutil.copytree(source.data_dir, root / "data")
        settings = Settings(
            _env_file=None,
            corpus_dir=root / "corpus",
            data_dir=root / "data",
            model_cache_dir=source.resolved_model_cache_dir,
        )
        with contextlib.ExitStack() as stack:
            if args.chroma_server:
                index = settings.resolved_chroma_path
                url = stack.enter_context(chroma_server(index, root / "chroma", free_port()))
                settings = settings.model_copy(update={"chroma_url": url})
            results = measured(settings, root, questions, args)
    print_results(library, args, results)


@dataclass(frozen=True)
class Results:
    """What one run measured."""

    before: Latency
    asker: Asker
    control_began: float
    upload_began: float
    upload_ended: float
    found: int
    whole_s: float
    grown_s: float


def measured(
    settings: Settings, root: Path, questions: list[str], args: argparse.Namespace
) -> Results:
    """Serve the copy, ask, upload a paper under the asker, look it up; then in-process."""
    port = free_port()
    with serve(settings, root / "serve", port, START_TIMEOUT_S, workers=WORKERS) as server:
        for _ in range(2):  # warm-up over both workers, not reported
            load_http(server.url, questions, WORKERS, len(questions))
        before = load_http(server.url, questions, 1, 2 * len(questions))
        asker = Asker(server.url, questions)
        thread = threading.Thread(target=asker.run)
        thread.start()
        control_began = time.monotonic()
        time.sleep(args.after_s)
        upload_began = time.monotonic()
        with NEW_PAPER.open("rb") as pdf:
            response = httpx.post(
                f"{server.url}/papers",
                files={"file": (NEW_PAPER.name, pdf, "application/pdf")},
                timeout=600,
            )
        upload_ended = time.monotonic()
        response.raise_for_status()
        paper_id = response.json()["id"]
        found = sum(
            httpx.get(f"{server.url}/papers/{paper_id}", timeout=60).status_code == 200
            for _ in range(args.lookups)
        )
        time.sleep(args.after_s)
        asker.stop.set()
        thread.join()
    whole_s, grown_s = snapshot_seconds(settings)
    return Results(
        before, asker, control_began, upload_began, upload_ended, found, whole_s, grown_s
    )


def print_results(library: Library, args: argparse.Namespace, r: Results) -> None:
    """The run's figures as lines and a Markdown table."""
    before, asker, found = r.before, r.asker, r.found
    control_began, upload_began, upload_ended = r.control_began, r.upload_began, r.upload_ended
    whole_s, grown_s = r.whole_s, r.grown_s
    p50 = before.p50_ms
    print(
        f"library: {library.papers:,} papers, {library.chunks:,} chunks; {WORKERS} workers; "
        f"{'a chroma run server' if args.chroma_server else 'embedded index'}; "
        f"upload of {NEW_PAPER.name} took {upload_ended - upload_began:.1f} s"
    )
    print(f"\np50 before, concurrency 1: {p50:.1f} ms (p95 {before.p95_ms:.1f} ms)\n")
    print(
        "| asks | n | p50 | p95 | slowest | over 3x the p50 before "
        "| over 3x the question's own p50 in the minute before |"
    )
    print("|---|---|---|---|---|---|---|")
    control = asker.between(control_began, upload_began)
    own = per_question_p50(control)
    before_s = f"the {args.after_s:.0f} s before, nothing changing"
    print(summary(before_s, control, p50, own))
    print(summary("during the upload", asker.between(upload_began, upload_ended), p50, own))
    print(summary("the first 10 after it", asker.between(upload_ended, 1e18)[:10], p50, own))
    print(
        summary(
            f"the {args.after_s:.0f} s after it",
            asker.between(upload_ended, upload_ended + args.after_s),
            p50,
            own,
        )
    )
    slow = [
        f"{at - upload_ended:.1f}"
        for at, ms, _ in asker.asks
        if upload_ended <= at < upload_ended + args.after_s and ms > 3 * p50
    ]
    print(
        f"\nwhen the asks of the minute after over 3x the p50 before began, seconds after the "
        f"upload returned: {', '.join(slow) or 'none'}"
    )
    print(
        f"\nthe new paper found by {found} of {args.lookups} lookups right after the upload "
        f"(fresh connections); ask errors: {asker.errors}"
    )
    print(
        f"\nin-process, the index read into a snapshot: whole {whole_s:.2f} s; grown by one "
        f"paper added by another store (what a worker that did not write it pays) "
        f"{grown_s * 1000:.0f} ms"
    )


def snapshot_seconds(settings: Settings) -> tuple[float, float]:
    """Seconds to read the whole index into a snapshot, then to add one more paper to it."""
    cache = SnapshotCache(ChunkStore.open(settings))
    began = time.perf_counter()
    cache.current()
    whole = time.perf_counter() - began
    shutil.copyfile(ANOTHER_PAPER, settings.corpus_dir / ANOTHER_PAPER.name)
    ingest([settings.corpus_dir / ANOTHER_PAPER.name], settings)
    began = time.perf_counter()
    cache.current()
    return whole, time.perf_counter() - began


if __name__ == "__main__":
    main()
