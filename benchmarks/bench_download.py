"""First start vs later starts through the download path, against a loopback mirror.

Usage: python benchmarks/bench_download.py [--repeat N] [--data DIR]

Serves the shared development copies under their public names on 127.0.0.1 and measures,
side by side in one run:
  first start   empty cache: stream + verify the 8 files, then build the catalog;
  warm (cache)  the same settings again: sha256 check of the downloads + Parquet catalog load;
  warm (paths)  RECOMMENDER_CATALOG pointing at the same downloaded files (no manifest check).
The ratio warm(cache) / warm(paths) is the price of re-checking the downloads on each start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.data.fetch import downloads_dir  # noqa: E402
from recommender.data.store import load_catalog  # noqa: E402
from recommender.settings import Settings  # noqa: E402
from tests.mirror_server import public_files, serve  # noqa: E402


def _timed(settings: Settings) -> tuple[float, int]:
    start = time.perf_counter()
    catalog = load_catalog(settings)
    return time.perf_counter() - start, catalog.tracks.height


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = public_files([args.data], Path(tmp) / "public")
        with serve(root) as mirror:
            first: list[float] = []
            warm_cache: list[float] = []
            warm_paths: list[float] = []
            tracks = 0
            for i in range(args.repeat):
                cache = Path(tmp) / f"cache{i}"
                env = {"RECOMMENDER_MIRROR_URL": mirror.url, "RECOMMENDER_CACHE_DIR": str(cache)}
                settings = Settings.from_sources(env=env, secrets={})
                seconds, tracks = _timed(settings)
                first.append(seconds)
                warm_cache.append(_timed(settings)[0])
                files = [
                    p for p in downloads_dir(settings).rglob("*.csv") if ".partial" not in p.parts
                ]
                paths = Settings.from_sources(
                    env={**env, "RECOMMENDER_CATALOG": os.pathsep.join(map(str, sorted(files)))},
                    secrets={},
                )
                warm_paths.append(_timed(paths)[0])
    first_ms = statistics.median(first) * 1000
    cache_ms = statistics.median(warm_cache) * 1000
    paths_ms = statistics.median(warm_paths) * 1000
    print(f"catalog: {tracks:,} tracks from the loopback mirror, {args.repeat} runs, medians")
    print(f"first start (download + verify + build): {first_ms:8.0f} ms")
    print(f"warm start via the download cache:       {cache_ms:8.0f} ms")
    print(f"warm start via RECOMMENDER_CATALOG:      {paths_ms:8.0f} ms")
    print(
        f"first / warm(cache): {first_ms / cache_ms:.1f}x; warm(cache) / warm(paths): "
        f"{cache_ms / paths_ms:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
