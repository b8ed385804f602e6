"""``search``: find track ids by title or artist, with the app's own search index."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import polars as pl

from recommender.cli.args import positive_int
from recommender.data.detect import CatalogError
from recommender.data.store import load_catalog
from recommender.seeds.search import SearchIndex
from recommender.settings import Settings

DEFAULT_LIMIT = 20


def _rows(
    catalog_tracks: pl.DataFrame, index: SearchIndex, query: str, limit: int
) -> list[dict[str, Any]]:
    hits = index.search(query, limit=limit)
    ids = [hit.track_id for hit in hits]
    details = {
        row["track_id"]: row
        for row in catalog_tracks.filter(pl.col("track_id").is_in(ids))
        .select("track_id", "album", "year")
        .iter_rows(named=True)
    }
    return [
        {
            "track_id": hit.track_id,
            "name": hit.name,
            "artists": list(hit.artists),
            "album": details[hit.track_id]["album"],
            "year": details[hit.track_id]["year"],
            "popularity": hit.popularity,
            "match": hit.kind,
        }
        for hit in hits
    ]


def _print_table(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        album = row["album"] or "album unknown"
        year = row["year"] or "year unknown"
        typo = "  (one typo forgiven)" if row["match"] == "fuzzy" else ""
        artists = ", ".join(row["artists"])
        print(f"{row['track_id']}  {row['name']} - {artists}  [{album}, {year}]{typo}")


def _run_search(args: argparse.Namespace) -> int:
    query = args.query.strip()
    if not query:
        print("search: give a title, artist or track id to look for", file=sys.stderr)
        return 2
    try:
        catalog = load_catalog(Settings.from_sources())
    except (CatalogError, OSError, ValueError) as exc:
        print(f"search: {exc}", file=sys.stderr)
        return 2
    # The same index the app's search box uses (seeds.search), so both find the same tracks.
    rows = _rows(catalog.tracks, SearchIndex.build(catalog), query, args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_table(rows)
    if not rows:
        print(
            f"search: nothing in the {catalog.tracks.height:,}-track catalog matches {query!r}; "
            "try fewer letters or one word",
            file=sys.stderr,
        )
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``search QUERY [--limit N] [--json]``."""
    parser = subparsers.add_parser(
        "search",
        help="find tracks by title or artist (prefixes and one typo allowed) and print their ids",
        description="Search the catalog like the app's search box: every word may be a "
        "prefix, a word of 4+ letters may hold one typo, a pasted id, URI or link finds that "
        "track. Prints id, title, artists, album and year, best match first; exit 1 when "
        "nothing matches.",
    )
    parser.add_argument("query", metavar="QUERY", help='e.g. "bohemian rhapsody" or "beyo hal"')
    parser.add_argument(
        "--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N", help="at most N results"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run_search)
