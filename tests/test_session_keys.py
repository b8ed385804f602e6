"""Every session key is declared in ui/state.py: a key spelled anywhere else fails here.

The scan reads ui/, pages/ and streamlit_app.py with ``ast`` (nothing is imported). Outside
ui/state.py nothing touches ``st.session_state`` directly, and a widget's ``key=`` or a
``state.get/put/...`` key is a ``state.NAME`` (or a ``state.FAMILY(part)``), a parameter that
carries one through, or a local helper whose every ``return`` is one of those.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parent.parent
STATE: Final = ROOT / "ui" / "state.py"
ACCESSORS: Final = frozenset({"get", "peek", "put", "pop", "drop", "bind"})


def scanned_files() -> list[Path]:
    files = [ROOT / "streamlit_app.py"]
    files += sorted((ROOT / "ui").rglob("*.py")) + sorted((ROOT / "pages").rglob("*.py"))
    return [path for path in files if path != STATE]


def _from_state(node: ast.expr) -> bool:
    """``state.NAME`` or ``state.FAMILY(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "state"
    )


def _scopes(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """Each node -> the function it sits in (or the module)."""
    owner: dict[ast.AST, ast.AST] = {}

    def walk(node: ast.AST, scope: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            owner[child] = scope
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
            walk(child, inner)

    walk(tree, tree)
    return owner


def _parameters(scope: ast.AST) -> set[str]:
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    args = scope.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _helpers(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _allowed(node: ast.expr, scope: ast.AST, helpers: dict[str, ast.FunctionDef]) -> bool:
    if _from_state(node):
        return True
    if isinstance(node, ast.Name):
        return node.id in _parameters(scope)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        helper = helpers.get(node.func.id)
        if helper is None:
            return False
        returns = [n for n in ast.walk(helper) if isinstance(n, ast.Return)]
        return bool(returns) and all(
            r.value is not None and _allowed(r.value, helper, helpers) for r in returns
        )
    return False


def stray_keys(source: str, filename: str) -> list[str]:
    """Where this module spells a session key itself (``file:line what``)."""
    tree = ast.parse(source, filename=filename)
    owner = _scopes(tree)
    helpers = _helpers(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "session_state":
            found.append(f"{filename}:{node.lineno} st.session_state used directly")
        if not isinstance(node, ast.Call):
            continue
        # sorted(key=...), max(key=...): a function, not a session key.
        if isinstance(node.func, ast.Name) and node.func.id in {"sorted", "max", "min"}:
            keys = []
        else:
            keys = [kw.value for kw in node.keywords if kw.arg == "key"]
        accessor = isinstance(node.func, ast.Attribute) and node.func.attr in ACCESSORS
        if accessor and _from_state(node.func) and node.args:
            keys.append(node.args[0])
        for key in keys:
            if not _allowed(key, owner[node], helpers):
                found.append(f"{filename}:{key.lineno} key {ast.unparse(key)}")
    return found


def test_no_session_key_outside_ui_state():
    found = []
    for path in scanned_files():
        found += stray_keys(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], "declare these session keys in ui/state.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        'st.session_state["share_problems"] = []',
        'x = st.session_state.pop("share_problems", [])',
        'st.button("Go", key="go")',
        'st.button("Go", key=f"add_{track_id}")',
        'GO = "go"\nst.button("Go", key=GO)',
        'state.put("share_problems", [])',
        'st.selectbox("x", [], **state.bind("explore_x", "energy"))',
        'def _k():\n    return "grid"\nst.dataframe(t, key=_k())',
    ],
)
def test_the_scan_finds_a_key_spelled_outside_state(line):
    assert stray_keys(line, "example.py") != []


def test_the_scan_lets_declared_keys_through():
    source = (
        "def button(*, key):\n    st.button('Go', key=key)\n"
        "def _k():\n    return state.RESULTS_TABLE(state.get(state.NOT_THIS_COUNT, 0))\n"
        "st.button('Add', key=state.GUEST_ADD(track_id))\n"
        "st.dataframe(t, key=_k())\n"
        "x = state.pop(state.SHARE_PROBLEMS, [])\n"
    )
    assert stray_keys(source, "example.py") == []


def test_every_declared_key_is_its_own():
    """Two names for one key, or a key that a key family's prefix swallows, would collide."""
    from ui import state

    keys = [v for v in vars(state).values() if isinstance(v, state.Key)]
    prefixes = [v.prefix for v in vars(state).values() if isinstance(v, state.KeyFamily)]
    assert len(keys) > 40
    assert len(set(keys)) == len(keys)
    assert len(set(prefixes)) == len(prefixes)
    assert [k for k in keys if any(k.startswith(p) for p in prefixes)] == []


def test_the_seed_sources_are_the_literal_and_add_seed_stays_inside_them():
    from typing import get_args

    from ui import state

    assert get_args(state.SeedSource) == state.SOURCES
    assert "mixed" in state.SOURCES
