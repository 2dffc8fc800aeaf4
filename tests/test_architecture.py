"""The core imports none of its edges; settings are read in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_rag_imports_no_edge_package() -> None:
    offenders = {
        str(p.relative_to(ROOT)): imported_modules(p) & {"api", "ingest", "eval"}
        for p in (ROOT / "rag").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
