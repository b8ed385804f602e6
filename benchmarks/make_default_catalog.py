"""Write a synthetic stand-in for the default download: the three public datasets' layouts.

    python benchmarks/make_default_catalog.py /tmp/default-140k

Writes ``dataset.csv`` (Kaggle/HF layout, leading index column), ``spotify_songs.csv``
(TidyTuesday) and ``dataset-of-{60s,...,10s}.csv`` (Hit Predictor) with the real files' row
counts and shapes, every value made up by this script (seeded numpy, nothing read from the
data): Kaggle 114,000 rows over 89,741 track ids (a track listed under several of 114 genres),
";"-joined multi-artist credits, popularity and explicit; TidyTuesday 32,833 rows over 28,356
ids in 471 playlists of 6 genres, "NA" for a few missing names, artists and albums, release
dates as YYYY, YYYY-MM or YYYY-MM-DD; Hit Predictor 41,106 rows over 40,560 ids in six decade
files, "A Featuring B" credits, no popularity, year or genre. Ids overlap between the sources
as the real ones do, so the merged catalog has about 140,000 tracks. One Kaggle row has no
artist, album or title and one has duration 0 (dropped by the range check), as in the real file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.make_songs_1m import _artist_names, _ids, _words, audio_features
from tests.catalog_samples import HIT_DECADES, HIT_HEADER, KAGGLE_HEADER, TIDY_HEADER

SEED = 140_000
KAGGLE_ROWS, KAGGLE_IDS, KAGGLE_GENRES = 114_000, 89_741, 114
TIDY_ROWS, TIDY_IDS, PLAYLISTS = 32_833, 28_356, 471
HIT_ROWS, HIT_IDS = 41_106, 40_560
# Shared ids between the sources (the merged catalog is the union).
TIDY_IN_KAGGLE, HIT_IN_KAGGLE, HIT_IN_TIDY = 6_000, 8_000, 4_000
ARTISTS = 38_000
TIDY_GENRES = ("edm", "latin", "pop", "r&b", "rap", "rock")


def _repeat_ids(rng: np.random.Generator, ids: np.ndarray, rows: int) -> np.ndarray:
    """``rows`` ids: every id once, the rest repeats of random ones, shuffled."""
    extra = rng.choice(ids, size=rows - len(ids))
    return rng.permutation(np.concatenate([ids, extra]))


def make(target: Path) -> dict[str, int]:
    rng = np.random.default_rng(SEED)
    names = np.array(_artist_names(rng, ARTISTS), dtype=object)
    pool = _ids(rng, KAGGLE_IDS + TIDY_IDS + HIT_IDS).to_numpy()
    kaggle_ids = pool[:KAGGLE_IDS]
    tidy_ids = np.concatenate(
        [kaggle_ids[:TIDY_IN_KAGGLE], pool[KAGGLE_IDS : KAGGLE_IDS + TIDY_IDS - TIDY_IN_KAGGLE]]
    )
    hit_own = HIT_IDS - HIT_IN_KAGGLE - HIT_IN_TIDY
    hit_ids = np.concatenate(
        [
            kaggle_ids[-HIT_IN_KAGGLE:],
            tidy_ids[-HIT_IN_TIDY:],
            pool[KAGGLE_IDS + TIDY_IDS : KAGGLE_IDS + TIDY_IDS + hit_own],
        ]
    )
    # One artist and one title per id, whichever file lists it (credits differ by source).
    all_ids = np.unique(np.concatenate([kaggle_ids, tidy_ids, hit_ids]))
    weights = 1.0 / np.arange(1, ARTISTS + 1) ** 0.7
    artist_of = dict(
        zip(all_ids, rng.choice(ARTISTS, size=len(all_ids), p=weights / weights.sum()), strict=True)
    )
    guest_of = dict(zip(all_ids, rng.integers(0, ARTISTS, size=len(all_ids)), strict=True))
    words = _words(rng, len(all_ids) * 3, syllables=(1, 3)).reshape(-1, 3)
    counts = rng.integers(1, 4, size=len(all_ids))
    title_of = {track: " ".join(w[:k]) for track, w, k in zip(all_ids, words, counts, strict=True)}
    albums = _words(rng, 20_000, syllables=(2, 4))
    target.mkdir(parents=True, exist_ok=True)

    # Kaggle / Hugging Face: 114 genres x 1,000 rows; ';'-joined credits for about 30%.
    ids = _repeat_ids(rng, kaggle_ids, KAGGLE_ROWS)
    multi = rng.random(KAGGLE_ROWS) < 0.3
    kaggle = pl.DataFrame(
        {
            "": np.arange(KAGGLE_ROWS),
            "track_id": ids,
            "artists": [
                f"{names[artist_of[t]]};{names[guest_of[t]]}" if m else names[artist_of[t]]
                for t, m in zip(ids, multi, strict=True)
            ],
            "album_name": albums[rng.integers(0, len(albums), size=KAGGLE_ROWS)],
            "track_name": [title_of[t] for t in ids],
            "popularity": np.where(
                rng.random(KAGGLE_ROWS) < 0.14, 0, rng.integers(1, 101, size=KAGGLE_ROWS)
            ),
            "explicit": np.where(rng.random(KAGGLE_ROWS) < 0.09, "True", "False"),
            **audio_features(rng, KAGGLE_ROWS),
            "time_signature": rng.choice(
                [0, 1, 3, 4, 5], size=KAGGLE_ROWS, p=[0.001, 0.008, 0.08, 0.895, 0.016]
            ),
            "track_genre": np.repeat([f"genre-{g:03d}" for g in range(KAGGLE_GENRES)], 1000),
        }
    )
    kaggle = kaggle.with_columns(
        pl.when(pl.int_range(pl.len()) == 65_900).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("artists", "album_name", "track_name")
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 12_000)
        .then(0)
        .otherwise(pl.col("duration_ms"))
        .alias("duration_ms")
    )
    kaggle.select(["", *KAGGLE_HEADER]).write_csv(target / "dataset.csv")

    # TidyTuesday: tracks listed in several playlists; "NA" for missing values.
    ids = _repeat_ids(rng, tidy_ids, TIDY_ROWS)
    playlist = rng.integers(0, PLAYLISTS, size=TIDY_ROWS)
    year = rng.integers(1957, 2021, size=TIDY_ROWS)
    form = rng.random(TIDY_ROWS)
    tidy = pl.DataFrame(
        {
            "track_id": ids,
            "track_name": [title_of[t] for t in ids],
            "track_artist": [names[artist_of[t]] for t in ids],
            "track_popularity": rng.integers(0, 101, size=TIDY_ROWS),
            "track_album_id": _ids(rng, TIDY_ROWS),
            "track_album_name": albums[rng.integers(0, len(albums), size=TIDY_ROWS)],
            "track_album_release_date": [
                str(y)
                if f < 0.08
                else f"{y}-0{1 + y % 9}"
                if f < 0.1
                else f"{y}-0{1 + y % 9}-1{y % 10}"
                for y, f in zip(year, form, strict=True)
            ],
            "playlist_name": [f"Made-up Mix {p}" for p in playlist],
            "playlist_id": _ids(rng, PLAYLISTS).gather(playlist),
            "playlist_genre": np.array(TIDY_GENRES)[playlist % len(TIDY_GENRES)],
            "playlist_subgenre": [f"sub-{p % 24}" for p in playlist],
            **audio_features(rng, TIDY_ROWS),
        }
    )
    missing = pl.int_range(pl.len()).is_in([101, 2_002, 15_003, 20_004, 30_005])
    tidy = tidy.with_columns(
        pl.when(missing).then(pl.lit("NA")).otherwise(pl.col(c)).alias(c)
        for c in ("track_name", "track_artist", "track_album_name")
    )
    tidy.select(TIDY_HEADER).write_csv(target / "spotify_songs.csv")

    # Hit Predictor: six decade files; a few tracks in two decades; Billboard-style credits.
    ids = _repeat_ids(rng, hit_ids, HIT_ROWS)
    featuring = rng.random(HIT_ROWS) < 0.12
    hit = pl.DataFrame(
        {
            "track": [title_of[t] for t in ids],
            "artist": [
                f"{names[artist_of[t]]} Featuring {names[guest_of[t]]}"
                if f
                else names[artist_of[t]]
                for t, f in zip(ids, featuring, strict=True)
            ],
            "uri": [f"spotify:track:{t}" for t in ids],
            **audio_features(rng, HIT_ROWS),
            "time_signature": rng.choice([1, 3, 4, 5], size=HIT_ROWS, p=[0.01, 0.09, 0.88, 0.02]),
            "chorus_hit": rng.gamma(4, 10, size=HIT_ROWS).round(5),
            "sections": rng.integers(3, 20, size=HIT_ROWS),
            "target": rng.integers(0, 2, size=HIT_ROWS),
        }
    )
    decade = np.sort(rng.integers(0, len(HIT_DECADES), size=HIT_ROWS))
    for i, name in enumerate(HIT_DECADES):
        hit.filter(pl.Series(decade == i)).select(HIT_HEADER).write_csv(
            target / f"dataset-of-{name}.csv"
        )
    return {"kaggle": KAGGLE_ROWS, "tidytuesday": TIDY_ROWS, "hitpredictor": HIT_ROWS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="folder to write the eight files into")
    args = parser.parse_args(argv)
    rows = make(args.target)
    print(f"wrote {args.target}: " + ", ".join(f"{k} {v:,} rows" for k, v in rows.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
