"""Outside text is shown as plain text: the escape helper, and a scan of every page and ui/ module.

The scan reads ``streamlit_app.py``, ``pages/`` and ``ui/`` with ``ast`` and finds every call
that renders Markdown (bodies of markdown, write, caption, the alert boxes, toast, titles;
labels and texts of expanders, status boxes and their ``update``, progress bars, spinners,
buttons, toggles, radios, page links and other widgets), on ``st``, ``st.sidebar`` or any
variable bound from a Streamlit call. The text must be a literal, built only from literals,
numbers and :func:`ui.plain.plain` calls, or a call of the helper itself.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.plain import plain, unescape

ROOT: Final = Path(__file__).resolve().parents[1]
HELPER_NAMES: Final = frozenset({"plain", "link", "anchor", "table"})

# method -> (index of the text among the positional arguments or None, keyword names).
_BODY: Final = (0, ("body",))
_LABEL: Final = (0, ("label",))
RENDERED: Final[dict[str, tuple[int | None, tuple[str, ...]]]] = {
    "markdown": _BODY,
    "caption": _BODY,
    "info": _BODY,
    "success": _BODY,
    "warning": _BODY,
    "error": _BODY,
    "toast": _BODY,
    "title": _BODY,
    "header": _BODY,
    "subheader": _BODY,
    "expander": _LABEL,
    "status": _LABEL,
    "update": (None, ("label",)),  # status(...).update(label=...)
    "progress": (1, ("text",)),
    "spinner": (0, ("text",)),
    "button": _LABEL,
    "download_button": _LABEL,
    "link_button": _LABEL,
    "form_submit_button": _LABEL,
    "popover": _LABEL,
    "toggle": _LABEL,
    "checkbox": _LABEL,
    "radio": _LABEL,
    "page_link": (None, ("label",)),
    "selectbox": _LABEL,
    "multiselect": _LABEL,
    "slider": _LABEL,
    "select_slider": _LABEL,
    "text_input": _LABEL,
    "text_area": _LABEL,
    "number_input": _LABEL,
    "file_uploader": _LABEL,
    "metric": _LABEL,
}
# ``help`` tooltips are Markdown too, on every element that takes one.
_ALSO_KEYWORDS: Final = ("help",)
# A format spec ending in one of these only accepts numbers (a string raises), and ``%``
# specs are ``datetime`` formats: either way the value cannot carry markup.
_NUMERIC_SPEC: Final = re.compile(r"(?:[bcdeEfFgGnoxX%]|,)$|%")


@dataclass(frozen=True, slots=True)
class Finding:
    """One rendered text that is neither a literal nor passed through the helper."""

    path: str
    line: int
    call: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}({self.text})"


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _target_names(target: ast.expr) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def streamlit_names(tree: ast.Module) -> set[str]:
    """``st`` plus every name bound (anywhere in the module) from an expression using it.

    That covers ``left, right = st.columns(2)``, ``box = st.container()``, ``with
    st.status(...) as box`` and loops over columns, without guessing from variable names.
    """
    names = {"st"}
    # Parameters typed as a Streamlit container: ``def section(box: DeltaGenerator)``.
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            annotation = ast.unparse(node.annotation)
            if "DeltaGenerator" in annotation or annotation.startswith("st."):
                names.add(node.arg)
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            pairs: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(node, ast.Assign):
                pairs = [(target, node.value) for target in node.targets]
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                pairs = [(node.target, node.value)]
            elif isinstance(node, ast.With):
                pairs = [
                    (item.optional_vars, item.context_expr)
                    for item in node.items
                    if item.optional_vars is not None
                ]
            elif isinstance(node, ast.For):
                pairs = [(node.target, node.iter)]
            for target, value in pairs:
                if _mentions(value, names):
                    new = set(_target_names(target)) - names
                    if new:
                        names |= new
                        changed = True
    return names


def literal_constants(tree: ast.Module) -> set[str]:
    """Module-level names assigned a value built only from literals (``LABEL: Final = "…"``)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and _all_literal(value):
            found.add(target.id)
    return found


