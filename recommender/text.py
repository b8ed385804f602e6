"""Text folding and the one "same song" normaliser used by the engine, search and imports."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

_BRACKETED: Final = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPACES: Final = re.compile(r"\s+")
# Artist separators inside one credited string: "A, B", "A & B", "A feat. B", "A x B", and
# the Kaggle dataset's "A;B".
_ARTIST_SPLIT: Final = re.compile(
    r"\s*[,;]\s*|\s+&\s+|\s+feat\.\s+|\s+featuring\s+|\s+x\s+",
    flags=re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace ("Beyoncé " -> "beyonce")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def base_title(title: str) -> str:
    """Fold a title and drop what marks a version of the same song.

    Text in parentheses or brackets and everything after " - " are removed, so
    "I Don't Care (with Justin Bieber) - Loud Luxury Remix" -> "i don't care".
    """
    head = title.split(" - ", 1)[0]
    return fold(_BRACKETED.sub(" ", head))


def split_artists(credit: str) -> list[str]:
    """Split one credited artist string into names ("A feat. B & C" -> [A, B, C])."""
    return [part.strip() for part in _ARTIST_SPLIT.split(credit) if part.strip()]


def primary_artist(artists: Sequence[str] | str) -> str:
    """Return the folded first artist of a list of names or of one credited string."""
    first = artists if isinstance(artists, str) else (artists[0] if artists else "")
    names = split_artists(first)
    return fold(names[0]) if names else ""


def song_key(title: str, artists: Sequence[str] | str) -> str:
    """Identify a song across its versions: folded primary artist + base title."""
    return f"{primary_artist(artists)}\x1f{base_title(title)}"
