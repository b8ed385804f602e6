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


# --- the other files of an account-data export (field names as Spotify documents them) ------


def podcast_json(episodes):
    """StreamingHistory_podcast_*.json rows from (show, episode, ms) triples."""
    return json.dumps(
        [
            {"endTime": "2024-03-01 07:00", "podcastName": show, "episodeName": ep, "msPlayed": ms}
            for show, ep, ms in episodes
        ]
    ).encode()


def playlists_json(playlists):
    """Playlist1.json from {playlist name: [(title, artist, track id or None), …]}."""
    return json.dumps(
        {
            "playlists": [
                {
                    "name": name,
                    "lastModifiedDate": "2024-02-01",
                    "items": [
                        {
                            "track": {
                                "trackName": title,
                                "artistName": artist,
                                "albumName": "Album",
                                "trackUri": track_uri(tid) if tid else "",
                            },
                            "episode": None,
                            "localTrack": None,
                            "addedDate": "2024-01-01",
                        }
                        for title, artist, tid in items
                    ]
                    + [
                        {
                            "track": None,
                            "episode": {"episodeName": "An episode", "showName": "A show"},
                            "localTrack": None,
                            "addedDate": "2024-01-02",
                        }
                    ],
                    "description": None,
                    "numberOfFollowers": 0,
                }
                for name, items in playlists.items()
            ]
        }
    ).encode()


def library_json(tracks, *, banned_tracks=(), banned_artists=()):
    """YourLibrary.json from (title, artist, track id or None) triples and bans."""

    def entry(title, artist, tid):
        return {
            "artist": artist,
            "album": "Album",
            "track": title,
            "uri": track_uri(tid) if tid else "",
        }

    return json.dumps(
        {
            "tracks": [entry(*t) for t in tracks],
            "albums": [{"artist": "A", "album": "B", "uri": "spotify:album:x"}],
            "shows": [],
            "episodes": [],
            "bannedTracks": [entry(*t) for t in banned_tracks],
            "artists": [],
            "bannedArtists": [{"name": a, "uri": "spotify:artist:x"} for a in banned_artists],
            "other": [],
        }
    ).encode()


def endsong_json(plays):
    """The older extended endsong_*.json, with its personal fields (which must never show)."""
    return json.dumps(
        [
            {
                "ts": f"2024-03-{day:02d}T21:15:00Z",
                "username": "secret-username",
                "platform": "Android OS",
                "ms_played": ms,
                "conn_country": "SECRETLAND",
                "ip_addr_decrypted": "203.0.113.77",
                "user_agent_decrypted": "secret-agent/1.0",
                "master_metadata_track_name": title,
                "master_metadata_album_artist_name": artist,
                "master_metadata_album_album_name": "Album",
                "spotify_track_uri": track_uri(tid) if tid else None,
                "episode_name": None,
                "episode_show_name": None,
                "spotify_episode_uri": None,
            }
            for title, artist, tid, ms, day in plays
        ]
    ).encode()


def video_json():
    """Streaming_History_Video_*.json: video episodes, no track names."""
    return json.dumps(
        [
            {
                "ts": "2024-03-01T10:00:00Z",
                "ms_played": 600_000,
                "ip_addr": "203.0.113.77",
                "master_metadata_track_name": None,
                "master_metadata_album_artist_name": None,
                "spotify_track_uri": None,
                "episode_name": None,
                "spotify_episode_uri": None,
            }
        ]
    ).encode()


# The Exportify header generations: the original, 2019-2024 ("Spotify ID"), 2024- ("Track URI").
EXPORTIFY_HEADERS = {
    "original": ["Spotify URI", "Track Name", "Artist Name", "Album Name", "Added At"],
    "2019-2024": ["Spotify ID", "Artist IDs", "Track Name", "Album Name", "Artist Name(s)"],
    "2024-": ["Track URI", "Track Name", "Album Name", "Artist Name(s)", "Release Date"],
}


def exportify_generation(generation, tracks):
    """An Exportify CSV of one header generation from (title, artists, track id) triples."""
    header = EXPORTIFY_HEADERS[generation]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for title, artists, tid in tracks:
        values = {
            "Spotify URI": track_uri(tid),
            "Spotify ID": tid,
            "Track URI": track_uri(tid),
            "Artist IDs": "x",
            "Track Name": title,
            "Artist Name": artists,
            "Artist Name(s)": artists,
            "Album Name": "Album",
            "Added At": "2024-01-01T00:00:00Z",
            "Release Date": "2020",
        }
        writer.writerow([values[c] for c in header])
    return out.getvalue().encode()
