"""How well an ingest reads a paper, against what the paper is known to print.

The truth is written by reading each PDF (`tests/fixtures/papers/expected.toml`): its
metadata, its headings, and probes (sentences that must be whole in one chunk, a
reference entry, a caption, a footnote, running headers that must be gone). The tests
hold the committed papers to it and `benchmarks/real_papers.py` prints it for all.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.normalise import normalise
from rag.types import ANSWER_KINDS, Chunk, PaperMeta

# A line of a bibliography: names, a year, and a venue word (heuristic, for reporting).
REFERENCE_LIKE = re.compile(
    r"[A-Z][\w'\-]+,? (?:[A-Z][\w.'\-]* )*.*\b(?:19|20)\d\d[a-z]?\b\.? .*"
    r"\b(?:In Proceedings|Proceedings of|arXiv preprint|Journal of|Conference on)\b"
)


@dataclass(frozen=True)
class Expected:
    """One paper's truth, as read from the PDF."""

    file: str
    committed: bool
    title: str
    authors: tuple[str, ...]
    headings: tuple[str, ...]
    probes: dict[str, Any]
    year: int | None = None
    venue: str | None = None
    arxiv_id: str | None = None


@dataclass
class Score:
    """What an ingest got right about one paper, and what it got wrong, by name."""

    file: str
    fields_right: int = 0
    fields_total: int = 0
    wrong_fields: list[str] = field(default_factory=list)
    author_precision: float = 0.0
    author_recall: float = 0.0
    heading_precision: float = 0.0
    heading_recall: float = 0.0
    missed_headings: list[str] = field(default_factory=list)
    extra_headings: list[str] = field(default_factory=list)
    failed_probes: list[str] = field(default_factory=list)
    reference_lines_answerable: int = 0
    largest_chunk: int = 0


def load_expected(path: Path) -> list[Expected]:
    """The papers of an expected-metadata file, in its order."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Expected(
            file=p["file"],
            committed=bool(p["committed"]),
            title=p["title"],
            authors=tuple(p["authors"]),
            headings=tuple(p["headings"]),
            probes=dict(p.get("probes", {})),
            year=p.get("year"),
            venue=p.get("venue"),
            arxiv_id=p.get("arxiv_id"),
        )
        for p in raw["paper"]
    ]


def key(text: str) -> str:
    """Text compared without case, accents, punctuation or spacing."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(re.sub(r"[^\w\s]|_", " ", folded.encode("ascii", "ignore").decode()).split())


def flat(text: str) -> str:
    """Text compared as it reads: normalised as all text is, line breaks as spaces."""
    return " ".join(normalise(text).split())


def _precision_recall(got: Sequence[str], want: Sequence[str]) -> tuple[float, float]:
    hits = sum((Counter(map(key, got)) & Counter(map(key, want))).values())
    return (hits / len(got) if got else 0.0, hits / len(want) if want else 1.0)


def score(expected: Expected, meta: PaperMeta, chunks: Sequence[Chunk]) -> Score:
    """Compare one paper's metadata and chunks with its truth."""
    out = Score(expected.file)
    checks = {
        "title": key(meta.title) == key(expected.title),
        "authors": {key(a) for a in meta.authors} == {key(a) for a in expected.authors},
        "year": meta.year == expected.year,
        "venue": (meta.venue and key(meta.venue)) == (expected.venue and key(expected.venue)),
        "arxiv_id": meta.arxiv_id == expected.arxiv_id,
    }
    out.fields_total = len(checks)
    out.fields_right = sum(checks.values())
    out.wrong_fields = [name for name, ok in checks.items() if not ok]
    out.author_precision, out.author_recall = _precision_recall(meta.authors, expected.authors)
    got, want = meta.sections, expected.headings
    out.heading_precision, out.heading_recall = _precision_recall(got, want)
    out.missed_headings = sorted(set(map(key, want)) - set(map(key, got)))
    out.extra_headings = sorted(set(map(key, got)) - set(map(key, want)))
    out.failed_probes = failed_probes(expected.probes, chunks)
    answerable = [c for c in chunks if c.kind in ANSWER_KINDS]
    out.reference_lines_answerable = sum(
        bool(REFERENCE_LIKE.search(line)) for c in answerable for line in c.text.splitlines()
    )
    out.largest_chunk = max((len(c.text) for c in chunks), default=0)
    return out


def failed_probes(probes: dict[str, Any], chunks: Sequence[Chunk]) -> list[str]:
    """The probes the chunks fail, each named by its kind and the start of its text."""
    texts = [(c.kind, flat(c.text)) for c in chunks]
    answerable = [t for kind, t in texts if kind in ANSWER_KINDS]

    def within(probe: str, kinds: Sequence[str]) -> bool:
        return any(flat(probe) in t for kind, t in texts if kind in kinds)

    failed = [f"body: {s[:50]}" for s in probes.get("body", ()) if not within(s, ANSWER_KINDS)]
    ref = probes.get("reference")
    if ref and (not within(ref, ["references"]) or any(flat(ref) in t for t in answerable)):
        failed.append(f"reference: {ref[:50]}")
    for kind in ("caption", "footnote"):
        probe = probes.get(kind)
        if probe and not within(probe, [kind]):
            failed.append(f"{kind}: {probe[:50]}")
    failed += [f"gone: {g}" for g in probes.get("gone", ()) if any(g in t for t in answerable)]
    return failed
