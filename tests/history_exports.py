"""Hand-made Spotify exports in each format, shared by the history tests."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from recommender.domain import track_uri
from tests.factories import make_catalog

MINUTE = 60_000

# --- hand-made exports in each format ---------------------------------------------------------


def account_json(plays):
    """StreamingHistory_music_*.json rows from (title, artist, ms) triples."""
    return json.dumps(
        [
            {
                "endTime": "2024-03-01 21:15",
                "artistName": artist,
                "trackName": title,
                "msPlayed": ms,
            }
            for title, artist, ms in plays
        ]
    ).encode()


def extended_json(plays, *, with_podcast=True):
    """Streaming_History_Audio_*.json rows from (title, artist, track id, ms) quadruples."""
    rows = [
        {
            "ts": "2024-03-01T21:15:00Z",
            "platform": "android",
            "ms_played": ms,
            "conn_country": "DE",
            "master_metadata_track_name": title,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": track_uri(tid) if tid else None,
            "episode_name": None,
            "spotify_episode_uri": None,
        }
        for title, artist, tid, ms in plays
    ]
    if with_podcast:
        rows.append(
            {
                "ts": "2024-03-02T08:00:00Z",
                "ms_played": 45 * MINUTE,
                "master_metadata_track_name": None,
                "master_metadata_album_artist_name": None,
                "spotify_track_uri": None,
                "episode_name": "A long podcast",
                "spotify_episode_uri": "spotify:episode:4rOoJ6Egrf8K2IrywzwOMk",
            }
        )
    return json.dumps(rows).encode()


def exportify_csv(tracks):
    """An Exportify playlist CSV from (title, artists, track id) triples."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Track URI", "Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)"]
    )
    for title, artists, tid in tracks:
        writer.writerow([track_uri(tid) if tid else "", title, "Album", artists, "2020", 200000])
    return out.getvalue().encode()


def zip_of(members, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CATALOG = make_catalog(
    [
        {"name": "Halo", "artists": ["Beyoncé"], "popularity": 77},
        {"name": "Crazy in Love", "artists": ["Beyoncé", "JAY-Z"], "popularity": 80},
        {"name": "Bohemian Rhapsody - Remastered 2011", "artists": ["Queen"], "popularity": 70},
        {"name": "Bohemian Rhapsody", "artists": ["Queen"], "popularity": 40},
    ]
)


def ranked(result):
    return [(p.name, p.ms_played) for p in result.plays]
