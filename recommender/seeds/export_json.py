"""The JSON files of a Spotify data export, by shape: which is which and what it holds.

Account data ("Download your account data"): ``StreamingHistory_music_*.json`` (``endTime``,
``artistName``, ``trackName``, ``msPlayed``), the podcast, audiobook and video histories
beside it, ``Playlist*.json`` (``playlists[].items[].track`` with ``trackName``,
``artistName``, ``trackUri``) and ``YourLibrary.json`` (``tracks[]`` with ``track``,
``artist``, ``uri``; ``bannedTracks``, ``bannedArtists``). Extended history:
``Streaming_History_Audio_*.json``, ``Streaming_History_Video_*.json`` and the older
``endsong_*.json`` (``ts``, ``ms_played``, ``master_metadata_track_name``,
``master_metadata_album_artist_name``, ``spotify_track_uri``). Only names, artists, play
times, dates and track ids are read; personal fields (``ip_addr``, ``username``, user agent,
country) are never read, so they cannot be shown, logged or kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from recommender.domain import parse_track_id
from recommender.seeds.plays import Banned, FileSummary, HistoryFileError, PlayTotals

ACCOUNT_FIELDS: Final = ("endTime", "artistName", "trackName", "msPlayed")
EXTENDED_FIELDS: Final = (
    "ts",
    "ms_played",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "spotify_track_uri",
)
# Account-data histories that hold no music, by file name (their rows name episodes).
_NOT_MUSIC_NAME: Final = re.compile(r"(podcast|audiobook|video)", flags=re.IGNORECASE)
_NOT_MUSIC_KEYS: Final = {
    "podcastName": "podcast",
    "episodeName": "podcast",
    "audiobookName": "audiobook",
    "audiobookTitle": "audiobook",
    "chapterTitle": "audiobook",
    "episode_name": "podcast",
    "audiobook_title": "audiobook",
}
_WHY: Final = {
    "short": "shorter than 30 s",
    "podcast": "podcast episodes",
    "audiobook": "audiobook chapters",
    "video": "videos or episodes without a track",
    "local": "local files without an id",
    "bad": "rows without a track name, artist or time",
}


def json_type(value: object) -> str:
    """How a JSON value reads in a message ("an object", "a list", …)."""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def why_text(reasons: Counter[str]) -> str:
    """Counted skip reasons as one phrase ("3 shorter than 30 s, 1 podcast episodes")."""
    return ", ".join(f"{n:,} {_WHY[r]}" for r, n in reasons.most_common() if n)


def read_json(name: str, data: object, totals: PlayTotals, min_ms: int) -> FileSummary:
    """Read one parsed JSON file of an export into ``totals``; raise HistoryFileError."""
    if isinstance(data, dict):
        if isinstance(data.get("playlists"), list):
            return _read_playlists(name, data["playlists"], totals)
        if isinstance(data.get("tracks"), list) or "bannedTracks" in data:
            return _read_library(name, data, totals)
        msg = (
            "JSON of the wrong shape: expected a list of plays, got an object without "
            "playlists (as in Playlist*.json) or tracks (as in YourLibrary.json)"
        )
        raise HistoryFileError(msg)
    if not isinstance(data, list):
        msg = f"JSON of the wrong shape: expected a list of plays, got {json_type(data)}"
        raise HistoryFileError(msg)
    if not data:
        msg = "empty history: the file lists no plays"
        raise HistoryFileError(msg)
    first = data[0]
    if not isinstance(first, dict):
        msg = (
            f"JSON of the wrong shape: expected a list of objects, got a list of {json_type(first)}"
        )
        raise HistoryFileError(msg)
    return _read_plays(name, data, first, totals, min_ms)


def _read_plays(
    name: str, rows: list[Any], first: dict[str, Any], totals: PlayTotals, min_ms: int
) -> FileSummary:
    base = name.rsplit("/", 1)[-1]
    keys = set(first)
    extended = bool(keys & {"ts", "ms_played", "master_metadata_track_name", "spotify_track_uri"})
    not_music = next((what for key, what in _NOT_MUSIC_KEYS.items() if key in keys), None)
    hinted = _NOT_MUSIC_NAME.search(base)
    if not extended and (not_music or hinted):
        what = not_music or hinted.group(1).lower()  # type: ignore[union-attr]
        return FileSummary(
            name,
            f"account-data {what} history",
            rows=len(rows),
            counted=0,
            skipped=len(rows),
            why=f"{len(rows):,} {_WHY[what if what != 'video' else 'video']}: not music",
            music=False,
        )
    if extended:
        kind, reader = "extended streaming history", _extended_row
        required: tuple[str, ...] = EXTENDED_FIELDS[1:4]
        if "video" in base.lower():
            kind = "extended video history"
    elif keys & set(ACCOUNT_FIELDS):
        kind, reader, required = "account-data streaming history", _account_row, ACCOUNT_FIELDS[1:]
    else:
        found = ", ".join(sorted(keys)[:8]) or "none"
        msg = (
            f"JSON of the wrong shape: rows need {', '.join(ACCOUNT_FIELDS)} (account data) or "
            f"{', '.join(EXTENDED_FIELDS[:4])} (extended history); found: {found}"
        )
        raise HistoryFileError(msg)
    missing = [f for f in required if f not in keys]
    if missing:
        msg = f"missing fields in the {kind}: {', '.join(missing)}"
        raise HistoryFileError(msg)
    reasons: Counter[str] = Counter()
    counted = 0
    for row in rows:
        outcome = reader(row, totals, min_ms) if isinstance(row, dict) else "bad"
        if outcome is None:
            counted += 1
        else:
            reasons[outcome] += 1
    if reasons["bad"] == len(rows):
        msg = f"no usable rows: every row misses {', '.join(required)} or has the wrong type"
        raise HistoryFileError(msg)
    return FileSummary(
        name,
        kind,
        rows=len(rows),
        counted=counted,
        skipped=len(rows) - counted,
        why=why_text(reasons),
        music=counted > 0 or reasons["short"] > 0,
    )


def _milliseconds(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or value > 10**12:  # NaN, negative or absurd
        return None
    return int(value)


# Adds one row to the totals: None when counted, else the reason it was skipped.
_ReadRow = Callable[[dict[str, Any], PlayTotals, int], str | None]


def _account_row(row: dict[str, Any], totals: PlayTotals, min_ms: int) -> str | None:
    name, artist, ms = (
        row.get("trackName"),
        row.get("artistName"),
        _milliseconds(row.get("msPlayed")),
    )
    if name is None and (row.get("podcastName") or row.get("episodeName")):
        return "podcast"
    if not isinstance(name, str) or not isinstance(artist, str) or ms is None or not name.strip():
        return "bad"
    if ms < min_ms:
        return "short"
    totals.add(name, artist, ms=ms, track_id=None, when=row.get("endTime"))
    return None


def _extended_row(row: dict[str, Any], totals: PlayTotals, min_ms: int) -> str | None:
    """One extended-history play; podcast, audiobook and video rows have no track name."""
    ms = _milliseconds(row.get("ms_played"))
    if ms is None:
        return "bad"
    name = row.get("master_metadata_track_name")
    artist = row.get("master_metadata_album_artist_name")
    if name is None:
        if row.get("episode_name") or row.get("spotify_episode_uri"):
            return "podcast"
        if row.get("audiobook_title") or row.get("audiobook_uri"):
            return "audiobook"
        return "video"
    if not isinstance(name, str) or not isinstance(artist, str) or not name.strip():
        return "bad"
    if ms < min_ms:
        return "short"
    totals.add(
        name, artist, ms=ms, track_id=track_id(row.get("spotify_track_uri")), when=row.get("ts")
    )
    return None


def track_id(value: object) -> str | None:
    """The bare Spotify id of an id, URI or link; None for local files and junk."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_track_id(value)
    except ValueError:
        return None  # local files ("spotify:local:…") have no catalog id


