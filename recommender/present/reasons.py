"""Why a track was recommended, in words a listener can check: features and both values.

The engine's ``contributions`` give each weight's share of a pair's squared distance. A
feature made the pair *close* when its share is below its share of the weights (it cost
less than the weights alone would predict); the feature with the largest excess is where
the pair is *furthest apart*. Each reason names the feature and both tracks' values in human
units and plain words ("tempo 120 vs 122 BPM", "mood (valence) 52% vs 48%", "speech 7% vs
5%"), the slider's name in brackets where the word alone would not say which slider it is.

Features that carry no information for the pair are left out even when they match: both
tracks with no instrumental content, both in 4/4, both in a major key, both without speech,
both studio recordings, both without acoustic sound, both at 0% of anything. Most of the
catalog shares those values, so "close on instrumentalness" would say nothing. Names are
shown as the catalog writes them, never folded ("Queen vs Led Zeppelin").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from recommender.domain import UNIT_FEATURES

KEY_NAMES: Final = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")
# Below these both values mean "none of it" (Spotify's own reading of the features).
_NONE_BELOW: Final[Mapping[str, float]] = {
    "instrumentalness": 0.05,
    "speechiness": 0.066,  # below about 0.33 is music; below 0.066 barely any words
    "liveness": 0.2,  # above 0.8 is very likely live
    "acousticness": 0.05,  # most electric and electronic music sits near 0
}
# Plain words for the 0-1 features, short enough for the list's "why" cell; the slider's
# name in brackets only where the word alone would not say which slider it is.
_LABELS: Final[Mapping[str, str]] = {
    "valence": "mood (valence)",
    "acousticness": "acoustic",
    "instrumentalness": "instrumental",
    "speechiness": "speech",
    "liveness": "live feel",
}
# The catalog column(s) each weight reads.
_COLUMNS: Final[Mapping[str, str]] = {"duration": "duration_ms"}
MAX_CLOSE: Final = 4


# The short names of the phone list's "close on" cell: one word each where one word says it.
_SHORT: Final[Mapping[str, str]] = {
    "valence": "mood",
    "acousticness": "acoustic",
    "instrumentalness": "instrumental",
    "speechiness": "speech",
    "liveness": "live feel",
    "duration": "length",
    "time_signature": "metre",
    "artist": "same artist",
    "genre": "same genre",
}
# How many characters the list's cells hold without cutting (Source Sans at 14 px, digits
# the widest): ui.results sizes its "why" and "close on" columns for these.
CELL_CHARS: Final = 26
SHORT_CELL_CHARS: Final = 14


def short_name(name: str) -> str:
    """A weight's one- or two-word name for the phone list ("mood", "tempo", "same artist")."""
    return _SHORT.get(name, name.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Reasons:
    """Readable reasons for one recommendation."""

    close: tuple[str, ...]
    apart: str | None
    # The short name of each close reason, same order ("mood" for "mood (valence) 52% vs 48%").
    close_names: tuple[str, ...] = ()
    apart_name: str | None = None

    def cell(self, *, max_chars: int = CELL_CHARS) -> str:
        """The list's "why" cell: the closest reason in full if it fits, else its name.

        Nothing is cut mid-phrase: a reason longer than the cell (a long genre list) gives
        way to the feature's name, and the detail panel says it in full.
        """
        if self.close:
            text = self.close[0]
            return text if len(text) <= max_chars else self.close_names[0]
        if self.apart:
            text = f"furthest apart: {self.apart}"
            return text if len(text) <= max_chars else f"furthest apart: {self.apart_name}"
        return ""

    def short_cell(self, *, max_chars: int = SHORT_CELL_CHARS) -> str:
        """The phone list's "close on" cell: the closest features' short names that fit."""
        names: list[str] = []
        for name in self.close_names:
            if len(", ".join([*names, name])) > max_chars:
                break
            names.append(name)
        return ", ".join(names)

    def sentences(self) -> list[str]:
        """The full explanation, one line per reason."""
        lines = [f"Close on {reason}" for reason in self.close]
        if self.apart:
            lines.append(f"Furthest apart on {self.apart}")
        return lines


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is unknown


def _describe(name: str, seed: Mapping[str, Any], track: Mapping[str, Any]) -> str | None:
    """``name`` with both values in human units, or None when it says nothing for the pair."""
    if name in ("artist", "genre"):
        return _shared(name, seed, track)
    column = _COLUMNS.get(name, name)
    a, b = _number(seed.get(column)), _number(track.get(column))
    if a is None or b is None:
        return None
    if name in _NONE_BELOW and a < _NONE_BELOW[name] and b < _NONE_BELOW[name]:
        return None
    if name in UNIT_FEATURES:
        if round(a * 100) == round(b * 100) == 0:
            return None  # "0% vs 0%" says nothing
        return f"{_LABELS.get(name, name)} {a * 100:.0f}% vs {b * 100:.0f}%"
    if name == "loudness":
        return f"loudness {a:.1f} vs {b:.1f} dB"
    if name == "tempo":
        return f"tempo {a:.0f} vs {b:.0f} BPM"
    if name == "duration":
        return f"length {_minutes(a)} vs {_minutes(b)}"
    if name == "key":
        if not (0 <= a <= 11 and 0 <= b <= 11):
            return None
        return f"key {KEY_NAMES[int(a)]} vs {KEY_NAMES[int(b)]}"
    if name == "mode":
        if a == b == 1:
            return None  # most music is in a major key
        return f"mode {_mode(a)} vs {_mode(b)}"
    if name == "time_signature":
        if a == b == 4 or a == 0 or b == 0:
            return None  # 4/4 is nearly everything; 0 is unknown
        return f"time signature {a:.0f}/4 vs {b:.0f}/4"
    if name == "popularity":
        return f"popularity {a:.0f} vs {b:.0f} of 100"
    if name == "year":
        return f"year {a:.0f} vs {b:.0f}"
    return None


def _minutes(ms: float) -> str:
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}:{seconds:02d}"


