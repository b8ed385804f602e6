"""Write a deterministic synthetic file in the "1.2M songs" ``tracks_features.csv`` layout.

    python benchmarks/make_songs_1m.py /tmp/songs-1m/tracks_features.csv [--rows 1000000] [--seed N]

Every value is made up by this script (seeded numpy; nothing is read from any dataset): about
120,000 artists with Zipf-like track counts, about 15% of rows credited to two artists (a
Python list literal ``['A', 'B']``, as the real file writes it; a name with an apostrophe is
double-quoted), made-up titles of which some carry version marks ("(Live)", " - Remastered
2011") so the same-song keys have work to do, a few accented and "feat."/"&" names so folding
and splitting do too, and year 0 ("unknown" in that file) on 2% of rows. The same arguments
always give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import polars as pl

SEED = 20261129
ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "na",
    "lu",
    "te",
    "sa",
    "vo",
    "di",
    "zen",
    "mar",
    "quo",
    "bel",
    "fi",
    "tra",
    "gon",
    "ush",
    "el",
    "ria",
    "dor",
    "pen",
    "ska",
    "lo",
    "vi",
    "nor",
    "ta",
    "bri",
    "mo",
    "cel",
    "ix",
    "ar",
    "po",
    "ly",
    "ne",
    "hu",
    "ga",
    "wen",
    "jo",
    "ze",
    "cha",
    "ste",
    "ro",
]
ACCENTED = ("é", "ö", "ñ", "ç", "å")
TITLE_MARKS = (
    " (Live)",
    " - Remastered 2011",
    " (feat. Someone Else)",
    " [Demo]",
    " - Radio Edit",
)


def _ids(rng: np.random.Generator, n: int) -> pl.Series:
    """``n`` 22-character base-62 ids (collisions at 62**22 are not a concern at 1M)."""
    chars = ALPHABET[rng.integers(0, 62, size=(n, 22))]
    return pl.Series(["".join(row) for row in chars])


def _words(rng: np.random.Generator, n: int, *, syllables: tuple[int, int]) -> np.ndarray:
    """``n`` made-up capitalised words of ``syllables`` (low, high inclusive) syllables each."""
    vocab = np.array(SYLLABLES)
    counts = rng.integers(syllables[0], syllables[1] + 1, size=n)
    parts = vocab[rng.integers(0, len(vocab), size=(n, syllables[1]))]
    words = ["".join(row[:k]).capitalize() for row, k in zip(parts, counts, strict=True)]
    return np.array(words, dtype=object)


def _artist_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct made-up artist names, a few with accents, apostrophes, "&" or "The"."""
    first = _words(rng, n, syllables=(1, 3))
    last = _words(rng, n, syllables=(2, 3))
    style = rng.random(n)
    names = []
    for i in range(n):
        name = f"{first[i]} {last[i]}"
        if style[i] < 0.03:
            name = name.replace("e", ACCENTED[i % len(ACCENTED)], 1)
        elif style[i] < 0.04:
            name = f"{first[i]}'s {last[i]}"
        elif style[i] < 0.05:
            name = f"{first[i]} & {last[i]}"
        elif style[i] < 0.15:
            name = f"The {last[i]}s"
        names.append(f"{name} {i}" if i % 7 == 0 else name)
    # Distinct by construction would need a check anyway: number the rare repeats.
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name} {count + 1}")
    return unique


def _literal(name: str) -> str:
    """One element of a Python list literal, quoted the way ``repr`` does it."""
    return repr(name)


