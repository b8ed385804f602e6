"""Hand-built catalogs for unit tests: tiny, deterministic, with obvious right answers."""

from __future__ import annotations

from typing import Any

import polars as pl

from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA, Catalog

_DEFAULTS: dict[str, Any] = {
    "album": "Album",
    "year": 2015,
    "popularity": 50,
    "explicit": False,
    "duration_ms": 200_000,
    "danceability": 0.5,
    "energy": 0.5,
    "key": 5,
    "loudness": -8.0,
    "mode": 1,
    "speechiness": 0.05,
    "acousticness": 0.2,
    "instrumentalness": 0.0,
    "liveness": 0.1,
    "valence": 0.5,
    "tempo": 120.0,
    "time_signature": 4,
    "genres": ["pop"],
    "sources": ["test"],
}


def track_id(n: int) -> str:
    """A valid 22-character track id that encodes ``n`` (readable in failure messages)."""
    return f"T{n:021d}"


def make_tracks(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Rows in CATALOG_SCHEMA; each row needs ``name`` and ``artists``, the rest defaults.

    A missing ``track_id`` becomes ``track_id(i)``; pass ``None`` for a column to make it null.
    """
    full = []
    for i, row in enumerate(rows):
        record = {**_DEFAULTS, "track_id": track_id(i), **row}
        full.append({name: record.get(name) for name in CATALOG_SCHEMA})
    return pl.DataFrame(full, schema=CATALOG_SCHEMA)


def make_catalog(
    rows: list[dict[str, Any]], playlists: list[dict[str, Any]] | None = None
) -> Catalog:
    """A Catalog around ``make_tracks(rows)``; its fingerprint changes with its content."""
    tracks = make_tracks(rows)
    members = pl.DataFrame(playlists or [], schema=PLAYLIST_SCHEMA)
    fingerprint = f"test-{tracks.hash_rows().sum()}"
    return Catalog(tracks=tracks, playlists=members, fingerprint=fingerprint)


def count_artists(credits) -> int:
    """How many distinct artists (``text.artist_names``) credit strings name, one by one.

    The per-track reference the column-wise ``data.read.artist_count`` must equal; missing
    credits (``None``) name nobody.
    """
    from recommender.text import artist_names

    return len({name for credit in credits if credit for name in artist_names([credit])})
