"""Reading `corpus/papers.toml` and finding the files to index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from rag.errors import RagError
from rag.models import PaperMeta

CATALOG_FILE = "papers.toml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


def load_catalog(corpus_dir: Path) -> dict[str, PaperMeta]:
    """Catalog entries keyed by file name; an absent catalog is an empty one."""
    path = corpus_dir / CATALOG_FILE
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RagError(f"{path} is not valid TOML: {exc}", fix="fix the file") from exc
    out: dict[str, PaperMeta] = {}
    for n, entry in enumerate(raw.get("paper", []), start=1):
        if "file" not in entry:
            raise RagError(f"{path}: [[paper]] number {n} has no `file`", fix="add file = ...")
        fields = {k: v for k, v in entry.items() if k != "file"}
        try:
            out[entry["file"]] = PaperMeta(source=entry["file"], **fields)
        except ValidationError as exc:
            raise RagError(
                f"{path}: [[paper]] {entry['file']}: {exc}", fix="fix the entry"
            ) from exc
    ids = [m.id for m in out.values()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RagError(f"{path}: duplicate paper ids {dupes}", fix="give each paper its own id")
    return out


def discover(paths: list[Path]) -> list[Path]:
    """Supported files under the given files and folders, sorted for a stable order."""
    found: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found.update(f for f in p.iterdir() if f.suffix.lower() in SUPPORTED_SUFFIXES)
        elif p.exists():
            found.add(p)
        else:
            raise RagError(f"{p} does not exist", fix="check the path")
    return sorted(found)


def paper_id_for(path: Path) -> str:
    """Id for a file the catalog does not describe: its name, lower-cased and slugged."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")
    return slug or "paper"
