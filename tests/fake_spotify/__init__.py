"""Loopback fake Spotify for unit, AppTest and browser tests.

``build_fake(catalog_tracks)`` populates the fake from a catalog read at test time: the fake
users' top tracks are real catalog tracks plus a few that exercise every feature-resolution
path (same song under another id, an unknown song by a catalog artist, a track only the
online source knows, a track nobody knows). Fixtures: ``fake_catalog`` (session) and
``fake_spotify`` (a started fake per test). Standalone: ``python -m tests.fake_spotify --port N``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest
import requests

from recommender.domain import Catalog
from tests.factories import make_catalog
from tests.fake_spotify.server import (
    CLIENT_ID,
    CLIENT_SECRET,
    FakePlaylist,
    FakeSpotify,
    FakeUser,
    LoggedRequest,
)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "FakePlaylist",
    "FakeSpotify",
    "FakeUser",
    "LoggedRequest",
    "Specials",
    "authorize",
    "build_fake",
    "factory_catalog",
    "fake_catalog",
    "fake_spotify",
]

ALLOW_LISTED = ("alice", "bob")
NOT_ALLOW_LISTED = "mallory"
RANGE_SIZES = {"short_term": 10, "medium_term": 20, "long_term": 46}


@dataclass(frozen=True)
class Specials:
    """Ids of one user's top tracks that are not plain catalog hits, by expected outcome."""

    by_title: str  # a catalog song under a different (remastered) id
    by_title_catalog_id: str
    artist_profile: str  # unknown title by an artist the catalog knows
    artist: str
    online: str  # only the online source (ReccoBeats) has features
    unknown: str  # nobody knows it


def _made_up_id(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(digest, 16)
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(alphabet[rest])
    return "".join(chars)


def factory_catalog(n: int = 240) -> Catalog:
    """A hand-built catalog of ``n`` made-up tracks by 40 artists with spread-out features."""
    rows: list[dict[str, Any]] = []
    for i in range(n):
        step = (i * 37 % n) / n
        rows.append(
            {
                "track_id": _made_up_id(f"catalog-{i}"),
                "name": f"Song {i:03d}",
                "artists": [f"Artist {i % 40:02d}"],
                "album": f"Album {i // 10}",
                "danceability": round(step, 3),
                "energy": round(1 - step, 3),
                "valence": round((i % 7) / 7, 3),
                "tempo": 80.0 + (i % 9) * 10,
                "loudness": -3.0 - (i % 12),
            }
        )
    return make_catalog(rows)


def _row_track(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["track_id"],
        "name": row["name"],
        "artists": list(row["artists"] or ["Unknown artist"]),
        "album": row["album"],
        "duration_ms": row["duration_ms"] or 200_000,
    }


def build_fake(catalog_tracks: pl.DataFrame) -> FakeSpotify:
    """A fake (not started) whose users' top tracks come from ``catalog_tracks``.

    Alice takes catalog rows from the start, Bob from further on, so their data never
    overlap; Mallory is not on the allow-list. ``fake.specials[user]`` names the tracks that
    are not plain catalog hits.
    """
    usable = catalog_tracks.filter(
        pl.col("name").is_not_null() & (pl.col("artists").list.len() > 0)
    ).select("track_id", "name", "artists", "album", "duration_ms")
    rows = usable.head(400).to_dicts()
    needed = 2 * (sum(RANGE_SIZES.values()) + 2)
    if len(rows) < needed:
        msg = f"the fake needs at least {needed} named catalog tracks, got {len(rows)}"
        raise ValueError(msg)
    tracks = {r["track_id"]: _row_track(r) for r in rows}
    users = []
    specials: dict[str, Specials] = {}
    extra_features: dict[str, dict[str, float]] = {}
    half = len(rows) // 2
    for n, user_id in enumerate((*ALLOW_LISTED, NOT_ALLOW_LISTED)):
        base = rows[(n % 2) * half :]
        title_row, artist_row = base[0], base[1]
        special = Specials(
            by_title=_made_up_id(f"{user_id}-remaster"),
            by_title_catalog_id=title_row["track_id"],
            artist_profile=_made_up_id(f"{user_id}-demo"),
            artist=artist_row["artists"][0],
            online=_made_up_id(f"{user_id}-online"),
            unknown=_made_up_id(f"{user_id}-unknown"),
        )
        tracks[special.by_title] = {
            **_row_track(title_row),
            "id": special.by_title,
            "name": f"{title_row['name']} - Remastered 2011",
        }
        tracks[special.artist_profile] = {
            "id": special.artist_profile,
            "name": f"Unreleased Demo of {user_id}",
            "artists": [artist_row["artists"][0]],
            "album": "Demos",
        }
        tracks[special.online] = {
            "id": special.online,
            "name": f"Online Only Tune of {user_id}",
            "artists": [f"Web Artist {user_id}"],
            "album": "Web",
        }
        tracks[special.unknown] = {
            "id": special.unknown,
            "name": f"Nobody Knows This {user_id}",
            "artists": [f"Nowhere Band {user_id}"],
            "album": "Void",
        }
        extra_features[special.online] = {
            "acousticness": 0.11,
            "danceability": 0.66,
            "energy": 0.77,
            "instrumentalness": 0.0,
            "key": 5,
            "liveness": 0.12,
            "loudness": -6.5,
            "mode": 1,
            "speechiness": 0.05,
            "tempo": 118.0,
            "valence": 0.4,
        }
        top: dict[str, list[str]] = {}
        start = 2
        for time_range, size in RANGE_SIZES.items():
            top[time_range] = [r["track_id"] for r in base[start : start + size]] + [
                special.by_title,
                special.artist_profile,
                special.online,
                special.unknown,
            ]
            start += size
        users.append(
            FakeUser(
                user_id=user_id,
                display_name=user_id.capitalize(),
                allow_listed=user_id in ALLOW_LISTED,
                top=top,
            )
        )
        specials[user_id] = special
    fake = FakeSpotify(list(tracks.values()), users)
    fake.specials = specials  # type: ignore[attr-defined]
    fake.audio_features.update(extra_features)
    alice_tracks = users[0].top["short_term"]
    fake.add_playlist(
        "alice",
        "Alice on the road",
        [
            *(f"spotify:track:{t}" for t in alice_tracks[:3]),
            "spotify:local:Someone:Home+Demo:Home+Recording:180",
            "spotify:episode:5Xt5DXGzch68nYYamXrNxZ",
        ],
    )
    fake.add_playlist(
        "carol", "Carol's party", [f"spotify:track:{alice_tracks[4]}"], followers={"alice"}
    )
    fake.add_playlist("bob", "Bob alone", [f"spotify:track:{users[1].top['short_term'][0]}"])
    return fake


def authorize(url: str) -> dict[str, str]:
    """Open the consent page like a browser and return the query of the redirect back."""
    answer = requests.get(url, allow_redirects=False, timeout=5)
    if answer.status_code != 302:
        msg = f"/authorize answered {answer.status_code}: {answer.text}"
        raise AssertionError(msg)
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    return {key: values[-1] for key, values in query.items()}


@pytest.fixture(scope="session")
def fake_catalog() -> Catalog:
    """The hand-built catalog the fake users' top tracks are drawn from."""
    return factory_catalog()


@pytest.fixture
def fake_spotify(fake_catalog: Catalog) -> Iterator[FakeSpotify]:
    """A started loopback fake with fresh state; stopped after the test."""
    fake = build_fake(fake_catalog.tracks).start()
    yield fake
    fake.stop()
    removed = fake.removed_calls()
    assert not removed, f"the app called endpoints Spotify removed: {removed}"
