"""A listener's exported plays matched to the catalog: ranked songs become seeds.

Files are read by ``seeds.history_formats`` (formats and size limits); this module resolves
every distinct song the way the logged-in path resolves top tracks, and ``seeds.choose``
picks the seeds. Nothing is written to
disk or cached, because a listening history is personal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from recommender.domain import AudioProfile, Catalog, Track
from recommender.seeds.choose import Candidate, SeedChoice, choose_seeds
from recommender.seeds.history_formats import (
    DEFAULT_LIMITS,
    FileProblem,
    FileSummary,
    HistoryLimits,
    Source,
    read_plays,
)
from recommender.seeds.plays import RANGES, Banned, Play
from recommender.seeds.resolve import (
    AudioFeatureSource,
    CatalogIndex,
    Outcome,
    Resolution,
    resolve_features,
)
from recommender.text import song_key


@dataclass(frozen=True, slots=True)
class MatchedPlay:
    """A ranked song and how it got audio features (``resolve.Outcome``).

    ``track_id`` is the catalog track standing for it (None when approximated or not found);
    ``seed_id`` is what to seed with: that catalog id, or, for an artist-profile estimate, the
    song's own id (the export's Spotify id, else a ``history-…`` id) keyed in ``profile``.
    """

    play: Play
    how: Outcome
    track_id: str | None
    seed_id: str | None = None
    profile: AudioProfile | None = None

    def candidate(self) -> Candidate:
        """This song as a seed candidate of the seed policy."""
        return Candidate(
            name=self.play.name,
            artist=self.play.artist,
            how=self.how,
            seed_id=self.seed_id,
            profile=self.profile,
            catalog_id=self.track_id,
        )


@dataclass(frozen=True, slots=True)
class HistoryImport:
    """The outcome of :func:`import_history`: ranked songs, what was read, what went wrong.

    ``matches`` covers every distinct song (all-time rank order) when a catalog was given;
    ``ranges`` holds each time range's song order (``plays.RANGES``); ``banned_*`` are the
    listener's banned tracks (catalog ids → labels) and artists, the "not this" exclusions.
    """

    plays: list[Play]
    files: list[FileSummary]
    problems: list[FileProblem]
    matches: list[MatchedPlay] = field(default_factory=list)
    resolution: Resolution | None = None
    ranges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    banned_tracks: dict[str, str] = field(default_factory=dict)
    banned_artists: tuple[str, ...] = ()

    @property
    def dated(self) -> bool:
        """True when plays carry dates, so the time ranges mean something."""
        return bool(self.ranges)

    def ranked_matches(self, time_range: str = "long_term") -> list[MatchedPlay]:
        """The matched songs of one time range, highest rank first."""
        order = self.ranges.get(time_range)
        if order is None:
            return list(self.matches)
        by_key = {m.play.song_key: m for m in self.matches}
        return [by_key[k] for k in order if k in by_key]

    def seeds(self, n: int = 5, *, time_range: str = "long_term") -> SeedChoice:
        """The seeds the seed policy (``seeds.choose``) picks from this time range."""
        ranked = self.ranked_matches(time_range)
        return choose_seeds((m.candidate() for m in ranked), n=n, avoid=tuple(self.banned_tracks))

    def seed_ids(self, n: int = 5) -> list[str]:
        """The ids of :meth:`seeds` (all time)."""
        return self.seeds(n).seed_ids

    def seed_profiles(self) -> dict[str, AudioProfile]:
        """Approximate profiles of the songs that are not catalog tracks (for the engine)."""
        return {m.seed_id: m.profile for m in self.matches if m.seed_id and m.profile}

    def coverage(self, *, show_missing: int = 10) -> str:
        """The coverage line, as for logged-in top tracks, naming the songs not profiled."""
        return coverage_report(self.matches, self.resolution, show_missing=show_missing)


def import_history(
    files: Sequence[tuple[str, Source]],
    *,
    catalog: Catalog | None = None,
    index: CatalogIndex | None = None,
    online: AudioFeatureSource | None = None,
    limits: HistoryLimits = DEFAULT_LIMITS,
) -> HistoryImport:
    """Read Spotify exports (histories, playlists, library), zips of them and Exportify CSVs.

    Songs rank by listening time; a chosen track (playlist, library, Exportify row) ranks as
    if played often (``plays.CHOSEN_MS``); plays shorter than ``limits.min_ms_played`` are
    ignored. A bad file is reported in ``problems`` and the good ones still count. With a
    catalog, every distinct song is resolved in one pass (``matches``).

    Args:
        files: (name, bytes or binary file object) pairs, e.g. Streamlit uploads.
        catalog: when given, every song is resolved against it (``matches``).
        index: a prebuilt ``resolve.CatalogIndex`` of ``catalog`` (saves one per upload).
        online: an optional online audio-feature source, as for logged-in listeners.
        limits: size limits; the defaults are the documented ones.
    """
    totals, summaries, problems = read_plays(files, limits=limits)
    plays = totals.ranked()
    ranges: dict[str, tuple[str, ...]] = {}
    if totals.last_day() is not None:
        ranges = {
            name: tuple(p.song_key for p in totals.ranked(days=days))
            for name, days in RANGES.items()
        }
    result = HistoryImport(plays=plays, files=summaries, problems=problems, ranges=ranges)
    if catalog is None:
        return result
    index = index or CatalogIndex.build(catalog)
    matches, resolution = match_plays(plays, catalog, index=index, online=online)
    banned = _banned_ids(totals.banned_tracks, index)
    artists = tuple(dict.fromkeys(b.name for b in totals.banned_artists))
    return replace(
        result,
        matches=matches,
        resolution=resolution,
        banned_tracks=banned,
        banned_artists=artists,
    )


def _banned_ids(banned: Sequence[Banned], index: CatalogIndex) -> dict[str, str]:
    """Banned tracks that are in the catalog, by id or by the same song: id → label."""
    found: dict[str, str] = {}
    for track in banned:
        catalog_id = track.track_id if track.track_id in index.ids else None
        if catalog_id is None:
            catalog_id = index.songs.get(song_key(track.name, track.artist))
        if catalog_id is not None:
            found[catalog_id] = f"{track.name} – {track.artist}" if track.artist else track.name
    return found


def history_track_id(play: Play) -> str:
    """The id a song stands under when its export names no Spotify id (clearly not Spotify's)."""
    return "history-" + hashlib.sha256(play.song_key.encode()).hexdigest()[:16]


def match_plays(
    plays: Sequence[Play],
    catalog: Catalog,
    *,
    index: CatalogIndex | None = None,
    online: AudioFeatureSource | None = None,
) -> tuple[list[MatchedPlay], Resolution]:
    """Resolve songs like the logged-in path does: catalog id → same song → artist profile.

    An account-data export names no track ids, so those songs go by title and artist.
    """
    tracks = [
        Track(
            track_id=play.track_id or history_track_id(play),
            name=play.name,
            artists=(play.artist,),
        )
        for play in plays
    ]
    source = _RealIdsOnly(online) if online is not None else None
    resolution = resolve_features(tracks, catalog, online=source, index=index)
    matches = [
        MatchedPlay(
            play=play,
            how=item.outcome,
            track_id=item.catalog_id,
            seed_id=item.seed_id,
            profile=item.profile if item.catalog_id is None else None,
        )
        for play, item in zip(plays, resolution.items, strict=True)
    ]
    return matches, resolution


class _RealIdsOnly:
    """Passes only real Spotify ids to an online source; made-up ones mean nothing there."""

    def __init__(self, source: AudioFeatureSource) -> None:
        self.name = source.name
        self._source = source

    def audio_features(self, track_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        real = [t for t in track_ids if not t.startswith("history-")]
        return self._source.audio_features(real) if real else {}


def coverage_report(
    matches: Sequence[MatchedPlay], resolution: Resolution | None, *, show_missing: int = 10
) -> str:
    """The resolution's coverage line for these songs, naming the ones not profiled."""
    if not matches or resolution is None:
        return "No songs to match."
    missing = [m.play for m in matches if m.how == "not_found"]
    text = resolution.report("songs")
    if missing:
        names = "; ".join(f"{p.name} – {p.artist}" for p in missing[:show_missing])
        more = f" and {len(missing) - show_missing} more" if len(missing) > show_missing else ""
        text += f" ({names}{more})"
    return text + "."


def format_duration(ms: int) -> str:
    """Listening time as h:mm:ss ("—" for playlist rows, which carry none)."""
    if ms <= 0:
        return "—"
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def top_table(matches: Sequence[MatchedPlay]) -> pl.DataFrame:
    """The ranked songs as a table (rank, names, catalog id or None, how, time)."""
    return pl.DataFrame(
        [
            {
                "rank": rank,
                "name": m.play.name,
                "artist": m.play.artist,
                "track_id": m.track_id,
                "how": m.how,
                "listened": format_duration(m.play.ms_played),
                "ms_played": m.play.ms_played,
                "plays": m.play.plays,
            }
            for rank, m in enumerate(matches, start=1)
        ],
        schema={
            "rank": pl.Int64,
            "name": pl.String,
            "artist": pl.String,
            "track_id": pl.String,
            "how": pl.String,
            "listened": pl.String,
            "ms_played": pl.Int64,
            "plays": pl.Int64,
        },
    )
