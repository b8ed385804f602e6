"""Feature resolution: give a listener's tracks audio features, honestly reporting how.

Spotify's audio-features endpoint is gone, so each track is looked up in order: the catalog
by track id, the catalog by the same-song key (``text.song_key``), an optional online source
(ReccoBeats, off unless configured), then the mean features of the artist's catalog tracks
(marked approximate). What is left is "not profiled" and counted in the coverage report.
Used for logged-in top tracks, playlists and guest history uploads alike.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

import numpy as np
import polars as pl
import requests

from recommender.domain import AUDIO_FEATURES, AudioProfile, Catalog, Track
from recommender.settings import Settings
from recommender.text import primary_artist, song_key

logger = logging.getLogger(__name__)

Outcome = Literal["by_id", "by_title", "online", "artist_profile", "not_found"]
OUTCOMES: Final[tuple[Outcome, ...]] = (
    "by_id",
    "by_title",
    "online",
    "artist_profile",
    "not_found",
)
_OUTCOME_WORDS: Final[dict[Outcome, str]] = {
    "by_id": "by id",
    "by_title": "by title",
    "online": "online",
    "artist_profile": "by artist profile",
}
# What an artist profile averages: everything numeric that describes how a track sounds or
# sits in the catalog; ``key`` is left out because a mean pitch class means nothing.
_PROFILE_COLUMNS: Final = (
    *(f for f in AUDIO_FEATURES if f != "key"),
    "duration_ms",
    "popularity",
    "year",
)
# An upload can name thousands of songs; past this many online lookups the rest get the
# artist average, so one upload cannot hold the page (or the free service) for minutes.
MAX_ONLINE_LOOKUPS: Final = 300
RECCOBEATS_BATCH: Final = 40  # more ids per call are reportedly dropped without a word
_ONLINE_FEATURES: Final = tuple(f for f in AUDIO_FEATURES if f != "time_signature")


class OnlineSourceError(RuntimeError):
    """The online audio-feature source failed; resolution falls back to artist profiles."""


class AudioFeatureSource(Protocol):
    """An online source of audio features keyed by Spotify track id."""

    name: str

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Features for the ids it knows; unknown ids are simply absent."""
        ...