def _mode(value: float) -> str:
    return "major" if value == 1 else "minor"


def _shared(name: str, seed: Mapping[str, Any], track: Mapping[str, Any]) -> str | None:
    column = "artists" if name == "artist" else "genres"
    ours = [str(v) for v in seed.get(column) or ()]
    theirs = [str(v) for v in track.get(column) or ()]
    folded = {v.casefold() for v in theirs}
    common = [v for v in ours if v.casefold() in folded]
    if not ours or not theirs:
        return None
    if common:
        return f"same {name}: {', '.join(common[:3])}"
    return f"{name}: {', '.join(ours[:2])} vs {', '.join(theirs[:2])}"


def explain_pair(
    *,
    seed: Mapping[str, Any],
    track: Mapping[str, Any],
    contributions: Mapping[str, float],
    weights: Mapping[str, float],
) -> Reasons:
    """Reasons for recommending ``track`` for ``seed`` (catalog rows or profile features).

    Args:
        seed: the seed's values by catalog column (``tempo``, ``artists``, ``duration_ms``…).
        track: the recommended track's values, same columns.
        contributions: the engine's per-weight shares of the pair's squared distance.
        weights: the weights the list was made with.
    """
    active = [name for name in contributions if weights.get(name, 0.0) > 0]
    total = sum(weights[name] ** 2 for name in active)
    if not active or total <= 0:
        return Reasons(close=(), apart=None)
    # Positive: the feature cost less than its weight's share; negative: more.
    margin = {name: weights[name] ** 2 / total - contributions[name] for name in active}
    described = {name: _describe(name, seed, track) for name in active}
    close = [
        (text, short_name(name))
        for name in sorted(active, key=lambda n: (-margin[n], n))
        if margin[name] > 0 and (text := described[name]) is not None
    ][:MAX_CLOSE]
    apart_names = [
        n for n in sorted(active, key=lambda n: (margin[n], n)) if margin[n] < 0 and described[n]
    ]
    apart = described[apart_names[0]] if apart_names else None
    return Reasons(
        close=tuple(text for text, _ in close),
        apart=apart,
        close_names=tuple(name for _, name in close),
        apart_name=short_name(apart_names[0]).removeprefix("same ") if apart_names else None,
    )


def row_values(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Index catalog rows (dicts with ``track_id``) by track id."""
    return {str(row["track_id"]): row for row in rows}
