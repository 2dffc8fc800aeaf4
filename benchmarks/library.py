"""A generated library of distinct papers, built once into a cache: `python -m benchmarks.library`.

Copies of the two corpus papers measure nothing about a library's size: every copy's
chunks are the same vectors. These papers are made of real sentences drawn from many
sources (the corpus, the PDFs of `tests/fixtures/papers/` and `shared/real-papers/`, and
the docstrings of Python's standard library and of the installed packages), each paper
mostly from a few sources of its own so that it reads on one subject, with its own title,
authors and year in a `papers.toml`. A sentence is never used twice in one paper and
recurs only in other papers, among other sentences, so no chunk is a near-duplicate of
another. The text and its embedded index are kept under
`~/.cache/papers-rag/bench-library/<version>-<papers>/` and reused; an interrupted build
is resumed by the ingest itself (papers already written are skipped).
"""

from __future__ import annotations

import argparse
import ast
import json
import pydoc_data.topics
import random
import re
import shutil
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from pypdf import PdfReader

from ingest.catalog import CATALOG_FILE, discover
from ingest.indexer import ingest
from rag.sentences import sentences
from rag.settings import Settings
from rag.terms import content_terms

# Bump when the generated text changes, so an old cache is never reused.
VERSION = "v1"
CACHE = Path.home() / ".cache" / "papers-rag" / "bench-library"
REPO = Path(__file__).resolve().parent.parent
PAGES_PER_PAPER = 9
PAGE_CHARS = 3_000
# The share of a paper's sentences drawn from its own few sources (the rest: anywhere).
OWN_SHARE = 0.8
SOURCES_PER_PAPER = 3
# Sources smaller than this are drawn from only as part of everything.
MIN_SOURCE = 100
SECTIONS = ("Introduction", "Background", "Method", "Results", "Discussion", "Conclusion")
# Names for the generated papers' authors, given and family.
GIVEN_NAMES = """
Ada Alan Amara Bela Carlos Chen Dana Elif Farah Goran Hana Ines Jonas Kenji
Lara Mateo Nadia Olu Priya Ravi Sofia Tomas Uma Vera Wen Yusuf Zora
"""
FAMILY_NAMES = """
Abara Bergstrom Castellano Delacroix Eriksen Fujimoto Galindo Haddad Ivanova
Jaramillo Kowalczyk Lindqvist Moreau Nakashima Okonkwo Petrakis Quintero
Rasmussen Szabo Takahashi Umarov Valdivia Wojcik Xenakis Yilmaz Zeller
Achterberg Brennan Chaudhry Dimitrov Esposito Ferreira Gunawardena Holmberg
Iwasaki Jovanovic Kirchner Laurent Mbeki Novak Oyelaran Pellegrini Rautio
Sandoval Thorsen Urquhart Vasquez Whitfield
"""
GIVEN, FAMILY = GIVEN_NAMES.split(), FAMILY_NAMES.split()
SENTENCE_WORDS = (8, 45)
# Prose files that packages carry beside their code (descriptions, guides, changelogs).
DOCUMENTS = ("*.md", "*.rst", "*.txt", "METADATA")
CODEY = re.compile(r">>>|::|\(\)|[{}<>=`_\\|]|https?:|\.\.\.|\w\.\w+\(|\s[-*+]\s")


@dataclass(frozen=True)
class Library:
    """A built library: the settings that point at its papers and index, and its size."""

    settings: Settings
    papers: int
    chunks: int


def folder(papers: int) -> Path:
    """The cache folder of a library of `papers` papers at the current version."""
    return CACHE / f"{VERSION}-{papers}"


def _prose(text: str) -> list[str]:
    """The sentences of `text` that read as prose: no code, markup or fragments."""
    flat = re.sub(r"\s+", " ", text)
    out = []
    for s in sentences(flat):
        words = s.split()
        if not SENTENCE_WORDS[0] <= len(words) <= SENTENCE_WORDS[1] or CODEY.search(s):
            continue
        if not s[0].isupper() or s[-1] not in ".?!":
            continue
        if sum(c.isalpha() or c.isspace() for c in s) < 0.9 * len(s):
            continue
        out.append(s)
    return out