class ReccoBeatsSource:
    """ReccoBeats ``GET /v1/audio-features?ids=…`` (free, no key), in batches of 40 ids.

    Results carry ReccoBeats' own id; the Spotify id is the last path segment of ``href``.
    """

    name = "ReccoBeats"

    def __init__(
        self, base_url: str, *, timeout: float = 10.0, session: requests.Session | None = None
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self._http = session or requests.Session()

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Fetch features for ``track_ids``.

        Raises:
            OnlineSourceError: when ReccoBeats cannot be reached or answers an error.
        """
        found: dict[str, dict[str, float]] = {}
        unique = list(dict.fromkeys(track_ids))
        for start in range(0, len(unique), RECCOBEATS_BATCH):
            batch = unique[start : start + RECCOBEATS_BATCH]
            try:
                answer = self._http.get(
                    self.base_url + "audio-features",
                    params={"ids": ",".join(batch)},
                    timeout=self.timeout,
                )
                answer.raise_for_status()
                content = answer.json().get("content") or []
            except (requests.RequestException, ValueError) as error:
                msg = f"{self.name} audio features failed: {error}"
                raise OnlineSourceError(msg) from error
            wanted = set(batch)
            for entry in content:
                spotify_id = _spotify_id_from_href(entry.get("href"))
                if spotify_id in wanted:
                    found[spotify_id] = _numbers(entry, _ONLINE_FEATURES)
        return found


def _spotify_id_from_href(href: Any) -> str | None:
    if not isinstance(href, str) or "/track/" not in href:
        return None
    return href.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _numbers(entry: Mapping[str, Any], names: Sequence[str]) -> dict[str, float]:
    return {
        name: float(entry[name])
        for name in names
        if isinstance(entry.get(name), int | float) and not isinstance(entry.get(name), bool)
    }


class CachedSource:
    """Remembers an online source's answers (misses too) per track id, up to ``size`` ids.

    Audio features of a public track id are public facts, so one cache serves every
    session of the process; a second upload of the same history asks nothing again.
    """

    def __init__(self, source: AudioFeatureSource, *, size: int = 50_000) -> None:
        self.name = source.name
        self._source = source
        self._size = size
        self._known: dict[str, dict[str, float]] = {}

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """Features for ``track_ids``, asking the source only for ids not seen before."""
        new = [t for t in dict.fromkeys(track_ids) if t not in self._known]
        if new:
            found = self._source.audio_features(new)
            if len(self._known) + len(new) > self._size:
                self._known.clear()
            for track_id in new:
                self._known[track_id] = found.get(track_id, {})
        return {t: self._known[t] for t in track_ids if self._known.get(t)}


_SOURCES: dict[str, CachedSource] = {}


def online_source(settings: Settings) -> AudioFeatureSource | None:
    """The configured online source (``AUDIO_FEATURE_SOURCES=reccobeats``), else None.

    Raises:
        ValueError: naming an unknown source in ``AUDIO_FEATURE_SOURCES``.
    """
    unknown = sorted(set(settings.audio_feature_sources) - {"reccobeats"})
    if unknown:
        msg = f"AUDIO_FEATURE_SOURCES has unknown sources {unknown}; known: ['reccobeats']"
        raise ValueError(msg)
    if "reccobeats" in settings.audio_feature_sources:
        if settings.reccobeats_url not in _SOURCES:
            _SOURCES[settings.reccobeats_url] = CachedSource(
                ReccoBeatsSource(settings.reccobeats_url)
            )
        return _SOURCES[settings.reccobeats_url]
    return None


@dataclass(frozen=True, slots=True)
class ResolvedTrack:
    """One track and how it got features: a catalog id (a seed as is) or an audio profile."""

    track: Track
    outcome: Outcome
    catalog_id: str | None = None
    profile: AudioProfile | None = None

    @property
    def approximate(self) -> bool:
        """True when the features are an estimate (the artist's average), not the track's."""
        return self.outcome == "artist_profile"

    @property
    def seed_id(self) -> str | None:
        """The id to seed with: the catalog id, or the track's own id when it has a profile."""
        if self.catalog_id is not None:
            return self.catalog_id
        return self.track.track_id if self.profile is not None else None


@dataclass(frozen=True, slots=True)
class Resolution:
    """Per-track outcomes, in input order, plus warnings (e.g. the online source failed)."""

    items: tuple[ResolvedTrack, ...]
    warnings: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[Outcome, int]:
        """How many tracks ended in each outcome (all outcomes present, zeros included)."""
        counts: dict[Outcome, int] = dict.fromkeys(OUTCOMES, 0)
        for item in self.items:
            counts[item.outcome] += 1
        return counts

    @property
    def profiled(self) -> int:
        """Tracks that have features by any route."""
        return len(self.items) - self.counts["not_found"]

    @property
    def seed_ids(self) -> list[str]:
        """Usable seeds, first occurrence first, without repeats."""
        return list(dict.fromkeys(i.seed_id for i in self.items if i.seed_id is not None))

    @property
    def seed_profiles(self) -> dict[str, AudioProfile]:
        """Profiles for the seeds that are not catalog tracks (``recommend``'s ``seed_vectors``)."""
        return {
            i.track.track_id: i.profile
            for i in self.items
            if i.catalog_id is None and i.profile is not None
        }

    def report(self, noun: str = "tracks") -> str:
        """One line, e.g. for ``noun="top tracks"``.

        "31 of 50 top tracks profiled: 24 by id, 5 by title, 2 by artist profile; 19 not found"
        """
        counts = self.counts
        parts = [f"{counts[o]} {word}" for o, word in _OUTCOME_WORDS.items() if counts[o]]
        text = f"{self.profiled} of {len(self.items)} {noun} profiled"
        if parts:
            text += ": " + ", ".join(parts)
        if counts["not_found"]:
            text += f"; {counts['not_found']} not found"
        return text


@dataclass
class CatalogIndex:
    """Lookups over one catalog, built once and reusable across resolutions (read-only)."""

    ids: frozenset[str]
    songs: dict[str, str]
    artist_rows: dict[str, list[int]]
    artist_names: dict[str, str]
    columns: tuple[str, ...]
    values: np.ndarray
    _profiles: dict[str, AudioProfile | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, catalog: Catalog) -> CatalogIndex:
        """Index ``catalog`` by id, by same-song key (most popular version wins) and by artist."""
        tracks = catalog.tracks
        ordered = tracks.with_row_index("row").sort(
            ["popularity", "track_id"], descending=[True, False], nulls_last=True
        )
        songs: dict[str, str] = {}
        artist_rows: dict[str, list[int]] = {}
        artist_names: dict[str, str] = {}
        for row, track_id, name, artists in ordered.select(
            "row", "track_id", "name", "artists"
        ).iter_rows():
            artists = artists or []
            songs.setdefault(song_key(name or "", artists), track_id)
            artist = primary_artist(artists)
            if artist:
                artist_rows.setdefault(artist, []).append(row)
                artist_names.setdefault(artist, artists[0])
        columns = tuple(c for c in _PROFILE_COLUMNS if c in tracks.columns)
        values = tracks.select(pl.col(c).cast(pl.Float64) for c in columns).to_numpy()
        return cls(
            ids=frozenset(tracks["track_id"].to_list()),
            songs=songs,
            artist_rows=artist_rows,
            artist_names=artist_names,
            columns=columns,
            values=values,
        )

    def artist_profile(self, artist: str) -> AudioProfile | None:
        """Mean (and spread) of the features of a folded artist's catalog tracks, approximate."""
        if artist not in self._profiles:
            rows = self.artist_rows.get(artist)
            self._profiles[artist] = None if not rows else self._mean_profile(artist, rows)
        return self._profiles[artist]

    def _mean_profile(self, artist: str, rows: list[int]) -> AudioProfile | None:
        block = self.values[rows]
        known = ~np.isnan(block)
        if not known.any():
            return None
        columns = self.columns
        counts = known.sum(axis=0)
        sums = np.where(known, block, 0.0).sum(axis=0)
        means = np.divide(sums, counts, out=np.full(len(columns), np.nan), where=counts > 0)
        squares = np.where(known, (block - means) ** 2, 0.0).sum(axis=0)
        spread = np.sqrt(np.divide(squares, counts, out=np.zeros(len(columns)), where=counts > 0))
        tracks = "1 catalog track" if len(rows) == 1 else f"{len(rows):,} catalog tracks"
        label = f"{self.artist_names[artist]} (average of {tracks})"
        return AudioProfile(
            label=label,
            features={c: float(means[i]) for i, c in enumerate(columns) if counts[i]},
            spread={c: float(spread[i]) for i, c in enumerate(columns) if counts[i]},
            approximate=True,
        )


def resolve_features(
    tracks: Sequence[Track],
    catalog: Catalog,
    *,
    online: AudioFeatureSource | None = None,
    index: CatalogIndex | None = None,
    max_online: int = MAX_ONLINE_LOOKUPS,
) -> Resolution:
    """Resolve each track: catalog id → same-song key → online source → artist profile.

    One pass over the tracks (dictionary lookups), so a long history stays linear.

    Args:
        tracks: the listener's tracks, any order (kept in the result).
        catalog: the offline catalog.
        online: an optional online feature source; its failure is reported as a warning.
        index: a prebuilt :class:`CatalogIndex` of ``catalog`` (built here when None).
        max_online: at most this many tracks (the first ones left) are looked up online.
    """
    index = index or CatalogIndex.build(catalog)
    results: list[ResolvedTrack | None] = []
    pending: list[int] = []
    for position, track in enumerate(tracks):
        if track.track_id in index.ids:
            results.append(ResolvedTrack(track, "by_id", catalog_id=track.track_id))
        elif (same := index.songs.get(song_key(track.name, track.artists))) is not None:
            results.append(ResolvedTrack(track, "by_title", catalog_id=same))
        else:
            results.append(None)
            pending.append(position)
    warnings: list[str] = []
    fetched: dict[str, dict[str, float]] = {}
    if online is not None and pending:
        try:
            asked = [tracks[p].track_id for p in pending[:max_online]]
            fetched = online.audio_features(asked)
            if len(pending) > max_online:
                warnings.append(
                    f"{len(pending) - max_online:,} songs beyond the first {max_online} "
                    "outside the catalog were not looked up online (artist averages instead)."
                )
        except OnlineSourceError as error:
            logger.warning("online audio features failed: %s", error)
            warnings.append(f"{error}; those tracks fall back to artist profiles.")
    for position in pending:
        results[position] = _fallback(tracks[position], fetched, index, online)
    return Resolution(items=tuple(r for r in results if r is not None), warnings=tuple(warnings))


def _fallback(
    track: Track,
    fetched: Mapping[str, dict[str, float]],
    index: CatalogIndex,
    online: AudioFeatureSource | None,
) -> ResolvedTrack:
    features = fetched.get(track.track_id)
    if features:
        if track.duration_ms:
            features = {**features, "duration_ms": float(track.duration_ms)}
        source = online.name if online is not None else "online"
        label = f"{track.name} ({source})"
        return ResolvedTrack(track, "online", profile=AudioProfile(label=label, features=features))
    profile = index.artist_profile(primary_artist(track.artists))
    if profile is not None:
        return ResolvedTrack(track, "artist_profile", profile=profile)
    return ResolvedTrack(track, "not_found")
