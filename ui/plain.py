"""The one rule for showing text that came from outside the code: as plain text.

Streamlit renders the body of ``st.markdown``, ``st.write``, ``st.caption``, the alert boxes,
titles, toasts, and the labels of widgets, expanders, status boxes, progress bars and
spinners as GitHub-flavoured Markdown (with math, ``:directives:`` and, where allowed, HTML).
A share link, a Spotify answer, an uploaded file, a catalog title or an exception message put
there unchanged becomes markup: a live link, an image fetched from a foreign host (a
tracking pixel), a LaTeX formula, bold text. :func:`plain` escapes such text so that it is
shown literally ("Ty Dolla $ign", "Apes**t"). ``tests/test_plain.py`` scans every page and
``ui/`` module and fails where non-literal text reaches one of those calls without it.
Why, and what the browser test found before: docs/decisions/0004-escape-rule.md.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import quote, urlsplit

# Every character that opens a Markdown construct Streamlit knows, inline or at the start of
# a block: emphasis (* _), strikethrough (~), code (`), links and images ([ ]), raw HTML and
# autolinks (< >), entities (&), math ($), directives and URL schemes (:), e-mail autolinks
# (@), headings (#), table cells (|) and the escape character itself. CommonMark turns a
# backslash before any ASCII punctuation into that character, so the escaped text renders
# as exactly the original.
_SPECIAL: Final = re.compile(r"([\\`*_~\[\]<>&$:@#|])")
# GFM also turns "http://…", "www.…" and "name@host.tld" into links, and it does so on the
# text *after* escapes are resolved, so no backslash stops it. An invisible WORD JOINER
# (U+2060) placed inside each trigger breaks its pattern without changing what people read.
_JOINER: Final = "\u2060"
_SCHEME: Final = re.compile(r"(\\:)(?=//)")
_WWW: Final = re.compile(r"(?i)(www)\.")
# At the start of the text: list items (- + 1. 1)), thematic breaks and setext underlines (=).
# CommonMark needs a space (or the end) after a list marker, so "0.156" and "+2.6" stay as
# they are; "---" is a thematic break.
_BLOCK_START: Final = re.compile(r"^(?:[-+=](?=\s|$|[-=])|\d{1,9}(?=[.)](?:\s|$)))")
_WHITESPACE: Final = re.compile(r"\s+")


def plain(value: object) -> str:
    """Return ``str(value)`` escaped so that Streamlit shows it literally, on one line.

    Runs of whitespace (line breaks included) become one space and the ends are trimmed:
    a line break or an indent would otherwise start a new Markdown block (a list, a quote,
    a code block) that no escape character can reach. For example ``Apes**t`` becomes
    ``Apes\\*\\*t`` and ``[x](https://a.example/)`` becomes ``\\[x\\](https\\://a.example/)``.
    """
    text = _WHITESPACE.sub(" ", str(value)).strip()
    text = _SPECIAL.sub(r"\\\1", text)
    text = _SCHEME.sub(rf"\1{_JOINER}", text)
    text = _WWW.sub(rf"\1{_JOINER}\\.", text)
    text = text.replace("\\@", f"\\@{_JOINER}")
    match = _BLOCK_START.match(text)
    if match:
        head = match.group(0)
        # "1." / "1)" is escaped at its punctuation; "-", "+", "=" at themselves.
        text = f"{head}\\{text[len(head) :]}" if head[0].isdigit() else f"\\{text}"
    return text


def _checked_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, with characters that could end it quoted."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = f"not an http(s) URL: {url[:80]!r}"
        raise ValueError(msg)
    # Spaces, quotes, brackets and parentheses would end a Markdown destination or an
    # attribute; percent-encoding keeps the URL's meaning.
    return quote(url, safe="/:?#&=%+,;@!$~*'.-_")


def link(label: str, url: str) -> str:
    """A Markdown link to an outside http(s) URL (a Spotify answer) with a literal label.

    Raises:
        ValueError: if ``url`` is not an absolute http(s) URL (``javascript:`` and the like).
    """
    return f"[{plain(label)}](<{_checked_url(url)}>)"


def anchor(url: str, label: str, *, style: str = "", target: str = "_top") -> str:
    """An HTML anchor for ``st.markdown(..., unsafe_allow_html=True)`` with a literal label.

    Raises:
        ValueError: if ``url`` is not an absolute http(s) URL.
    """
    return (
        f'<a href="{html.escape(_checked_url(url))}" target="{html.escape(target)}" '
        f'style="{html.escape(style)}">{plain(label)}</a>'
    )


def table(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table whose every cell is shown literally (``|`` included)."""
    lines = [
        "| " + " | ".join(plain(cell) for cell in header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(plain(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def unescape(text: str) -> str:
    """Undo :func:`plain` (what a Markdown renderer shows, joiners removed); for tests."""
    text = re.sub(rf"(\\:){_JOINER}(?=//)", r"\1", text)
    text = re.sub(rf"(?i)(www){_JOINER}(\\\.)", r"\1\2", text)
    text = text.replace(f"\\@{_JOINER}", "\\@")
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
