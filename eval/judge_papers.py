"""The papers' running prose that the judge's training pairs are cut from.

Reads the seed corpus, the committed real PDFs and the real papers beside the
repository up to their reference lists, and tells a sentence of prose from a
reference entry, a table row or an address, so that only prose is edited.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pypdf

from rag.terms import STOPWORDS

ROOT = Path(__file__).resolve().parent.parent
# The seed corpus, the two committed real PDFs, and the five real papers shared beside
# the repository (three of them may not be committed, so they are read from there).
REAL_PAPERS = ROOT.parent / "shared" / "real-papers"
DEFAULT_SOURCES = tuple(
    d for d in (ROOT / "corpus", ROOT / "tests" / "fixtures" / "papers", REAL_PAPERS) if d.is_dir()
)
MIN_WORDS, MAX_WORDS = 8, 45
MAX_CAPITALS = 0.35
# The heading of a reference list, on a line of its own: what follows is not prose.
REFERENCES = re.compile(r"\n\s*(?:\d+\.?\s*)?(?:References|REFERENCES|Bibliography)\s*\n")
MIN_FUNCTION_WORDS = 3


def paper_text(path: Path) -> str:
    """A paper's text up to its reference list, line-break hyphens joined, spaces collapsed."""
    if path.suffix == ".pdf":
        raw = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    else:
        raw = path.read_text(encoding="utf-8")
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(REFERENCES.split(text)[0].split())


def papers(sources: Sequence[Path]) -> dict[str, str]:
    """Every .txt and .pdf in the source folders, by file name, in name order."""
    files = sorted(p for d in sources for p in d.iterdir() if p.suffix in {".txt", ".pdf"})
    return {p.name: paper_text(p) for p in files}  # a paper in two folders is read once


def usable(sentence: str) -> bool:
    """A sentence of running prose: a capital, a full stop, mostly words, no address.

    Prose uses function words and few capitals; a reference-list entry or a table row
    (names, titles, venues) does not.
    """
    words = sentence.split()
    letters = sum(c.isalpha() for c in sentence)
    capitals = sum(w[0].isupper() for w in words[1:]) / max(len(words) - 1, 1)
    function_words = sum(w.lower() in STOPWORDS for w in words)
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and sentence[0].isupper()
        and sentence.endswith(".")
        and letters > 0.7 * len(sentence)
        and capitals <= MAX_CAPITALS
        and function_words >= MIN_FUNCTION_WORDS
        and "http" not in sentence
        and "@" not in sentence
    )
