"""Keepers of the layout that import-linter does not cover.

The layers, "the core never imports streamlit" and "no import cycle inside a package" are
import-linter contracts in ``pyproject.toml`` (``lint-imports``, run by ``scripts/test.sh``).
Here: no core module grows past 500 lines, and nothing imports a page or the entrypoint,
which sit above every layer. Both walk the source with ``ast`` (nothing is imported).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGES: Final = ("recommender", "ui", "pages", "benchmarks", "scripts", "tests")
MAX_CORE_LINES: Final = 500
TOP: Final = ("pages", "streamlit_app")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _importers_of_the_top(files: list[Path]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in files
        for line, name in _imports(path)
        if name.split(".")[0] in TOP
    ]


def test_no_core_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "recommender").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_CORE_LINES
    }
    assert long == {}, f"split these core modules (over {MAX_CORE_LINES} lines): {long}"


def test_nothing_imports_a_page_or_the_entrypoint():
    files = [path for package in ("recommender", "ui") for path in (ROOT / package).rglob("*.py")]
    assert len(files) > 50
    assert _importers_of_the_top(sorted(files)) == []


def test_the_top_check_sees_a_lazy_import_of_a_page(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import ui\ndef f():\n    from pages import home\n    import streamlit_app\n")
    tops = [name for _, name in _imports(sample) if name.split(".")[0] in TOP]
    assert tops == ["pages", "streamlit_app"]


def test_the_import_contracts_are_declared():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for kind in ('type = "layers"', 'type = "forbidden"', 'type = "acyclic_siblings"'):
        assert kind in text
    assert "lint-imports" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
