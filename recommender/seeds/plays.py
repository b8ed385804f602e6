"""A listener's plays summed per song (every version of a song shares one ``song_key``).

Also what every export file reports (``FileSummary``) and the tracks a listener chose
(playlists, saved tracks) or banned, because all readers of ``history_formats`` and
``export_json`` fill the same totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from recommender.text import song_key

# The seed rule for chosen tracks: a track in a playlist or the library ranks as if it had
# been played ten full times of 3.5 minutes, on top of any real plays. A person's choice
# says as much as a song played often, but less than the few songs played for hours.
CHOSEN_PLAYS: Final = 10
CHOSEN_MS: Final = CHOSEN_PLAYS * 210_000
# Time ranges like the logged-in ones, counted back from the export's last play.
RANGES: Final = {"short_term": 28, "medium_term": 182, "long_term": None}
RANGE_NAMES: Final = {
    "short_term": "Last 4 weeks",
    "medium_term": "Last 6 months",
    "long_term": "All of it",
}


class HistoryFileError(ValueError):
    """A file that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file (or zip member) that could not be used, and why."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass(frozen=True, slots=True)
class FileSummary:
    """What one file (or zip member) is, what was read from it, what was skipped and why.

    ``music`` is False for members that hold no music at all (podcasts, audiobooks, videos,
    other account data): they are skipped and counted, never an error.
    """

    file: str
    kind: str
    rows: int
    counted: int
    skipped: int = 0
    why: str = ""
    music: bool = True


@dataclass(frozen=True, slots=True)
class Play:
    """Listening totals of one song (its versions share a ``song_key``).

    ``chosen``: the song is in one of the listener's playlists or the library; ``rank_ms``
    is what ranks it (listening time plus ``CHOSEN_MS`` when chosen).
    """

    name: str
    artist: str
    song_key: str
    ms_played: int
    plays: int
    # The Spotify id listened to longest under this song, when the export names one.
    track_id: str | None = None
    chosen: bool = False

    @property
    def rank_ms(self) -> int:
        """Listening time plus the chosen-track credit (the seed ranking's key)."""
        return self.ms_played + (CHOSEN_MS if self.chosen else 0)


@dataclass(frozen=True, slots=True)
class Banned:
    """A track or artist the listener banned in Spotify (YourLibrary.json)."""

    name: str
    artist: str = ""
    track_id: str | None = None


@dataclass(slots=True)
class _SongTotal:
    name: str
    artist: str
    first: int
    ms_played: int = 0
    plays: int = 0
    chosen: bool = False
    by_uri: dict[str, int] = field(default_factory=dict)
    # day ordinal -> [ms, plays]; a history repeats few days per song, so this stays small.
    by_day: dict[int, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class PlayTotals:
    """Listening totals per song while files are read; ``ranked()`` gives the songs."""

    songs: dict[str, _SongTotal] = field(default_factory=dict)
    banned_tracks: list[Banned] = field(default_factory=list)
    banned_artists: list[Banned] = field(default_factory=list)
    # A history repeats the same few thousand songs; normalising each play anew dominated.
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)
    _days: dict[str, int | None] = field(default_factory=dict)

    def _song(self, name: str, artist: str) -> _SongTotal:
        key = self._keys.get((name, artist))
        if key is None:
            key = self._keys[(name, artist)] = song_key(name, artist)
        song = self.songs.get(key)
        if song is None:
            song = self.songs[key] = _SongTotal(name=name, artist=artist, first=len(self.songs))
        return song

    def add(
        self, name: str, artist: str, *, ms: int, track_id: str | None, when: object = None
    ) -> None:
        """Count one play of ``ms`` milliseconds (``when``: the export's timestamp text)."""
        song = self._song(name, artist)
        song.ms_played += ms
        song.plays += 1
        if track_id is not None:
            song.by_uri[track_id] = song.by_uri.get(track_id, 0) + ms + 1
        day = self._day(when)
        if day is not None:
            slot = song.by_day.setdefault(day, [0, 0])
            slot[0] += ms
            slot[1] += 1

    def choose(self, name: str, artist: str, *, track_id: str | None) -> None:
        """Mark a song the listener chose (playlist, library); it counts no play."""
        song = self._song(name, artist)
        song.chosen = True
        if track_id is not None:
            song.by_uri[track_id] = song.by_uri.get(track_id, 0) + 1

    def _day(self, when: object) -> int | None:
        if not isinstance(when, str) or len(when) < 10:
            return None
        text = when[:10]
        if text not in self._days:
            try:
                self._days[text] = dt.date.fromisoformat(text).toordinal()
            except ValueError:
                self._days[text] = None
        return self._days[text]

    def merge(self, other: PlayTotals) -> None:
        """Add another file's totals (a song keeps its first-seen order)."""
        for key, theirs in other.songs.items():
            song = self.songs.get(key)
            if song is None:
                song = self.songs[key] = _SongTotal(
                    theirs.name, theirs.artist, first=len(self.songs)
                )
            song.ms_played += theirs.ms_played
            song.plays += theirs.plays
            song.chosen |= theirs.chosen
            for track_id, weight in theirs.by_uri.items():
                song.by_uri[track_id] = song.by_uri.get(track_id, 0) + weight
            for day, (ms, plays) in theirs.by_day.items():
                slot = song.by_day.setdefault(day, [0, 0])
                slot[0] += ms
                slot[1] += plays
        self.banned_tracks.extend(other.banned_tracks)
        self.banned_artists.extend(other.banned_artists)

    def last_day(self) -> int | None:
        """The day of the export's last dated play (None when no play carries a date)."""
        days = [max(song.by_day) for song in self.songs.values() if song.by_day]
        return max(days) if days else None

    def ranked(self, *, days: int | None = None) -> list[Play]:
        """The songs, highest ``rank_ms`` first; the id listened to longest stands for each.

        ``days``: only plays of the last ``days`` days before the export's last play count;
        chosen songs carry no date and stay in every range.
        """
        since = None
        if days is not None and (last := self.last_day()) is not None:
            since = last - days + 1
        rows: list[tuple[int, int, int, str, _SongTotal]] = []
        for key, song in self.songs.items():
            ms, plays = song.ms_played, song.plays
            if since is not None:
                ms = plays = 0
                for day, (day_ms, day_plays) in song.by_day.items():
                    if day >= since:
                        ms += day_ms
                        plays += day_plays
                if plays == 0 and not song.chosen:
                    continue
            rank = ms + (CHOSEN_MS if song.chosen else 0)
            rows.append((rank, ms, plays, key, song))
        rows.sort(key=lambda row: (-row[0], -row[2], row[4].first))
        return [
            Play(
                name=song.name,
                artist=song.artist,
                song_key=key,
                ms_played=ms,
                plays=plays,
                track_id=max(song.by_uri, key=song.by_uri.__getitem__) if song.by_uri else None,
                chosen=song.chosen,
            )
            for _, ms, plays, key, song in rows
        ]
