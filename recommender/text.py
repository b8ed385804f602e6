"""Text folding, the one "same song" normaliser and the one meaning of "artist".

Used by the engine, search, imports and every count of artists (catalog report, Explore page).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

# Openers of the bracketed text base_title drops, and the closer each one waits for.
_OPENER: Final = re.compile(r"[(\[]")
_CLOSER: Final = {"(": ")", "[": "]"}
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
    return fold(_drop_bracketed(head))


# Words of a version marker that do not make another recording: "Remastered 2011",
# "Album Version", "Mono". What is left ("live at carnegie hall", "loud luxury remix",
# "acoustic") names a different performance or mix.
_SAME_RECORDING_WORDS: Final = frozenset(
    {
        "remaster",
        "remastered",
        "remasterd",
        "digital",
        "digitally",
        "version",
        "mono",
        "stereo",
        "album",
        "single",
        "original",
        "edition",
        "deluxe",
        "bonus",
        "track",
        "explicit",
        "clean",
        "the",
    }
)
# A marker that only credits someone ("feat. B", "with Justin Bieber") is the same recording.
_CREDIT_MARKER: Final = re.compile(r"^(?:feat\.?|ft\.?|featuring|with)\s", flags=re.IGNORECASE)
_WORDS: Final = re.compile(r"[^\W_]+")
_YEAR: Final = re.compile(r"^(?:19|20)\d\d$")


def version_marker(title: str) -> str:
    """What a title says about its version beyond the song: the words that make a recording.

    The text ``base_title`` drops ("(Live)", "- Loud Luxury Remix"), folded, without credits
    and without the words a reissue adds (``_SAME_RECORDING_WORDS``, years):
    "Take Five - Remastered 2011" -> "", "Take Five (Live at Carnegie Hall)" ->
    "live at carnegie hall".
    """
    head, _, tail = title.partition(" - ")
    segments = [*_bracketed(head), tail]
    words: list[str] = []
    for segment in segments:
        text = fold(segment)
        if not text or _CREDIT_MARKER.match(text):
            continue
        words += [
            word
            for word in _WORDS.findall(text)
            if word not in _SAME_RECORDING_WORDS and not _YEAR.match(word)
        ]
    return " ".join(words)


def _bracket_spans(text: str) -> Iterator[tuple[int, int]]:
    r"""The (start, end) of each balanced "(...)" / "[...]", left to right, in linear time.

    ``re.sub(r"\([^)]*\)|\[[^\]]*\]")`` rescans the rest of the text from every opener that
    has no closer after it, so a title of 20,000 "(" took seconds (an uploaded history's titles
    are anyone's text). Here an opener without a closer ends the search for that closer.
    """
    position = 0
    exhausted: set[str] = set()
    for opener in _OPENER.finditer(text):
        start = opener.start()
        closer = _CLOSER[opener.group()]
        if start < position or closer in exhausted:
            continue
        end = text.find(closer, start + 1)
        if end == -1:
            exhausted.add(closer)
            continue
        yield start, end
        position = end + 1


def _bracketed(text: str) -> list[str]:
    """The texts inside balanced "(...)" / "[...]"."""
    return [text[start + 1 : end] for start, end in _bracket_spans(text)]


def credits_overlap(first: Iterable[str], second: Iterable[str]) -> bool:
    """Whether one folded artist name of ``first`` contains one of ``second``, or back.

    Whole words only: "dave brubeck" is in "the dave brubeck quartet", "low" is not in
    "lowkey". Pass ``artist_names`` of each track.
    """
    padded_first = [f" {name} " for name in first if name]
    padded_second = [f" {name} " for name in second if name]
    return any(a in b or b in a for a in padded_first for b in padded_second)


def _drop_bracketed(text: str) -> str:
    """Replace each balanced "(...)" / "[...]" with a space (linear: ``_bracket_spans``)."""
    if "(" not in text and "[" not in text:
        return text
    parts: list[str] = []
    position = 0
    for start, end in _bracket_spans(text):
        parts += (text[position:start], " ")
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


def split_artists(credit: str) -> list[str]:
    """Split one credited artist string into names ("A feat. B & C" -> [A, B, C])."""
    # Whitespace runs become one space first: around a separator, "\s*"/"\s+" would
    # otherwise rescan a long run from each of its positions (20,000 spaces took 90 s).
    text = _SPACES.sub(" ", credit)
    return [part.strip() for part in _ARTIST_SPLIT.split(text) if part.strip()]


def artist_names(credits: Sequence[str] | None) -> list[str]:
    """The artists of one track: folded, de-duplicated names from its credits.

    This is what "an artist" means everywhere: the engine's artist feature and every count.
    Each credit is split on its separators ("A feat. B" counts as A and B), so "Beyoncé" and
    "Beyonce feat. Jay-Z" share "beyonce". A name with a comma in it ("Tyler, The Creator")
    splits too: the sources give no artist ids to tell a band from a list.
    """
    names: dict[str, None] = {}
    for credit in credits or ():
        for part in split_artists(credit):
            names.setdefault(fold(part), None)
    return [name for name in names if name]


def primary_artist(artists: Sequence[str] | str) -> str:
    """Return the folded first artist of a list of names or of one credited string."""
    first = artists if isinstance(artists, str) else (artists[0] if artists else "")
    names = split_artists(first)
    return fold(names[0]) if names else ""


def song_key(title: str, artists: Sequence[str] | str) -> str:
    """Identify a song across its versions: folded primary artist + base title."""
    return f"{primary_artist(artists)}\x1f{base_title(title)}"
