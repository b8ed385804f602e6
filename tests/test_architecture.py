"""Keepers of the layout: no import cycle, no oversized core module, no Streamlit in the core.

Each walks the source with ``ast`` (nothing is imported), so a later change that quietly undoes
the regroup fails here with the modules named.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGES: Final = ("recommender", "ui", "pages", "benchmarks", "scripts", "tests")
MAX_CORE_LINES: Final = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    files = [ROOT / "streamlit_app.py"]
    for package in PACKAGES:
        files += sorted((ROOT / package).rglob("*.py"))
    return {_module_name(path): path for path in files}


def _imported(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports anywhere in it (functions included: a lazy import in a
    function still makes a circle, as the catalog<->download one did)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # "from package import module" imports the module; "from module import name" not.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Project module -> the project modules it imports."""
    known = _project_modules()
    return {name: _imported(path, name, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_circle_and_only_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_lazy_and_from_package_imports():
    graph = import_graph()
    # store.py imports fetch at the top; ui.home imports ui.login via "from ui import ...".
    assert "recommender.data.fetch" in graph["recommender.data.store"]
    assert "ui.login" in graph["ui.home"]
    assert len(graph) > 100


def test_no_import_cycle_anywhere_in_the_project():
    assert cycles(import_graph()) == []


def test_no_core_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "recommender").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_CORE_LINES
    }
    assert long == {}, f"split these core modules (over {MAX_CORE_LINES} lines): {long}"


def test_the_core_never_imports_streamlit():
    offenders = []
    for path in sorted((ROOT / "recommender").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                for name in names
                if name == "streamlit" or name.startswith("streamlit.")
            ]
    assert offenders == []