def safe_names(tree: ast.Module) -> set[str]:
    """Literal constants, plus local names every assignment of which (in the module) is safe.

    ``note = " · one typo forgiven" if fuzzy else ""`` makes ``{note}`` safe; a name that is
    also a parameter, a loop or ``with`` target, or assigned anything else anywhere, is not.
    """
    assigned: dict[str, list[ast.expr]] = {}
    tainted: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
                else:
                    tainted |= set(_target_names(target))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.value is None or isinstance(node, ast.AugAssign):
                tainted.add(node.target.id)
            else:
                assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.arg):
            tainted.add(node.arg)
        elif isinstance(node, ast.For | ast.comprehension):
            tainted |= set(_target_names(node.target))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            tainted |= set(_target_names(node.optional_vars))
        elif isinstance(node, ast.NamedExpr):
            tainted.add(node.target.id)
    safe = literal_constants(tree)
    changed = True
    while changed:
        changed = False
        for name, values in assigned.items():
            if name in safe or name in tainted:
                continue
            if all(is_safe(value, safe) for value in values):
                safe.add(name)
                changed = True
    return safe


def _all_literal(node: ast.expr) -> bool:
    return all(
        isinstance(
            n,
            ast.Constant
            | ast.Tuple
            | ast.List
            | ast.Dict
            | ast.Set
            | ast.Load
            | ast.UnaryOp
            | ast.USub,
        )
        for n in ast.walk(node)
    )


def is_safe(node: ast.expr | None, constants: set[str]) -> bool:
    """True when the text can only be literal text, numbers or helper output."""
    if node is None:
        return True
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        # plain(...), link(...) imported from ui.plain, or plain.<helper>(...) on the module.
        if isinstance(func, ast.Name) and func.id in HELPER_NAMES:
            return True
        if (
            isinstance(func, ast.Attribute)
            and func.attr in HELPER_NAMES
            and isinstance(func.value, ast.Name)
            and func.value.id == "plain"
        ):
            return True
        if isinstance(func, ast.Name) and func.id == "len":
            return True
        # "<literal>".join(<safe items>)
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "join"
            and isinstance(func.value, ast.Constant)
            and len(node.args) == 1
        ):
            items = node.args[0]
            if isinstance(items, ast.GeneratorExp | ast.ListComp):
                return is_safe(items.elt, constants)
            return is_safe(items, constants)
        return False
    if isinstance(node, ast.JoinedStr):
        return all(is_safe(part, constants) for part in node.values)
    if isinstance(node, ast.FormattedValue):
        if node.conversion != -1:  # !r / !s / !a: the text of any object
            return False
        spec = node.format_spec
        if isinstance(spec, ast.JoinedStr) and all(
            isinstance(p, ast.Constant) for p in spec.values
        ):
            text = "".join(str(p.value) for p in spec.values)  # type: ignore[attr-defined]
            if _NUMERIC_SPEC.search(text):
                return True
        return is_safe(node.value, constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return is_safe(node.left, constants) and is_safe(node.right, constants)
    if isinstance(node, ast.IfExp):
        return is_safe(node.body, constants) and is_safe(node.orelse, constants)
    if isinstance(node, ast.BoolOp):
        return all(is_safe(value, constants) for value in node.values)
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.Subscript):  # LABELS[key] of a literal table
        return is_safe(node.value, constants)
    return False


def _texts(call: ast.Call, method: str) -> Iterator[ast.expr]:
    position, keywords = RENDERED[method]
    if method == "write":
        yield from call.args
    elif position is not None and len(call.args) > position:
        yield call.args[position]
    for keyword in call.keywords:
        if keyword.arg in keywords or keyword.arg in _ALSO_KEYWORDS:
            yield keyword.value


def scan_source(source: str, path: str) -> list[Finding]:
    """Every rendered text in ``source`` that is neither literal nor escaped by the helper."""
    tree = ast.parse(source, filename=path)
    containers = streamlit_names(tree)
    constants = safe_names(tree)
    findings = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in RENDERED and method != "write":
            continue
        if _root_name(node.func.value) not in containers:
            continue
        for text in _texts(node, method) if method != "write" else node.args:
            if not is_safe(text, constants):
                findings.append(Finding(path, text.lineno, method, ast.unparse(text)))
    return sorted(findings, key=lambda finding: finding.line)


def project_files() -> list[Path]:
    """The files the rule covers."""
    return [
        ROOT / "streamlit_app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "ui").glob("*.py")),
    ]


