"""Median guest-search time on the full catalog, beside a naive polars scan in the same run.

Run: ``RECOMMENDER_CATALOG=../shared/data python benchmarks/bench_search.py``

Queries: a fixed list of things people type plus queries generated from random catalog
tracks (a title-word prefix with an artist prefix, the same with one typo, the full title).
The baseline folds every title and artist once (not timed) and answers each query with a
``str.contains`` scan per token, popularity-sorted; it has no typo tolerance, so it is a
lower bound on what a scan costs. The hit rate says how often a generated query returns the
song it was made from.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.data.store import load_catalog
from recommender.seeds.search import SearchIndex, tokens
from recommender.settings import Settings
from recommender.text import fold

TYPED = [
    "beyo hal",
    "halo beyonce",
    "daft punk",
    "bohemian rapsody",
    "tay swi",
    "queen",
    "drake gods",
    "the weeknd blinding",
    "ed sheeran shape",
    "metallica",
    "love",
    "a",
    "despacito",
    "billie eilish bad",
    "shakira",
    "eminem lose",
    "beatles let it",
    "abba dancing",
    "coldplay yelow",
    "arctic monkeys do i",
]
GENERATED = 120
REPEATS = 5


def generated_queries(
    songs: dict[str, tuple[str, tuple[str, ...]]], rng: np.random.Generator
) -> list[tuple[str, str, str]]:
    """(kind, query, track id) made from random catalog tracks with a title word of 4+ letters."""
    ids = list(songs)
    queries: list[tuple[str, str, str]] = []
    while len(queries) < GENERATED:
        track_id = ids[int(rng.integers(len(ids)))]
        name, artists = songs[track_id]
        words = [w for w in tokens(name) if len(w) >= 5]
        artist = tokens(" ".join(artists))
        if not words or not artist:
            continue
        word = words[int(rng.integers(len(words)))]
        typo_at = int(rng.integers(1, len(word) - 1))
        typo = word[:typo_at] + word[typo_at + 1 :]
        kind = ("prefix", "typo", "title")[len(queries) % 3]
        query = {
            "prefix": f"{word[:4]} {artist[0][:3]}",
            "typo": f"{typo} {artist[0]}",
            "title": f"{name} {artists[0]}",
        }[kind]
        queries.append((kind, query, track_id))
    return queries


def naive_search(haystack: pl.DataFrame, query: str, *, limit: int = 20) -> list[str]:
    words = tokens(query)
    if not words:
        return []
    condition = pl.all_horizontal(pl.col("text").str.contains(w, literal=True) for w in words)
    return (
        haystack.filter(condition)
        .sort("popularity", descending=True, nulls_last=True)
        .head(limit)["track_id"]
        .to_list()
    )


def median_ms(function: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    times = []
    for query in queries:
        best = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            function(query)
            best.append(time.perf_counter() - start)
        times.append(statistics.median(best))
    return statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    catalog = load_catalog(Settings.from_sources())
    start = time.perf_counter()
    index = SearchIndex.build(catalog)
    build_s = time.perf_counter() - start
    haystack = catalog.tracks.select(
        "track_id",
        "popularity",
        pl.concat_str(pl.col("name").fill_null(""), pl.col("artists").list.join(" "), separator=" ")
        .map_elements(lambda s: " ".join(tokens(fold(s))), return_dtype=pl.String)
        .alias("text"),
    )
    # The index shows one copy of a title by the same artists, so a hit is that song shown.
    song = {
        track_id: (name or "", tuple(artists or ()))
        for track_id, name, artists in catalog.tracks.select("track_id", "name", "artists").rows()
    }
    generated = generated_queries(song, np.random.default_rng(20260121))
    queries = TYPED + [q for _, q, _ in generated]

    index_median, index_max = median_ms(index.search, queries)
    naive_median, naive_max = median_ms(lambda q: naive_search(haystack, q), queries)

    print(f"catalog: {len(index):,} tracks, {len(index.vocabulary):,} distinct tokens")
    print(f"index build: {build_s:.2f} s (once per catalog, cached by the app)")
    print(
        f"queries: {len(TYPED)} typed + {len(generated)} generated, median of {REPEATS} runs each"
    )
    print(f"SearchIndex.search  median {index_median:6.2f} ms   max {index_max:6.2f} ms")
    print(f"naive polars scan   median {naive_median:6.2f} ms   max {naive_max:6.2f} ms")
    print(f"ratio naive / index: {naive_median / index_median:.1f}x")
    for kind in ("prefix", "typo", "title"):
        mine = [(q, song[t]) for k, q, t in generated if k == kind]
        found = sum(s in {(h.name, h.artists) for h in index.search(q)} for q, s in mine)
        naive = sum(s in {song[t] for t in naive_search(haystack, q)} for q, s in mine)
        total = len(mine)
        print(f"hit rate, {kind:<6} queries: index {found}/{total}, naive scan {naive}/{total}")


if __name__ == "__main__":
    main()
