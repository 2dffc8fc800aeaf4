"""The import rules of the house, checked on the source so a change that breaks one fails.

- The core (`rag/`) imports none of its edges (`api/`, `ingest/`, `eval/`).
- The API (`api/`: its routes, the MCP server, the app and `rag serve`) talks to the core
  through its public face only, `EDGE_MAY_IMPORT`: `Pipeline` (`rag.pipeline`: asking,
  searching, papers, passages, citations, adding and removing papers, health), the types
  it takes and gives (`rag.types`: stages, catalog, the bounds of a request), settings
  (`rag.settings`) and errors (`rag.errors`). It may import `ingest/` to hand a pipeline
  its paper writer (`ingest.library.LibraryWriter`). The rule does not cover `ingest/`,
  `eval/`, `benchmarks/` or `tests/`: ingest writes the index (the store, embeddings,
  chunk ids), eval judges answers with the core's claim judge and checks retrieval
  against the store, and benchmarks and tests measure and probe the internals themselves.
- No route module imports another; what two routes share lives beside them.
- The stage types (`rag.types`) are a leaf every stage can import: they import no stage.
"""

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
    found = {k: sorted(v) for k, v in offenders.items() if v}
    assert found == {}, f"the core imports its edges: {found}; the arrows point into rag/"


def full_imports(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it; `from rag import logs` counts as `rag.logs`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if "." not in node.module and (ROOT / node.module).is_dir():
                names.update(f"{node.module}.{a.name}" for a in node.names)
            else:
                names.add(node.module)
    return names


EDGE_MAY_IMPORT = frozenset({"rag.pipeline", "rag.types", "rag.settings", "rag.errors"})


def test_api_imports_only_the_cores_public_modules() -> None:
    offenders = {}
    for path in sorted((ROOT / "api").rglob("*.py")):
        core = {m for m in full_imports(path) if m == "rag" or m.startswith("rag.")}
        if core - EDGE_MAY_IMPORT:
            offenders[path.relative_to(ROOT).as_posix()] = sorted(core - EDGE_MAY_IMPORT)
    assert offenders == {}, (
        f"api/ reaches into core internals {offenders}: ask `Pipeline` for what it needs "
        f"(or take it from `rag.types`), importing only {sorted(EDGE_MAY_IMPORT)}"
    )


def test_stage_types_import_no_stage() -> None:
    core = {m for m in full_imports(ROOT / "rag" / "types.py") if m.startswith("rag.")}
    assert core <= {"rag.sentences", "rag.wording"}, (
        f"rag/types.py imports {sorted(core)}: the stage types must stay a leaf that every "
        "stage can import without a cycle"
    )


def test_no_route_imports_another_route_and_nothing_else_imports_a_route() -> None:
    """Routes share code through modules beside them (`api/answering.py`), never each other."""
    offenders = {}
    for path in (ROOT / "api").rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.as_posix() in ("api/app.py", "api/routes/__init__.py"):
            continue
        routes = {m for m in full_imports(path) if m.startswith("api.routes")}
        if routes:
            offenders[rel.as_posix()] = sorted(routes)
    assert offenders == {}, (
        f"route modules imported by {offenders}: only api/app.py includes the routers; "
        "move what two of them share into a module beside them (as api/answering.py)"
    )


def test_api_does_not_know_the_store_is_chroma() -> None:
    """What an index failure means is the core's to say (`Pipeline.health`, the error table)."""
    offenders = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "api").rglob("*.py")
        if "chromadb" in imported_modules(p)
    )
    assert offenders == [], f"api/ imports chromadb in {offenders}: ask `Pipeline` instead"
