"""Metadata from a reference manager's export, BibTeX or CSL-JSON.

Zotero, Better BibTeX and JabRef write these; an export placed in the corpus folder or
given to `rag ingest --library FILE` is read.

An entry is matched to a paper by the file it names (the `file` field of BibTeX
exports), else by DOI, else by title, the last two as the paper itself prints them. Its
fields rank between `papers.toml` and what the file says: an entry describes what the
researcher filed, the catalog what they decided.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import parse_single_name_into_parts

from ingest.quality import key
from rag.errors import RagError

EXPORT_SUFFIXES = (".bib", ".json")
# A path to a paper inside a `file` field (`Full Text:papers/x.pdf:application/pdf`).
FILE_PATH = re.compile(r"[^:;{}]+\.(?:pdf|txt|md)\b", re.I)
LATEX_GROUPS = re.compile(r"[{}]")


@dataclass
class ReferenceLibrary:
    """Entries of one or more exports, each as `PaperMeta` fields, and how to find them."""

    by_file: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_doi: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_title: dict[str, dict[str, Any]] = field(default_factory=dict)
    digest: str = ""

    def add(self, fields: dict[str, Any], files: list[str]) -> None:
        """File one entry under every name, DOI and title it can be found by."""
        for name in files:
            self.by_file[name] = fields
        if fields.get("doi"):
            self.by_doi[str(fields["doi"]).lower()] = fields
        if fields.get("title"):
            self.by_title[key(str(fields["title"]))] = fields

    def match(self, file_name: str, printed: dict[str, Any]) -> dict[str, Any]:
        """The entry for a paper: by its file name, else its printed DOI, else its title."""
        if file_name in self.by_file:
            return self.by_file[file_name]
        doi = str(printed.get("doi") or "").lower()
        if doi and doi in self.by_doi:
            return self.by_doi[doi]
        return self.by_title.get(key(str(printed.get("title") or "")), {})


def load_library(paths: list[Path]) -> ReferenceLibrary:
    """The entries of the given exports; raises `RagError` naming a file that cannot be read."""
    library = ReferenceLibrary()
    digest = hashlib.sha256()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RagError(
                f"{path.name} cannot be read: {exc}", fix="export it again as UTF-8"
            ) from exc
        digest.update(text.encode())
        entries = _csl_entries(text, path) if path.suffix.lower() == ".json" else _bib_entries(text)
        for fields, files in entries:
            library.add(fields, files)
    library.digest = digest.hexdigest()[:16] if paths else ""
    return library


def exports_in(folder: Path) -> list[Path]:
    """Reference-manager exports lying in a corpus folder, sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in EXPORT_SUFFIXES and not p.name.startswith(".")
    )


def _clean(value: str) -> str:
    """A BibTeX value without its protective braces and extra spaces."""
    return " ".join(LATEX_GROUPS.sub("", value).split())


def _bib_name(name: str) -> str:
    """`Lo, Kyle` or `Kyle Lo` as `Kyle Lo`."""
    parts = parse_single_name_into_parts(_clean(name), strict=False)
    return " ".join([*parts.first, *parts.von, *parts.last, *parts.jr]) or _clean(name)


def _year(value: object) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


def _bib_entries(text: str) -> list[tuple[dict[str, Any], list[str]]]:
    """Each BibTeX entry's fields and the file names it names."""
    out: list[tuple[dict[str, Any], list[str]]] = []
    for entry in parse_string(text).entries:
        raw = {k.lower(): _clean(str(f.value)) for k, f in entry.fields_dict.items()}
        fields: dict[str, Any] = {
            "title": raw.get("title"),
            "authors": tuple(
                _bib_name(a) for a in raw.get("author", "").split(" and ") if a.strip()
            ),
            "year": _year(raw.get("year") or raw.get("date")),
            "venue": raw.get("booktitle") or raw.get("journal") or raw.get("journaltitle"),
            "volume": raw.get("volume"),
            "issue": raw.get("number") or raw.get("issue"),
            "doi": raw.get("doi"),
            "arxiv_id": raw.get("eprint")
            if raw.get("archiveprefix", "").lower() == "arxiv"
            else None,
            "abstract": raw.get("abstract"),
        }
        file_field = entry.fields_dict.get("file")
        names = str(file_field.value) if file_field is not None else ""
        files = [_basename(m.group(0)) for m in FILE_PATH.finditer(names)]
        out.append(({k: v for k, v in fields.items() if v not in (None, "", ())}, files))
    return out


def _basename(path: str) -> str:
    """The file name at the end of a path written on any system."""
    windows = PureWindowsPath(path.strip())
    return windows.name if "\\" in path else PurePosixPath(path.strip()).name


def _csl_entries(text: str, path: Path) -> list[tuple[dict[str, Any], list[str]]]:
    """Each CSL-JSON item's fields (CSL names no files)."""
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise RagError(f"{path.name} is not valid CSL-JSON: {exc}", fix="export it again") from exc
    if not isinstance(items, list):
        raise RagError(f"{path.name} is not a CSL-JSON list of items", fix="export it again")
    out: list[tuple[dict[str, Any], list[str]]] = []
    for item in items:
        if not isinstance(item, dict) or "title" not in item:
            continue
        names = [
            " ".join(p for p in (a.get("given"), a.get("family")) if p) or a.get("literal", "")
            for a in item.get("author", [])
            if isinstance(a, dict)
        ]
        parts = (item.get("issued") or {}).get("date-parts") or [[None]]
        fields: dict[str, Any] = {
            "title": item.get("title"),
            "authors": tuple(n for n in names if n),
            "year": _year(parts[0][0] if parts and parts[0] else None),
            "venue": item.get("container-title"),
            "volume": item.get("volume"),
            "issue": item.get("issue"),
            "doi": item.get("DOI"),
            "abstract": item.get("abstract"),
        }
        out.append(({k: v for k, v in fields.items() if v not in (None, "", ())}, []))
    return out
