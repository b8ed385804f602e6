"""Resolving a 10,000-song history on the reference catalog, warm (shared index, no online).

Usage: python benchmarks/bench_history_resolve.py [--songs N] [--repeat N] [--data DIR]
(``--data`` defaults to RECOMMENDER_CATALOG, else ../shared/data beside the repository)

The history is an account-data StreamingHistory file made of catalog titles (found by
title), unknown songs by catalog artists (artist average) and unknown songs, one play each.
"warm" reuses one CatalogIndex (what the app does through st.cache_resource); the figure is
the median of ``--repeat`` runs of import_history (parse + resolve every song + seeds), with
the index build beside it, and the bare ``json.loads`` of the same file in the same loop as a
reference (the ratio is the figure that survives a loaded machine). The load average is
printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument(
        "--data", default=os.environ.get("RECOMMENDER_CATALOG") or str(ROOT.parent / "shared/data")
    )
    args = parser.parse_args()
    catalog = build_catalog([Path(args.data)])
    started = time.perf_counter()
    index = CatalogIndex.build(catalog)
    build_s = time.perf_counter() - started
    data = _history(catalog, args.songs)
    times, bare = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        json.loads(data)
        bare.append(time.perf_counter() - started)
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
    ratio = statistics.median(times) / statistics.median(bare)
    print(f"reference, json.loads of the same file: median {statistics.median(bare) * 1000:.1f} ms")
    print(f"ratio: {ratio:.0f}x the bare parse")
    print(f"coverage: {result.seeds().coverage()}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
