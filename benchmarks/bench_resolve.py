"""Feature resolution of 50 top tracks on the reference catalog: index per call vs shared index.

Usage: python benchmarks/bench_resolve.py [--repeat N] [--data DIR]

The 50 tracks mix the outcomes a listener's top tracks produce: catalog ids, the same songs
under other ids (found by title), unknown songs by catalog artists (artist profile) and
unknown songs. "per call" builds the CatalogIndex every time (what resolve_features does
without ``index=``); "shared" reuses one (what the app does through st.cache_resource).
Prints the medians, their ratio and the coverage report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.data.read import build_catalog  # noqa: E402
from recommender.domain import Track  # noqa: E402
from recommender.seeds.resolve import CatalogIndex, resolve_features  # noqa: E402


def _tracks(catalog, n: int = 50) -> list[Track]:
    rows = catalog.tracks.filter(catalog.tracks["name"].is_not_null()).sample(n, seed=7).to_dicts()
    tracks = []
    for i, row in enumerate(rows):
        artists = tuple(row["artists"])
        kind = i % 5
        if kind == 0:
            tracks.append(Track(f"X{i:021d}", row["name"] + " - Remastered", artists))
        elif kind == 1:
            tracks.append(Track(f"Y{i:021d}", f"Unreleased demo {i}", artists))
        elif kind == 2:
            tracks.append(Track(f"Z{i:021d}", f"Nobody knows {i}", (f"Nobody {i}",)))
        else:
            tracks.append(Track(row["track_id"], row["name"], artists))
    return tracks


def _median(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    catalog = build_catalog([args.data])
    tracks = _tracks(catalog)
    index = CatalogIndex.build(catalog)
    per_call = _median(lambda: resolve_features(tracks, catalog), args.repeat)
    shared = _median(lambda: resolve_features(tracks, catalog, index=index), args.repeat)
    report = resolve_features(tracks, catalog, index=index).report("top tracks")
    print(f"catalog: {catalog.tracks.height} tracks; {len(tracks)} tracks resolved")
    print(f"index per call: {per_call * 1000:9.1f} ms (median of {args.repeat})")
    print(f"shared index:   {shared * 1000:9.3f} ms (median of {args.repeat})")
    print(f"ratio:          {per_call / shared:9.0f}x")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
