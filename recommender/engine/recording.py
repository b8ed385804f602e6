"""One recording once: whether two catalog rows are the same recording under two credits.

The datasets list some recordings twice: "Take Five" by "The Dave Brubeck Quartet" and by
"Dave Brubeck", the same audio under another credit. The "same song" rule (``song_key``: the
primary artist and the base title) does not see it, because the primary artists differ. Two
rows are the same recording when either

- their titles name the same song and the same version (``base_title`` and
  ``version_marker`` equal: "Take Five" and "Take Five - Remastered 2011", not "Take Five -
  Live") and one folded artist name of one contains one of the other (``credits_overlap``);
- or every profile feature is known and equal and the durations are within a second: two
  analyses of different audio do not agree on nine features to the last digit.

A live version and a remix are other recordings and stay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from recommender.domain import PROFILE_FEATURES
from recommender.text import artist_names, base_title, credits_overlap, version_marker

# Durations of one recording in two datasets differ by rounding, not by more than this.
DURATION_TOLERANCE_MS: Final = 1000
# Feature values are read from text in some sources and from floats in others.
_FEATURE_TOLERANCE: Final = 1e-6
_COLUMNS: Final = ("name", "artists", "duration_ms", *PROFILE_FEATURES)


@dataclass(frozen=True, slots=True)
class RecordingKey:
    """What the predicate compares of one track (build it with ``recording_key``)."""

    title: str  # base_title
    version: str  # version_marker
    artists: tuple[str, ...]  # artist_names (folded)
    features: tuple[float, ...] | None  # PROFILE_FEATURES, None when any is unknown
    duration_ms: int | None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def recording_key(row: Mapping[str, Any]) -> RecordingKey:
    """The key of one catalog row (``name``, ``artists``, ``duration_ms``, profile features)."""
    name = str(row.get("name") or "")
    values = [_number(row.get(feature)) for feature in PROFILE_FEATURES]
    known = [v for v in values if v is not None]
    duration = row.get("duration_ms")
    return RecordingKey(
        title=base_title(name),
        version=version_marker(name),
        artists=tuple(artist_names(row.get("artists") or ())),
        features=tuple(known) if len(known) == len(values) else None,
        duration_ms=int(duration) if duration is not None and duration > 0 else None,
    )


def recording_keys(tracks: pl.DataFrame) -> list[RecordingKey]:
    """Keys of every row of a catalog slice, in row order."""
    return [recording_key(row) for row in tracks.select(_COLUMNS).iter_rows(named=True)]


def same_recording(first: RecordingKey, second: RecordingKey) -> bool:
    """Whether two tracks are one recording (module doc: title and credit, or the audio)."""
    if (
        first.title
        and first.title == second.title
        and first.version == second.version
        and credits_overlap(first.artists, second.artists)
    ):
        return True
    if first.features is None or second.features is None:
        return False
    if first.duration_ms is None or second.duration_ms is None:
        return False
    if abs(first.duration_ms - second.duration_ms) > DURATION_TOLERANCE_MS:
        return False
    return all(
        math.isclose(a, b, rel_tol=0.0, abs_tol=_FEATURE_TOLERANCE)
        for a, b in zip(first.features, second.features, strict=True)
    )


def first_match(key: RecordingKey, earlier: Iterable[RecordingKey]) -> RecordingKey | None:
    """The first of ``earlier`` that is the same recording as ``key``, or None."""
    return next((other for other in earlier if same_recording(key, other)), None)


def same_recording_pairs(keys: Sequence[RecordingKey]) -> list[tuple[int, int]]:
    """Every pair ``(i, j)``, ``i < j``, of one list that is the same recording (evaluation)."""
    return [
        (i, j)
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if same_recording(keys[i], keys[j])
    ]


class RecordingSet:
    """Recordings listed so far, found by the two routes ``same_recording`` can hold by.

    A candidate is compared only with the recordings of its base title and version, and with
    those whose duration is within a second bucket of its own, not with the whole list.
    """

    def __init__(self, keys: Iterable[RecordingKey] = ()) -> None:
        self._by_title: dict[tuple[str, str], list[RecordingKey]] = {}
        self._by_second: dict[int, list[RecordingKey]] = {}
        for key in keys:
            self.add(key)

    def add(self, key: RecordingKey) -> None:
        """List ``key`` (a recording of the list or a seed)."""
        if key.title:
            self._by_title.setdefault((key.title, key.version), []).append(key)
        if key.features is not None and key.duration_ms is not None:
            self._by_second.setdefault(key.duration_ms // 1000, []).append(key)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is the same recording as one already added."""
        if not isinstance(key, RecordingKey):
            return False
        if key.title and any(
            same_recording(key, other) for other in self._by_title.get((key.title, key.version), ())
        ):
            return True
        if key.features is None or key.duration_ms is None:
            return False
        # Durations within DURATION_TOLERANCE_MS (one second) sit in neighbouring buckets.
        second = key.duration_ms // 1000
        return any(
            same_recording(key, other)
            for bucket in (second - 1, second, second + 1)
            for other in self._by_second.get(bucket, ())
        )


def recording_lookup(tracks: pl.DataFrame) -> Callable[[int], RecordingKey]:
    """The recording key of catalog row ``i``, computed on first use and kept (one query)."""
    columns = tracks.select(_COLUMNS)
    cache: dict[int, RecordingKey] = {}

    def key_of(row: int) -> RecordingKey:
        key = cache.get(row)
        if key is None:
            key = cache[row] = recording_key(columns.row(row, named=True))
        return key

    return key_of
