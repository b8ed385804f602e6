"""A listener's exported plays matched to the catalog: ranked songs become seeds.

Files are read by ``seeds.history_formats`` (formats and size limits); this module resolves
the most listened songs the way the logged-in path resolves top tracks. Nothing is written to
disk or cached, because a listening history is personal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from recommender.domain import AudioProfile, Catalog, Track
from recommender.seeds.history_formats import (
    DEFAULT_LIMITS,
    FileProblem,
    FileSummary,
    HistoryLimits,
    Source,
    read_plays,
)
from recommender.seeds.plays import Play
from recommender.seeds.resolve import (
    AudioFeatureSource,
    CatalogIndex,
    Outcome,
    Resolution,
    resolve_features,
)


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


@dataclass(frozen=True, slots=True)
class HistoryImport:
    """The outcome of :func:`import_history`: ranked songs, what was read, what went wrong.

    ``matches`` covers the ``top`` songs when a catalog was given, ``resolution`` is the same
    outcome as the logged-in path reports it.
    """

    plays: list[Play]
    files: list[FileSummary]
    problems: list[FileProblem]
    matches: list[MatchedPlay] = field(default_factory=list)
    resolution: Resolution | None = None

    def seed_ids(self, n: int = 5) -> list[str]:
        """Seeds from the ``n`` most listened songs that could be profiled."""
        found = [m.seed_id for m in self.matches if m.seed_id is not None]
        return list(dict.fromkeys(found))[:n]

    def seed_profiles(self) -> dict[str, AudioProfile]:
        """Approximate profiles of seeds that are not catalog tracks (for the engine)."""
        return {m.seed_id: m.profile for m in self.matches if m.seed_id and m.profile}

    def coverage(self, *, show_missing: int = 10) -> str:
        """The coverage line, as for logged-in top tracks, naming the songs not profiled."""
        return coverage_report(self.matches, self.resolution, show_missing=show_missing)


def import_history(
    files: Sequence[tuple[str, Source]],
    *,
    catalog: Catalog | None = None,
    top: int = 50,
    index: CatalogIndex | None = None,
    online: AudioFeatureSource | None = None,
    limits: HistoryLimits = DEFAULT_LIMITS,
) -> HistoryImport:
    """Read Spotify streaming histories, zips of them and Exportify CSVs; rank songs by time.

    Plays shorter than ``limits.min_ms_played`` are ignored; an Exportify playlist counts each
    row as one play (no listening time), so its order decides among its tracks. A bad file is
    reported in ``problems`` and the good ones still count.

    Args:
        files: (name, bytes or binary file object) pairs, e.g. Streamlit uploads.
        catalog: when given, the ``top`` songs are resolved against it (``matches``).
        top: how many of the most listened songs to resolve.
        index: a prebuilt ``resolve.CatalogIndex`` of ``catalog`` (saves one per upload).
        online: an optional online audio-feature source, as for logged-in listeners.
        limits: size limits; the defaults are the documented ones.
    """
    plays, summaries, problems = read_plays(files, limits=limits)
    if catalog is None:
        return HistoryImport(plays=plays, files=summaries, problems=problems)
    matches, resolution = match_plays(plays[:top], catalog, index=index, online=online)
    return HistoryImport(
        plays=plays, files=summaries, problems=problems, matches=matches, resolution=resolution
    )


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
    text = resolution.report("top songs")
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
    """The ranked songs as a table for display or JSON (rank, names, id, how, time)."""
    return pl.DataFrame(
        [
            {
                "rank": rank,
                "name": m.play.name,
                "artist": m.play.artist,
                "track_id": m.track_id or m.play.track_id,
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
