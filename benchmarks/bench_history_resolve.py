"""Resolving a 10,000-song history on the reference catalog, warm (shared index, no online).

Usage: python benchmarks/bench_history_resolve.py [--songs N] [--repeat N] [--data DIR]

The history is an account-data StreamingHistory file made of catalog titles (found by
title), unknown songs by catalog artists (artist average) and unknown songs, one play each.
"warm" reuses one CatalogIndex (what the app does through st.cache_resource); the figure is
the median of ``--repeat`` runs of import_history (parse + resolve every song + seeds), with
the index build beside it. The machine is shared: timings are noisy; run uptime beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.data.read import build_catalog  # noqa: E402
from recommender.seeds.history import import_history  # noqa: E402
from recommender.seeds.resolve import CatalogIndex  # noqa: E402


def _history(catalog, songs: int) -> bytes:
    rows = catalog.tracks.drop_nulls("name").sample(songs, seed=7).select("name", "artists").rows()
    plays = []
    for i, (name, artists) in enumerate(rows):
        artist = artists[0] if artists else "Nobody"
        title = name if i % 3 == 0 else (f"Unreleased {i}" if i % 3 == 1 else name)
        if i % 3 == 2:
            artist = f"Unknown artist {i}"
        plays.append(
            {
                "endTime": "2024-03-01 21:15",
                "artistName": artist,
                "trackName": title,
                "msPlayed": 60_000 + i,
            }
        )
    return json.dumps(plays).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", default="/work/shared/data")
    args = parser.parse_args()
    catalog = build_catalog([Path(args.data)])
    started = time.perf_counter()
    index = CatalogIndex.build(catalog)
    build_s = time.perf_counter() - started
    data = _history(catalog, args.songs)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = import_history(
            [("StreamingHistory_music_0.json", data)], catalog=catalog, index=index
        )
        result.seeds()
        times.append(time.perf_counter() - started)
    print(f"catalog: {catalog.tracks.height:,} tracks; history: {len(result.plays):,} songs")
    print(f"index build (once per catalog): {build_s:.2f} s")
    print(
        f"import + resolve + seeds, warm: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {args.repeat} runs)"
    )
    print(f"coverage: {result.seeds().coverage()}")


if __name__ == "__main__":
    main()
