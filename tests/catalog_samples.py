"""Hand-made source files for the catalog tests: made-up rows in each dataset's header layout.

Tests write these into tmp_path; nothing here is cut from the real datasets.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

FEATURES: dict[str, Any] = {
    "danceability": 0.5,
    "energy": 0.6,
    "key": 5,
    "loudness": -7.5,
    "mode": 1,
    "speechiness": 0.05,
    "acousticness": 0.2,
    "instrumentalness": 0.0,
    "liveness": 0.1,
    "valence": 0.4,
    "tempo": 120.0,
    "duration_ms": 200_000,
}
_FEATURE_ORDER = list(FEATURES)

TIDY_HEADER = [
    "track_id",
    "track_name",
    "track_artist",
    "track_popularity",
    "track_album_id",
    "track_album_name",
    "track_album_release_date",
    "playlist_name",
    "playlist_id",
    "playlist_genre",
    "playlist_subgenre",
    *_FEATURE_ORDER,
]
KAGGLE_HEADER = [
    "track_id",
    "artists",
    "album_name",
    "track_name",
    "popularity",
    "duration_ms",
    "explicit",
    *[f for f in _FEATURE_ORDER if f != "duration_ms"],
    "time_signature",
    "track_genre",
]
HIT_HEADER = [
    "track",
    "artist",
    "uri",
    *_FEATURE_ORDER,
    "time_signature",
    "chorus_hit",
    "sections",
    "target",
]
MILLION_HEADER = [
    "id",
    "name",
    "album",
    "album_id",
    "artists",
    "artist_ids",
    "track_number",
    "disc_number",
    "explicit",
    *[f for f in _FEATURE_ORDER if f != "duration_ms"],
    "duration_ms",
    "time_signature",
    "year",
    "release_date",
]


def made_id(n: int, prefix: str = "Made") -> str:
    """A made-up but well-formed 22-character track id."""
    return f"{prefix}{n:0{22 - len(prefix)}d}"


def tidy_row(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "track_id": made_id(n),
        "track_name": f"Song {n}",
        "track_artist": f"Artist {n}",
        "track_popularity": 50,
        "track_album_id": made_id(n, "Album"),
        "track_album_name": f"Album {n}",
        "track_album_release_date": "2019-06-14",
        "playlist_name": "Made-up Mix",
        "playlist_id": made_id(1, "List"),
        "playlist_genre": "pop",
        "playlist_subgenre": "dance pop",
        **FEATURES,
        **overrides,
    }


def kaggle_row(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "track_id": made_id(n),
        "artists": f"Artist {n};Guest {n}",
        "album_name": f"Album {n}",
        "track_name": f"Song {n}",
        "popularity": 40,
        "explicit": "False",
        **FEATURES,
        "time_signature": 4,
        "track_genre": "indie",
        **overrides,
    }


def hit_row(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "track": f"Song {n}",
        "artist": f"Artist {n}",
        "uri": f"spotify:track:{made_id(n)}",
        **FEATURES,
        "time_signature": 4,
        "chorus_hit": 30.5,
        "sections": 9,
        "target": 1,
        **overrides,
    }


def million_row(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "id": made_id(n),
        "name": f"Song {n}",
        "album": f"Album {n}",
        "album_id": made_id(n, "Album"),
        "artists": repr([f"Artist {n}"]),
        "artist_ids": repr([made_id(n, "Artist")]),
        "track_number": 1,
        "disc_number": 1,
        "explicit": "False",
        **FEATURES,
        "time_signature": 4,
        "year": 1999,
        "release_date": "1999-01-01",
        **overrides,
    }


SPOTIFY_1M_HEADER = [
    "",
    "artist_name",
    "track_name",
    "track_id",
    "popularity",
    "year",
    "genre",
    *_FEATURE_ORDER,
    "time_signature",
]


def spotify_1m_row(n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "": n,
        "artist_name": f"Artist {n}",
        "track_name": f"Song {n}",
        "track_id": made_id(n),
        "popularity": 40,
        "year": 2015,
        "genre": "acoustic",
        **FEATURES,
        "time_signature": 4,
        **overrides,
    }


def csv_bytes(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """CSV text (LF line ends) with ``None`` written as an empty field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in header])
    return out.getvalue().encode("utf-8")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Path:
    path.write_bytes(csv_bytes(header, rows))
    return path


def write_zip(path: Path, members: Mapping[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


# --------------------------------------------------------------------------- the public files

HIT_DECADES = ("60s", "70s", "80s", "90s", "00s", "10s")
PUBLIC_ROWS = 1_100  # above the downloader's MIN_ROWS, so every file is accepted
# A track that two Hit Predictor decade files credit differently (the real files do this):
# the catalog must not depend on which file is read first.
TWICE_CREDITED = made_id(90_001)
# A TidyTuesday row whose artist is the literal NA (a missing value; the real file has four).
NO_ARTIST = made_id(90_002)


def _hit_rows(decade_index: int) -> list[dict[str, Any]]:
    start = 10_000 + decade_index * PUBLIC_ROWS
    rows = [hit_row(n) for n in range(start, start + PUBLIC_ROWS)]
    if decade_index == 0:
        rows.append(hit_row(90_001, track="Runnin'", artist="Pac, Notorious, Radio & Stretch"))
    if decade_index == 4:
        rows.append(
            hit_row(90_001, track="Runnin (Dying To Live)", artist="Pac Featuring Notorious")
        )
    return rows


def public_tables() -> dict[str, bytes]:
    """Made-up files under the eight public names the downloader asks a mirror for.

    Overlaps like the real files': TidyTuesday and Kaggle share 100 tracks, the Kaggle file
    credits several artists per track and folds to some of TidyTuesday's ("Beyoncé" /
    "Beyonce"), one track is in two decade files under different credits, one has no artist.
    """
    tidy = [tidy_row(n) for n in range(PUBLIC_ROWS)]
    tidy.append(tidy_row(90_002, track_artist="NA"))
    tidy.append(tidy_row(90_003, track_artist="Beyoncé"))
    kaggle = [kaggle_row(n) for n in range(PUBLIC_ROWS - 100, 2 * PUBLIC_ROWS - 100)]
    kaggle.append(kaggle_row(90_004, artists="Beyonce;JAY-Z"))
    # Like the published file, the Kaggle table starts with an unnamed index column.
    indexed = [{"Unnamed: 0": i, **row} for i, row in enumerate(kaggle)]
    files = {
        "dataset.csv": csv_bytes(["Unnamed: 0", *KAGGLE_HEADER], indexed),
        "spotify_songs.csv": csv_bytes(TIDY_HEADER, tidy),
    }
    for i, decade in enumerate(HIT_DECADES):
        files[f"dataset-of-{decade}.csv"] = csv_bytes(HIT_HEADER, _hit_rows(i))
    return files


def write_public_files(target: Path) -> Path:
    """``public_tables()`` written into ``target`` (a mirror's folder); returns ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name, data in public_tables().items():
        (target / name).write_bytes(data)
    return target


def write_zipped_files(target: Path) -> Path:
    """The same tables as users download them: the Kaggle and Hit Predictor sets as zips.

    The zip holds the decade files in name order (00s first), the reverse of the order the
    downloader fetches them in, so a build that depended on file order would show it.
    """
    target.mkdir(parents=True, exist_ok=True)
    tables = public_tables()
    (target / "spotify_songs.csv").write_bytes(tables.pop("spotify_songs.csv"))
    write_zip(target / "archive.zip", {"dataset.csv": tables.pop("dataset.csv")})
    write_zip(target / "hit-predictor.zip", dict(sorted(tables.items())))
    return target