def _read_playlists(name: str, playlists: list[Any], totals: PlayTotals) -> FileSummary:
    reasons: Counter[str] = Counter()
    rows = counted = 0
    for playlist in playlists:
        items = playlist.get("items") if isinstance(playlist, dict) else None
        for item in items if isinstance(items, list) else []:
            rows += 1
            track = item.get("track") if isinstance(item, dict) else None
            if not isinstance(track, dict):
                local = isinstance(item, dict) and item.get("localTrack")
                reasons["local" if local else "podcast"] += 1
                continue
            title, artist = track.get("trackName"), track.get("artistName")
            if not isinstance(title, str) or not title.strip() or not isinstance(artist, str):
                reasons["bad"] += 1
                continue
            totals.choose(title, artist, track_id=track_id(track.get("trackUri")))
            counted += 1
    why = why_text(reasons)
    return FileSummary(
        name,
        f"account-data playlists ({len(playlists)})",
        rows=rows,
        counted=counted,
        skipped=rows - counted,
        why=why if counted or why else "the playlists hold no tracks",
        music=counted > 0,
    )


def _read_library(name: str, library: dict[str, Any], totals: PlayTotals) -> FileSummary:
    counted = bad = 0
    listed = library.get("tracks")
    tracks: list[Any] = listed if isinstance(listed, list) else []
    for entry in tracks:
        title = entry.get("track") if isinstance(entry, dict) else None
        artist = entry.get("artist") if isinstance(entry, dict) else None
        if not isinstance(title, str) or not title.strip() or not isinstance(artist, str):
            bad += 1
            continue
        totals.choose(title, artist, track_id=track_id(entry.get("uri")))
        counted += 1
    for entry in _entries(library, "bannedTracks"):
        title, artist = entry.get("track"), entry.get("artist")
        if isinstance(title, str) and title.strip():
            artist = artist if isinstance(artist, str) else ""
            totals.banned_tracks.append(Banned(title, artist, track_id(entry.get("uri"))))
    for entry in _entries(library, "bannedArtists"):
        artist = entry.get("name") or entry.get("artist")
        if isinstance(artist, str) and artist.strip():
            totals.banned_artists.append(Banned(artist))
    others = {
        key: len(value)
        for key, value in library.items()
        if key not in ("tracks", "bannedTracks", "bannedArtists") and isinstance(value, list)
    }
    notes = [f"{bad:,} rows without a track name or artist"] if bad else []
    notes += [f"{n:,} {key} (not tracks)" for key, n in others.items() if n]
    banned = len(_entries(library, "bannedTracks")) + len(_entries(library, "bannedArtists"))
    if banned:
        notes.append(f"{banned:,} banned tracks/artists become “not this” exclusions")
    return FileSummary(
        name,
        "account-data library",
        rows=len(tracks),
        counted=counted,
        skipped=len(tracks) - counted,
        why="; ".join(notes),
        music=counted > 0,
    )


def _entries(library: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = library.get(key)
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
