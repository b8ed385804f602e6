"""A listener's plays summed per song (every version of a song shares one ``song_key``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.text import song_key


@dataclass(frozen=True, slots=True)
class Play:
    """Listening totals of one song (its versions share a ``song_key``)."""

    name: str
    artist: str
    song_key: str
    ms_played: int
    plays: int
    # The Spotify id listened to longest under this song, when the export names one.
    track_id: str | None = None


@dataclass(slots=True)
class _SongTotal:
    name: str
    artist: str
    first: int
    ms_played: int = 0
    plays: int = 0
    by_uri: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class PlayTotals:
    """Listening totals per song while files are read; ``ranked()`` gives the songs."""

    songs: dict[str, _SongTotal] = field(default_factory=dict)
    # A history repeats the same few thousand songs; normalising each play anew dominated.
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, name: str, artist: str, *, ms: int, track_id: str | None) -> None:
        """Count one play of ``ms`` milliseconds (``track_id``: the Spotify id, if named)."""
        key = self._keys.get((name, artist))
        if key is None:
            key = self._keys[(name, artist)] = song_key(name, artist)
        song = self.songs.get(key)
        if song is None:
            song = self.songs[key] = _SongTotal(name=name, artist=artist, first=len(self.songs))
        song.ms_played += ms
        song.plays += 1
        if track_id is not None:
            song.by_uri[track_id] = song.by_uri.get(track_id, 0) + ms + 1

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
            for track_id, weight in theirs.by_uri.items():
                song.by_uri[track_id] = song.by_uri.get(track_id, 0) + weight

    def ranked(self) -> list[Play]:
        """The songs, most listened first; the id listened to longest stands for each."""
        order = sorted(
            self.songs.items(), key=lambda kv: (-kv[1].ms_played, -kv[1].plays, kv[1].first)
        )
        return [
            Play(
                name=song.name,
                artist=song.artist,
                song_key=key,
                ms_played=song.ms_played,
                plays=song.plays,
                track_id=max(song.by_uri, key=song.by_uri.__getitem__) if song.by_uri else None,
            )
            for key, song in order
        ]
