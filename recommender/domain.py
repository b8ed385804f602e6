"""Domain vocabulary shared by every core module: the catalog schema and value types."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import polars as pl
from polars.datatypes import DataTypeClass

# The seven Spotify audio features that live on a 0-1 scale.
UNIT_FEATURES: Final = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)

# Every per-track audio feature the catalog carries, in a fixed order.
AUDIO_FEATURES: Final = (*UNIT_FEATURES, "loudness", "tempo", "key", "mode", "time_signature")

# Radar charts and profiles use these nine (key/mode/time_signature are not "how it sounds").
PROFILE_FEATURES: Final = (*UNIT_FEATURES, "loudness", "tempo")

# The canonical catalog schema: one row per unique Spotify track.
_CATALOG_COLUMNS: dict[str, pl.DataType | DataTypeClass] = {
    "track_id": pl.String,
    "name": pl.String,
    "artists": pl.List(pl.String),
    "album": pl.String,
    "year": pl.Int16,
    "popularity": pl.Int16,
    "explicit": pl.Boolean,
    "duration_ms": pl.Int64,
    "danceability": pl.Float64,
    "energy": pl.Float64,
    "key": pl.Int8,
    "loudness": pl.Float64,
    "mode": pl.Int8,
    "speechiness": pl.Float64,
    "acousticness": pl.Float64,
    "instrumentalness": pl.Float64,
    "liveness": pl.Float64,
    "valence": pl.Float64,
    "tempo": pl.Float64,
    "time_signature": pl.Int8,
    "genres": pl.List(pl.String),
    "sources": pl.List(pl.String),
}
CATALOG_SCHEMA: Final = pl.Schema(_CATALOG_COLUMNS)

# TidyTuesday playlist membership, kept beside the catalog for the offline evaluation.
PLAYLIST_SCHEMA: Final = pl.Schema(
    {
        "track_id": pl.String,
        "playlist_id": pl.String,
        "playlist_name": pl.String,
        "playlist_genre": pl.String,
        "playlist_subgenre": pl.String,
    }
)

TRACK_ID_PATTERN: Final = re.compile(r"^[0-9A-Za-z]{22}$")
_TRACK_URI_PATTERN: Final = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
_TRACK_URL_PATTERN: Final = re.compile(
    r"open\.spotify\.com/(?:intl-[a-z-]+/)?track/([0-9A-Za-z]{22})"
)


def parse_track_id(value: str) -> str:
    """Return the bare 22-character Spotify track id from an id, a URI or an open.spotify URL.

    Raises:
        ValueError: naming the value when it is none of these forms.
    """
    text = value.strip()
    if TRACK_ID_PATTERN.match(text):
        return text
    for pattern in (_TRACK_URI_PATTERN, _TRACK_URL_PATTERN):
        found = pattern.search(text)
        if found:
            return found.group(1)
    # A pasted file or link can hold megabytes on one line; the message shows its start.
    shown = value if len(value) <= 80 else value[:79] + "…"
    msg = (
        f"not a Spotify track id: {shown!r} (expected 22 letters/digits, "
        "'spotify:track:<id>' or an open.spotify.com/track/<id> link)"
    )
    raise ValueError(msg)


def track_uri(track_id: str) -> str:
    """Return the ``spotify:track:`` URI of a track id."""
    return f"spotify:track:{track_id}"


def track_url(track_id: str) -> str:
    """Return the public open.spotify.com link of a track id."""
    return f"https://open.spotify.com/track/{track_id}"


@dataclass(frozen=True, slots=True)
class Track:
    """A track as the UI and the Spotify adapter see it (metadata, no features)."""

    track_id: str
    name: str
    artists: tuple[str, ...]
    album: str | None = None
    duration_ms: int | None = None

    @property
    def uri(self) -> str:
        """The ``spotify:track:`` URI."""
        return track_uri(self.track_id)


@dataclass(frozen=True, slots=True)
class AudioProfile:
    """Audio features of one track or the mean of several; ``approximate`` marks estimates."""

    label: str
    features: dict[str, float] = field(default_factory=dict)
    spread: dict[str, float] | None = None
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class Catalog:
    """The candidate pool: one row per track (``CATALOG_SCHEMA``) plus playlist membership.

    ``fingerprint`` identifies the source files it was built from (models record it);
    ``report`` holds the build statistics the CLI prints; ``synthetic`` marks the labelled
    demo catalog used when no real data can be had.
    """

    tracks: pl.DataFrame
    playlists: pl.DataFrame
    fingerprint: str
    report: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False


LoadNoteKind = Literal[
    "catalog_cache_rebuilt",
    "catalog_cache_unwritable",
    "source_left_out",
    "model_retrained",
    "model_unwritable",
    "model_lock_unavailable",
]


@dataclass(frozen=True, slots=True)
class LoadNote:
    """Something a load worked around and still served: a damaged cache, a read-only folder.

    Returned to the caller (the app shows ``message`` as a warning) and logged as well;
    ``kind`` lets a caller pick notes without reading the text.
    """

    kind: LoadNoteKind
    message: str
