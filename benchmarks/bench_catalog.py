"""Cold build vs warm load of the catalog on the reference datasets, measured side by side.

Usage: python benchmarks/bench_catalog.py [--repeat N] [--data DIR]

Cold: an empty cache directory, so every source file is read, validated, merged and the
Parquet cache written. Warm: the same settings again, so only the fingerprint and the cached
Parquet are read. Prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.data.store import load_catalog  # noqa: E402
from recommender.settings import Settings  # noqa: E402


def _settings(data: Path, cache: Path) -> Settings:
    env = {"RECOMMENDER_CATALOG": str(data), "RECOMMENDER_CACHE_DIR": str(cache)}
    return Settings.from_sources(env=env, secrets={})


def _timed(settings: Settings) -> tuple[float, int]:
    start = time.perf_counter()
    catalog = load_catalog(settings)
    return time.perf_counter() - start, catalog.tracks.height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    cold, warm = [], []
    tracks = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            settings = _settings(args.data, Path(cache))
            seconds, tracks = _timed(settings)
            cold.append(seconds)
            warm.append(_timed(settings)[0])
    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    print(f"catalog of {tracks:,} tracks from {args.data} ({args.repeat} runs each)")
    print(f"cold build (empty cache): median {cold_median * 1000:8.1f} ms")
    print(f"warm load (Parquet cache): median {warm_median * 1000:8.1f} ms")
    print(f"cold / warm: {cold_median / warm_median:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