def _docstrings(path: Path) -> str:
    """Every docstring of one Python file, or "" when it does not parse."""
    try:
        tree = ast.parse(path.read_text("utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return ""
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docs = (ast.get_docstring(n, clean=True) for n in ast.walk(tree) if isinstance(n, kinds))
    return "\n\n".join(d for d in docs if d)


def sources() -> dict[str, list[str]]:
    """Prose sentences by source (a paper, a PDF, a Python package, its documents).

    Each sentence appears once across all sources. Reading every docstring takes minutes,
    so the result is kept in the cache beside the libraries.
    """
    cached = CACHE / f"{VERSION}-sentences.json"
    if cached.exists():
        loaded: dict[str, list[str]] = json.loads(cached.read_text("utf-8"))
        return loaded
    seen: set[str] = set()
    out: dict[str, list[str]] = {}

    def add(name: str, text: str) -> None:
        for s in _prose(text):
            key = s.lower()
            if key not in seen:
                seen.add(key)
                out.setdefault(name, []).append(s)

    for path in sorted((REPO / "corpus").glob("*.txt")):
        add(path.name, path.read_text("utf-8"))
    pdfs = [*sorted((REPO / "tests/fixtures/papers").glob("*.pdf"))]
    pdfs += sorted((REPO.parent / "shared/real-papers").glob("*.pdf"))
    for path in pdfs:
        add(path.name, "\n".join(p.extract_text() or "" for p in PdfReader(path).pages))
    for name, text in sorted(pydoc_data.topics.topics.items()):
        add(f"python-docs/{name}", text)
    for root in (Path(sysconfig.get_paths()["stdlib"]), Path(sysconfig.get_paths()["purelib"])):
        for package in sorted(p for p in root.iterdir() if p.is_dir() or p.suffix == ".py"):
            files = [package] if package.is_file() else sorted(package.rglob("*.py"))
            for path in files:
                add(f"{root.name}/{package.name}", _docstrings(path))
            for pattern in DOCUMENTS if package.is_dir() else ():
                for path in sorted(package.rglob(pattern)):
                    add(f"{root.name}/{package.name}", path.read_text("utf-8", errors="replace"))
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(out), "utf-8")
    return out


def _title(rng: random.Random, text: str, taken: set[str]) -> str:
    """A title from a paper's own most frequent content words, unlike any other title."""
    counts: dict[str, int] = {}
    for word in re.findall(r"[A-Za-z]{5,}", text):
        if content_terms(word):
            counts[word.lower()] = counts.get(word.lower(), 0) + 1
    common = sorted(counts, key=lambda w: -counts[w])[:12]
    while True:
        a, b, c = rng.sample(common, 3)
        title = f"{a.capitalize()} and {b} in {c}: a study"
        if title not in taken:
            taken.add(title)
            return title


class Dealer:
    """Deals sentences to papers: mostly from a paper's own sources, each once per paper."""

    def __init__(self, rng: random.Random, pools: dict[str, list[str]]) -> None:
        self.rng = rng
        self.pools = pools
        self.everything = [s for pool in pools.values() for s in pool]
        self.names = sorted(k for k, v in pools.items() if len(v) >= MIN_SOURCE)
        self.decks: dict[str, list[str]] = {k: [] for k in self.names}

    def paper(self) -> Callable[[], str]:
        """A new paper's draw: its sources chosen, no sentence of it dealt yet."""
        own = self.rng.sample(self.names, SOURCES_PER_PAPER)
        used: set[str] = set()

        def draw() -> str:
            while True:
                sentence = self._one(own)
                if sentence not in used:
                    used.add(sentence)
                    return sentence

        return draw

    def _one(self, own: list[str]) -> str:
        if self.rng.random() >= OWN_SHARE:
            return self.rng.choice(self.everything)
        pick = self.rng.choice(own)
        deck = self.decks[pick]
        if not deck:
            deck.extend(self.rng.sample(self.pools[pick], len(self.pools[pick])))
        return deck.pop()


def generate(target: Path, papers: int, seed: int = 0) -> None:
    """Write `papers` text papers (form feeds between pages) and their `papers.toml`.

    A paper draws most sentences from a few sources of its own, the rest from anywhere.
    The sources hold fewer sentences than a thousand papers need, so a source used up is
    dealt again in a new order: a sentence then recurs in other papers, among other
    sentences, never twice in one paper.
    """
    rng = random.Random(seed)
    # The corpus's own papers join the library whole; their sentences are not dealt.
    theirs = {p.name for p in discover([REPO / "corpus"])}
    dealer = Dealer(rng, {k: v for k, v in sources().items() if k not in theirs})
    target.mkdir(parents=True, exist_ok=True)
    entries = tomlkit.aot()
    titles: set[str] = set()
    for n in range(papers):
        draw = dealer.paper()
        pages: list[str] = []
        for page_no in range(PAGES_PER_PAPER):
            lines: list[str] = []
            if page_no % 2 == 0:
                lines.append(SECTIONS[page_no // 2 % len(SECTIONS)])
            size = 0
            paragraph: list[str] = []
            while size < PAGE_CHARS:
                sentence = draw()
                paragraph.append(sentence)
                size += len(sentence) + 1
                if len(paragraph) >= rng.randint(3, 7):
                    lines.append(" ".join(paragraph))
                    paragraph = []
            lines.append(" ".join(paragraph))
            pages.append("\n\n".join(line for line in lines if line))
        body = "\n\f".join(pages)
        authors = [f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}" for _ in range(rng.randint(1, 3))]
        name = f"paper-{n:05d}.txt"
        (target / name).write_text(body + "\n", "utf-8")
        entry = {
            "id": f"bench-{n:05d}",
            "file": name,
            "title": _title(rng, body, titles),
            "authors": authors,
            "year": rng.randint(1975, 2025),
            "sections": list(SECTIONS),
        }
        entries.append(tomlkit.item(entry))
    document = tomlkit.document()
    document["paper"] = entries
    (target / CATALOG_FILE).write_text(tomlkit.dumps(document), "utf-8")


def build(papers: int) -> Library:
    """The library of `papers` papers and the corpus's two, generated and indexed once.

    The corpus's papers are in it so that the eval questions have their answers there,
    among a library's worth of other papers. A smaller library of the same version is
    the start of this one (the same papers, in the same order), so its index is copied
    and only the papers it lacks are embedded.
    """
    root = folder(papers)
    corpus, data = root / "corpus", root / "data"
    if not (corpus / CATALOG_FILE).exists():
        generate(corpus, papers)
        for path in discover([REPO / "corpus"]):
            shutil.copyfile(path, corpus / path.name)
        ours = (corpus / CATALOG_FILE).read_text("utf-8")
        theirs = (REPO / "corpus" / CATALOG_FILE).read_text("utf-8")
        (corpus / CATALOG_FILE).write_text(f"{ours}\n{theirs}", "utf-8")
    done = root / "indexed"
    if not done.exists():
        smaller = sorted(
            (int(p.name.split("-")[1]), p)
            for p in CACHE.glob(f"{VERSION}-*")
            if (p / "indexed").exists() and int(p.name.split("-")[1]) < papers
        )
        if smaller and not data.exists():
            shutil.copytree(smaller[-1][1] / "data", data)
        report = ingest(None, settings_for(papers))
        if report.failed:
            raise RuntimeError(f"{[(r.file, r.error) for r in report.failed[:5]]}")
        done.write_text(f"{report.papers} {report.chunks}\n", "utf-8")
    count, chunks = (int(x) for x in done.read_text("utf-8").split())
    return Library(settings_for(papers), count, chunks)


def settings_for(papers: int) -> Settings:
    """Settings pointing at the library of `papers` papers (built or not)."""
    root = folder(papers)
    return Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data")


def main() -> None:
    """Build (or find) the library and print where it is and its size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1000)
    args = parser.parse_args()
    began = time.perf_counter()
    library = build(args.papers)
    print(
        f"{library.papers} papers, {library.chunks} chunks in {library.settings.data_dir} "
        f"({time.perf_counter() - began:.0f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
