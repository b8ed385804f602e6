"""Source adapters: recognise a dataset by its header and map its rows to the canonical columns.

Every adapter returns the catalog columns (``CATALOG_SCHEMA``) still loosely typed: numbers may
be strings, so one validation step in ``read.py`` parses and range-checks every source alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl
from polars.datatypes import DataTypeClass

from recommender.domain import CATALOG_SCHEMA

# Columns every CSV source carries under the same name and meaning, in their published order.
SHARED_FEATURES: Final = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
)

# A Python list literal element: '...' or "..." with backslash escapes (repr() of a str).
_PY_STRING: Final = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
# Release dates come as YYYY, YYYY-MM or YYYY-MM-DD; anything else stays raw and fails parsing.
_RELEASE_YEAR: Final = r"^(\d{4})(?:-\d{2}){0,2}$"


@dataclass(frozen=True, slots=True)
class Adapter:
    """One supported source format.

    Attributes:
        kind: short name, also the source name recorded in the catalog's ``sources`` lists.
        label: what a person would call the dataset (used in error messages).
        columns: header columns that identify the format, in the source's order (extra
            columns are ignored).
        precedence: lower wins when sources disagree about a track (see ``SOURCE_PRECEDENCE``).
        null_values: strings the source writes for a missing value.
        to_canonical: maps the raw frame (every column a string) to the catalog columns.
    """

    kind: str
    label: str
    columns: tuple[str, ...]
    precedence: int
    null_values: tuple[str, ...]
    to_canonical: Callable[[pl.DataFrame], pl.DataFrame]

    @property
    def required(self) -> frozenset[str]:
        """The identifying columns as a set."""
        return frozenset(self.columns)

    def header_text(self) -> str:
        """The identifying columns, for "accepted headers" messages."""
        if not self.columns:
            return "every CATALOG_SCHEMA column"
        own = [c for c in self.columns if c not in SHARED_FEATURES]
        return ", ".join(own) + f" and the {len(SHARED_FEATURES)} audio-feature columns"


def _null(dtype: pl.DataType | DataTypeClass) -> pl.Expr:
    return pl.lit(None, dtype=dtype)


def _one_item_list(column: str) -> pl.Expr:
    # A missing value stays a null list, never [null].
    return (
        pl.when(pl.col(column).is_not_null())
        .then(pl.concat_list(pl.col(column)))
        .otherwise(_null(pl.List(pl.String)))
    )


def _source(kind: str) -> pl.Expr:
    return pl.concat_list(pl.lit(kind, dtype=pl.String)).alias("sources")


def _finish(frame: pl.DataFrame, exprs: dict[str, pl.Expr]) -> pl.DataFrame:
    return frame.select(*(exprs[name].alias(name) for name in CATALOG_SCHEMA))


def _features() -> dict[str, pl.Expr]:
    return {name: pl.col(name) for name in SHARED_FEATURES}


def _tidytuesday(frame: pl.DataFrame) -> pl.DataFrame:
    release = pl.col("track_album_release_date")
    return _finish(
        frame,
        {
            "track_id": pl.col("track_id"),
            "name": pl.col("track_name"),
            # The dataset credits one artist per track; splitting would break "Earth, Wind & Fire".
            "artists": _one_item_list("track_artist"),
            "album": pl.col("track_album_name"),
            "year": pl.coalesce(release.str.extract(_RELEASE_YEAR, 1), release),
            "popularity": pl.col("track_popularity"),
            "explicit": _null(pl.String),
            **_features(),
            "time_signature": _null(pl.String),
            "genres": _one_item_list("playlist_genre"),
            "sources": _source("tidytuesday"),
        },
    )


def _kaggle(frame: pl.DataFrame) -> pl.DataFrame:
    return _finish(
        frame,
        {
            "track_id": pl.col("track_id"),
            "name": pl.col("track_name"),
            "artists": pl.col("artists").str.split(";").list.eval(pl.element().str.strip_chars()),
            "album": pl.col("album_name"),
            "year": _null(pl.String),
            "popularity": pl.col("popularity"),
            "explicit": pl.col("explicit"),
            **_features(),
            "time_signature": pl.col("time_signature"),
            "genres": _one_item_list("track_genre"),
            "sources": _source("kaggle"),
        },
    )


def _hit_predictor(frame: pl.DataFrame) -> pl.DataFrame:
    return _finish(
        frame,
        {
            "track_id": pl.col("uri").str.strip_prefix("spotify:track:"),
            "name": pl.col("track"),
            # Billboard-style credits ("A Featuring B") are kept whole, as the source gives them.
            "artists": _one_item_list("artist"),
            "album": _null(pl.String),
            # Only the decade is known; a decade is not a release year, so year stays null.
            "year": _null(pl.String),
            "popularity": _null(pl.String),
            "explicit": _null(pl.String),
            **_features(),
            "time_signature": pl.col("time_signature"),
            "genres": _null(pl.List(pl.String)),
            "sources": _source("hit_predictor"),
        },
    )


def parse_python_list(column: str) -> pl.Expr:
    """Parse a Python list literal of strings, e.g. ``['A', "Guns N' Roses"]``, into a list."""
    items = pl.col(column).str.extract_all(_PY_STRING)
    return items.list.eval(
        pl.element().str.slice(1, pl.element().str.len_chars() - 2).str.replace_all(r"\\(.)", "$1")
    )


def _tracks_1_2m(frame: pl.DataFrame) -> pl.DataFrame:
    year = pl.col("year")
    return _finish(
        frame,
        {
            "track_id": pl.col("id"),
            "name": pl.col("name"),
            "artists": parse_python_list("artists"),
            "album": pl.col("album"),
            # The dataset writes 0 for an unknown year.
            "year": pl.when(year.str.strip_chars() == "0").then(_null(pl.String)).otherwise(year),
            "popularity": _null(pl.String),
            "explicit": pl.col("explicit"),
            **_features(),
            "time_signature": pl.col("time_signature"),
            "genres": _null(pl.List(pl.String)),
            "sources": _source("tracks_1_2m"),
        },
    )


def _spotify_1m(frame: pl.DataFrame) -> pl.DataFrame:
    return _finish(
        frame,
        {
            "track_id": pl.col("track_id"),
            "name": pl.col("track_name"),
            # One artist per row, as the source credits it (no list to split).
            "artists": _one_item_list("artist_name"),
            "album": _null(pl.String),
            "year": pl.col("year"),
            "popularity": pl.col("popularity"),
            "explicit": _null(pl.String),
            **_features(),
            "time_signature": pl.col("time_signature"),
            "genres": _one_item_list("genre"),
            "sources": _source("spotify_1m"),
        },
    )


def _canonical_parquet(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = {name: pl.col(name) for name in CATALOG_SCHEMA}
    exprs["sources"] = (
        pl.when(pl.col("sources").list.len() > 0)
        .then(pl.col("sources"))
        .otherwise(pl.concat_list(pl.lit("parquet", dtype=pl.String)))
    )
    return _finish(frame, exprs)


PARQUET: Final = Adapter(
    kind="parquet",
    label="Parquet file in the canonical catalog schema",
    columns=(),
    precedence=0,
    null_values=(),
    to_canonical=_canonical_parquet,
)

# Highest precedence first. A canonical Parquet file is a curated catalog, so it wins.
# TidyTuesday and Hit Predictor agree exactly on every shared track, so their (older) analysis
# outranks the re-analysed Kaggle values; the 1.2M set sits between them.
CSV_ADAPTERS: Final = (
    Adapter(
        kind="tidytuesday",
        label="TidyTuesday spotify_songs.csv",
        columns=(
            "track_id",
            "track_name",
            "track_artist",
            "track_popularity",
            "track_album_name",
            "track_album_release_date",
            "playlist_name",
            "playlist_id",
            "playlist_genre",
            "playlist_subgenre",
            *SHARED_FEATURES,
        ),
        precedence=1,
        null_values=("NA",),
        to_canonical=_tidytuesday,
    ),
    Adapter(
        kind="hit_predictor",
        label="Spotify Hit Predictor dataset-of-<decade>.csv",
        columns=("track", "artist", "uri", *SHARED_FEATURES, "time_signature", "target"),
        precedence=2,
        null_values=(),
        to_canonical=_hit_predictor,
    ),
    Adapter(
        kind="tracks_1_2m",
        label='"1.2M songs" tracks_features.csv',
        columns=(
            "id",
            "name",
            "album",
            "album_id",
            "artists",
            "artist_ids",
            "explicit",
            *SHARED_FEATURES,
            "time_signature",
            "year",
        ),
        precedence=3,
        null_values=(),
        to_canonical=_tracks_1_2m,
    ),
    Adapter(
        kind="kaggle",
        label='Kaggle/HF "Spotify Tracks Dataset" dataset.csv',
        columns=(
            "track_id",
            "artists",
            "album_name",
            "track_name",
            "popularity",
            "explicit",
            *SHARED_FEATURES,
            "time_signature",
            "track_genre",
        ),
        precedence=4,
        null_values=(),
        to_canonical=_kaggle,
    ),
    Adapter(
        kind="spotify_1m",
        label='"Spotify 1 Million Tracks" spotify_data.csv',
        columns=(
            "artist_name",
            "track_name",
            "track_id",
            "popularity",
            "year",
            "genre",
            *SHARED_FEATURES,
            "time_signature",
        ),
        # Last: an optional source added after the others; it fills what they lack.
        precedence=5,
        null_values=(),
        to_canonical=_spotify_1m,
    ),
)

ADAPTERS: Final = (PARQUET, *CSV_ADAPTERS)
# Which source wins a shared track, and why this order: docs/decisions/0003-source-precedence.md.
SOURCE_PRECEDENCE: Final = tuple(a.kind for a in sorted(ADAPTERS, key=lambda a: a.precedence))


def match_csv_header(header: Sequence[str]) -> Adapter | None:
    """Return the adapter whose identifying columns are all in ``header``, if any.

    The Kaggle file's leading index column (``""``, ``"Unnamed: 0"`` or none) is simply an
    extra column, so all three spellings match.
    """
    columns = {name.strip() for name in header}
    for adapter in CSV_ADAPTERS:
        if adapter.required <= columns:
            return adapter
    return None


def playlist_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """TidyTuesday playlist membership (PLAYLIST_SCHEMA columns) from its raw rows."""
    return frame.select(
        "track_id", "playlist_id", "playlist_name", "playlist_genre", "playlist_subgenre"
    )