def test_every_rendered_text_is_literal_or_escaped() -> None:
    findings = [
        finding
        for path in project_files()
        for finding in scan_source(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not findings, "wrap outside text in ui.plain.plain():\n" + "\n".join(map(str, findings))


def test_the_scan_covers_the_app() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in project_files()}
    assert {"streamlit_app.py", "pages/recommendations.py", "ui/plain.py"} <= names


_BAD_SNIPPET: Final = """
import streamlit as st
from ui.plain import plain
TITLE = "Fixed"
left, right = st.columns(2) if flag else (None, st.container())
st.warning(problem)                                  # 1 bad
st.sidebar.markdown(f"Logged in as **{name}**")      # 2 bad
left.error(f"{error}. Try again.")                   # 3 bad
with st.status("Loading", expanded=True) as box:
    box.update(label=message)                        # 4 bad
    st.progress(0.5, text=step)                      # 5 bad
st.button(label, help=tip)                           # 6, 7 bad
st.page_link("pages/home.py", label=f"{name!r}")     # 8 bad
st.write("Seeds:", seed_name)                        # 9 bad
with st.expander(f"{len(xs)} of {title}"):           # 10 bad
    pass
st.warning(plain(problem))
st.sidebar.markdown(f"Logged in as **{plain(name)}**")
right.caption(f"{len(xs)} tracks, {share:.0%}, {n:,} rows, at {when:%H:%M}")
st.title(TITLE)
st.success("Saved " + plain(name) + "." if ok else "Nothing saved")
st.info(", ".join(plain(x) for x in xs))
note = " (fuzzy)" if fuzzy else ""
st.markdown(f"{plain(hit)}{note}")
shown = plain(raw)
shown = raw                                          # 11 bad: one unsafe assignment
st.caption(shown)
log.warning(problem)
params.update(label=anything)
def section(box: DeltaGenerator, other: str) -> None:
    box.info(other)                                  # 12 bad: a container parameter
    other.info(other)
"""


def test_the_scan_finds_every_kind_of_unescaped_text() -> None:
    findings = scan_source(_BAD_SNIPPET, "snippet.py")
    assert [(f.call, f.text) for f in findings] == [
        ("warning", "problem"),
        ("markdown", "f'Logged in as **{name}**'"),
        ("error", "f'{error}. Try again.'"),
        ("update", "message"),
        ("progress", "step"),
        ("button", "label"),
        ("button", "tip"),
        ("page_link", "f'{name!r}'"),
        ("write", "seed_name"),
        ("expander", "f'{len(xs)} of {title}'"),
        ("caption", "shown"),
        ("info", "other"),
    ]


# -- the helper ------------------------------------------------------------------------------
_MARKUP: Final = re.compile(r"(?<!\\)(?:\\\\)*[`*_~\[\]<>&$:@#|]")


def unescaped_markup(text: str) -> list[str]:
    """The Markdown/HTML characters in ``text`` that no backslash escapes."""
    return [m.group(0)[-1] for m in _MARKUP.finditer(text)]


def unescape_backslashes(text: str) -> str:
    """What the Markdown parser hands to GFM's autolink finder: escapes resolved, joiners kept."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize(
    "title",
    [
        "Ty Dolla $ign",
        "Apes**t",
        "Vibe Like This (feat. Ty Dolla $ign & Lucky Daye)",
        "$$ x^2 $$",
        "F*** It",
        "_Underscored_",
        "1. Intro",
        "- B-side",
        "# Hashtag",
    ],
)
def test_catalog_titles_read_back_literally(title: str) -> None:
    shown = plain(title)
    assert unescape(shown) == title
    assert unescaped_markup(shown) == []


def test_links_images_html_and_math_are_inert() -> None:
    attack = (
        "[click](https://evil.example/) ![pixel](https://evil.example/p.png) "
        '<img src="https://evil.example/x.png"> www.evil.example a@evil.example $x$ :red[hi]'
    )
    shown = plain(attack)
    assert unescaped_markup(shown) == []
    # GFM autolinks are found after escapes are resolved: the joiner must break them.
    assert "://" not in unescape_backslashes(shown)
    assert "www." not in unescape_backslashes(shown).lower()
    assert "@evil" not in unescape_backslashes(shown)
    assert unescape(shown) == attack


def test_line_breaks_cannot_start_a_block() -> None:
    assert plain("a\n\n    code\n> quote\r\n- item") == "a code \\> quote - item"
    assert plain("  3) third") == "3\\) third"


# (Text that already holds U+2060 right where plain() puts one does not read back exactly.)
@given(st.text(st.characters(exclude_characters="\u2060"), max_size=200))
def test_any_text_is_inert_and_reads_back(text: str) -> None:
    shown = plain(text)
    assert unescaped_markup(shown) == []
    assert "\n" not in shown
    assert unescape(shown) == " ".join(text.split())
