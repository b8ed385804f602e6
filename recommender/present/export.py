"""CSV export of the recommendations table, safe to open in a spreadsheet.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets strip before reading a formula) is run as a formula by Excel, LibreOffice and
Google Sheets. Titles come from public data and Spotify, so such text is prefixed with a single
quote (OWASP's advice for CSV injection); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import polars as pl

from recommender.domain import TRACK_ID_PATTERN, track_url
from recommender.engine.explain import Recommendation, top_reasons
from recommender.present.listing import rows_by_id

FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Return ``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    Non-text values (numbers, booleans, None) are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, list | tuple):
        value = ", ".join(str(part) for part in value)
    if value is None:
        return ""
    return neutralise_cell(value)


def rows_to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> bytes:
    """Write ``rows`` (mappings keyed by ``columns``) as UTF-8 CSV with neutralised cells.

    Lists (e.g. artists) are joined with ", "; None becomes an empty cell.

    Raises:
        ValueError: if a row lacks one of ``columns``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_cell(name) for name in columns])
    for index, row in enumerate(rows):
        missing = [name for name in columns if name not in row]
        if missing:
            msg = f"CSV export: row {index} lacks column(s) {', '.join(missing)}"
            raise ValueError(msg)
        writer.writerow([_cell(row[name]) for name in columns])
    return buffer.getvalue().encode("utf-8")


def table_to_csv(table: pl.DataFrame) -> bytes:
    """Write a polars table as neutralised UTF-8 CSV (see :func:`rows_to_csv`)."""
    return rows_to_csv(table.columns, table.iter_rows(named=True))


TABLE_COLUMNS: Final = (
    "title",
    "artists",
    "answers seed",
    "similarity",
    "why",
    "spotify",
    "track_id",
)


def recommendation_table(
    recommendations: Sequence[Recommendation], *, seed_names: Mapping[str, str]
) -> pl.DataFrame:
    """The recommendations as the table the app shows, exports and saves, in their order.

    Args:
        recommendations: the engine's results.
        seed_names: display name of each seed id (the id itself is shown when missing).
    """
    rows = [
        {
            "title": rec.name,
            "artists": ", ".join(rec.artists),
            "answers seed": seed_names.get(rec.seed_track_id, rec.seed_track_id),
            "similarity": round(float(rec.similarity), 1),
            "why": top_reasons(rec.contributions),
            "spotify": track_url(rec.track_id),
            "track_id": rec.track_id,
        }
        for rec in recommendations
    ]
    schema = dict.fromkeys(TABLE_COLUMNS, pl.String) | {"similarity": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


# The columns of an Exportify playlist export that the catalog can fill, in Exportify's
# order, so playlist-transfer services that read Exportify files read ours too. Our own upload
# reads them back (``seeds.history_formats``).
EXPORTIFY_EXPORT_COLUMNS: Final = (
    "Track URI",
    "Track Name",
    "Artist Name(s)",
    "Album Name",
    "Album Release Date",
    "Track Duration (ms)",
    "Explicit",
    "Popularity",
)


def with_exportify_columns(
    table: pl.DataFrame, tracks: pl.DataFrame, *, synthetic: bool
) -> pl.DataFrame:
    """``table`` (with its ``track_id`` column) plus the Exportify columns, from ``tracks``.

    Rows keep their order. A demo catalog's tracks (``synthetic``) do not exist on Spotify,
    so they get no Track URI; what the catalog does not know stays empty.
    """
    # Only the table's own rows: the expressions below over a million tracks cost 0.2 s.
    listed = rows_by_id(tracks, table["track_id"].unique(maintain_order=True).to_list())
    known = listed.select(
        "track_id",
        pl.when(pl.lit(not synthetic) & pl.col("track_id").str.contains(r"^[0-9A-Za-z]{22}$"))
        .then(pl.lit("spotify:track:") + pl.col("track_id"))
        .alias("Track URI"),
        pl.col("name").alias("Track Name"),
        pl.col("artists").list.join(", ").alias("Artist Name(s)"),
        pl.col("album").alias("Album Name"),
        pl.col("year").cast(pl.String).alias("Album Release Date"),
        pl.col("duration_ms").alias("Track Duration (ms)"),
        pl.col("explicit").alias("Explicit"),
        pl.col("popularity").alias("Popularity"),
    )
    joined = table.join(known, on="track_id", how="left", maintain_order="left")
    return joined.select(*table.columns, *EXPORTIFY_EXPORT_COLUMNS)


def spotify_track_links(track_ids: Sequence[str], *, synthetic: bool) -> list[str]:
    """``https://open.spotify.com/track/<id>`` for each real Spotify id, in order, once each.

    What Spotify's own "Copy song link" puts on the clipboard; pasted into a playlist in the
    desktop app, each line becomes a track. A demo catalog's tracks (``synthetic``) and ids
    that are not Spotify ids are left out.
    """
    if synthetic:
        return []
    seen: set[str] = set()
    links = []
    for track_id in track_ids:
        if TRACK_ID_PATTERN.match(track_id) and track_id not in seen:
            seen.add(track_id)
            links.append(track_url(track_id))
    return links
