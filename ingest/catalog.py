"""Reading `corpus/papers.toml` and finding the files to index."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from rag.errors import RagError
from rag.types import PaperMeta

CATALOG_FILE = "papers.toml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


def load_catalog(corpus_dir: Path) -> dict[str, PaperMeta]:
    """Catalog entries keyed by file name; an absent catalog is an empty one.

    Errors name the file as `papers.toml`, the entry by number and file, and the first
    wrong field: enough to fix it, and nothing of the server's folders or of pydantic.
    """
    path = corpus_dir / CATALOG_FILE
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RagError(f"{CATALOG_FILE} is not valid TOML: {exc}", fix="fix the file") from exc
    except OSError as exc:
        raise RagError(
            f"{CATALOG_FILE} cannot be read: {exc.strerror or exc}", fix="check its permissions"
        ) from exc
    entries = raw.get("paper", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RagError(
            f"{CATALOG_FILE}: `paper` must be a list of [[paper]] tables",
            fix="write each entry under its own [[paper]] line",
        )
    out: dict[str, PaperMeta] = {}
    for n, entry in enumerate(entries, start=1):
        file = entry.get("file")
        if not isinstance(file, str) or not file:
            raise RagError(
                f"{CATALOG_FILE}: [[paper]] number {n} has no `file` name",
                fix='add file = "<name of the file in the corpus>"',
            )
        fields = {k: v for k, v in entry.items() if k != "file"}
        try:
            out[file] = PaperMeta(source=file, **fields)
        except ValidationError as exc:
            raise RagError(
                f"{CATALOG_FILE}: [[paper]] number {n} ({file}): {_first_error(exc)}",
                fix="fix the entry",
            ) from exc
    ids = [m.id for m in out.values()]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RagError(
            f"{CATALOG_FILE}: duplicate paper ids {dupes}", fix="give each paper its own id"
        )
    return out


def _first_error(exc: ValidationError) -> str:
    """The first wrong field and what is wrong with it, and how many more there are."""
    errors = exc.errors()
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or "entry"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"field `{field}`: {first['msg']}{more}"


def discover(paths: list[Path]) -> list[Path]:
    """Supported files under the given files and folders, sorted for a stable order.

    Hidden files in a folder are skipped: editors' and uploads' scratch files are named
    so, and are never papers.
    """
    found: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found.update(
                f
                for f in p.iterdir()
                if f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(".")
            )
        elif p.exists():
            found.add(p)
        else:
            raise RagError(f"{p} does not exist", fix="check the path")
    return sorted(found)


def paper_id_for(path: Path) -> str:
    """Id for a file the catalog does not describe: its name, lower-cased and slugged."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")
    return slug or "paper"
