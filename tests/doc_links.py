"""Relative links and anchors in Markdown files: which ones point nowhere.

A link is ``[text](target)`` or ``![alt](target)`` outside code; ``target`` is a path relative
to the file (optionally ``#anchor``) or ``#anchor`` alone. Anchors are GitHub's heading slugs:
lower case, punctuation dropped except ``-`` and ``_``, spaces to hyphens, ``-1``, ``-2`` …
for repeated headings. Web links (``http:``, ``https:``, ``mailto:``) are not followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_FENCE: Final = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE: Final = re.compile(r"`+[^`]*`+")
# [text](target) and ![alt](target); the text may hold one level of brackets ([`x`] etc.).
_LINK: Final = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # [text] or ![alt]
    r"\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"  # (target "title")
)
_HEADING: Final = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_EXTERNAL: Final = ("http://", "https://", "mailto:")


@dataclass(frozen=True, slots=True)
class BrokenLink:
    file: Path
    line: int
    target: str
    why: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.target}: {self.why}"


def _prose_lines(text: str, *, keep_code: bool = False) -> list[tuple[int, str]]:
    """(line number, line) for every line outside fenced code, inline code dropped unless kept."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line if keep_code else _INLINE_CODE.sub("", line)))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"[`*_]{2,}|`", "", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading anchor of a Markdown text, repeats numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose_lines(text, keep_code=True):
        match = _HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(files: list[Path]) -> list[BrokenLink]:
    """Every relative link or anchor in ``files`` whose file or heading does not exist."""
    broken = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        for number, line in _prose_lines(text):
            for match in _LINK.finditer(line):
                target = match.group(1)
                if target.startswith(_EXTERNAL):
                    continue
                path_part, _, anchor = target.partition("#")
                dest = (file.parent / path_part).resolve() if path_part else file.resolve()
                if not dest.exists():
                    broken.append(BrokenLink(file, number, target, "no such file"))
                elif anchor and dest.suffix == ".md":
                    if anchor not in anchors(dest.read_text(encoding="utf-8")):
                        broken.append(BrokenLink(file, number, target, "no such heading"))
                elif anchor:
                    why = "anchor into a non-Markdown file"
                    broken.append(BrokenLink(file, number, target, why))
    return broken