def audio_features(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """The twelve shared audio-feature columns, with plausible made-up distributions."""
    return {
        "danceability": rng.beta(5, 3, size=rows).round(3),
        "energy": rng.beta(4, 3, size=rows).round(3),
        "key": rng.integers(0, 12, size=rows),
        "loudness": (-rng.gamma(3.0, 3.0, size=rows)).clip(-60, 0).round(3),
        "mode": (rng.random(rows) < 0.65).astype(np.int64),
        "speechiness": rng.beta(1.2, 12, size=rows).round(4),
        "acousticness": rng.beta(0.7, 1.5, size=rows).round(4),
        "instrumentalness": (rng.beta(0.3, 3, size=rows) * (rng.random(rows) < 0.4)).round(4),
        "liveness": rng.beta(1.5, 7, size=rows).round(4),
        "valence": rng.beta(2.5, 2.5, size=rows).round(3),
        "tempo": rng.normal(120, 28, size=rows).clip(40, 240).round(3),
        "duration_ms": rng.lognormal(12.3, 0.35, size=rows).clip(30_000, 3_600_000).astype(int),
    }


def make(rows: int, artists: int, *, seed: int = SEED) -> pl.DataFrame:
    """The synthetic table, deterministic for ``rows``, ``artists`` and ``seed``."""
    rng = np.random.default_rng(seed)
    names = _artist_names(rng, artists)
    artist_ids = _ids(rng, artists).to_list()
    # Zipf-like: a few artists have hundreds of tracks, most have a handful.
    weights = 1.0 / np.arange(1, artists + 1) ** 0.8
    first = rng.choice(artists, size=rows, p=weights / weights.sum())
    second = rng.integers(0, artists, size=rows)
    two = (rng.random(rows) < 0.15) & (second != first)
    literal_names = [_literal(a) for a in names]
    literal_ids = [_literal(a) for a in artist_ids]
    artists_col = [
        f"[{literal_names[a]}, {literal_names[b]}]" if pair else f"[{literal_names[a]}]"
        for a, b, pair in zip(first, second, two, strict=True)
    ]
    ids_col = [
        f"[{literal_ids[a]}, {literal_ids[b]}]" if pair else f"[{literal_ids[a]}]"
        for a, b, pair in zip(first, second, two, strict=True)
    ]
    title_words = _words(rng, rows * 3, syllables=(1, 3)).reshape(rows, 3)
    n_words = rng.integers(1, 4, size=rows)
    marks = rng.integers(0, len(TITLE_MARKS) * 8, size=rows)
    titles = [
        " ".join(words[:k]) + (TITLE_MARKS[m] if m < len(TITLE_MARKS) else "")
        for words, k, m in zip(title_words, n_words, marks, strict=True)
    ]
    album_of = rng.integers(0, max(rows // 10, 1), size=rows)
    album_titles = _words(rng, max(rows // 10, 1), syllables=(2, 4))
    album_ids = _ids(rng, max(rows // 10, 1))
    year = rng.integers(1950, 2021, size=rows)
    year[rng.random(rows) < 0.02] = 0
    return pl.DataFrame(
        {
            "id": _ids(rng, rows),
            "name": titles,
            "album": album_titles[album_of],
            "album_id": album_ids.gather(album_of),
            "artists": artists_col,
            "artist_ids": ids_col,
            "track_number": rng.integers(1, 15, size=rows),
            "disc_number": np.ones(rows, dtype=np.int64),
            "explicit": rng.random(rows) < 0.07,
            **audio_features(rng, rows),
            "time_signature": rng.choice([3, 4, 5], size=rows, p=[0.08, 0.9, 0.02]).astype(float),
            "year": year,
            "release_date": [f"{y}-01-01" if y else "0000" for y in year],
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="CSV file to write (its folder is created)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--artists", type=int, default=120_000)
    parser.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help="another seed makes other ids and artists (a second big source beside the first)",
    )
    args = parser.parse_args(argv)
    table = make(args.rows, args.artists, seed=args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    table.write_csv(args.output)
    # Ids never contain quotes: two quoted ids = a two-artist credit.
    pairs = (table["artist_ids"].str.count_matches("'") == 4).sum() / table.height
    year0 = (table["year"] == 0).sum() / table.height
    print(
        f"wrote {args.output}: {table.height:,} rows, {args.output.stat().st_size / 1e6:.0f} MB, "
        f"{table['artists'].n_unique():,} distinct credits, {pairs:.1%} two-artist, "
        f"{year0:.1%} year 0",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
