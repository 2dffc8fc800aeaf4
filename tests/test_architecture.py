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


def full_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_route_imports_another_route_and_nothing_else_imports_a_route() -> None:
    """Routes share code through modules beside them (`api/answering.py`), never each other."""
    offenders = {}
    for path in (ROOT / "api").rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.as_posix() in ("api/app.py", "api/routes/__init__.py"):
            continue
        routes = {m for m in full_imports(path) if m.startswith("api.routes")}
        if routes:
            offenders[rel.as_posix()] = routes
    assert offenders == {}
