"""Query time and memory against catalog size: the figures behind docs/benchmarks.md's cost model.

    python benchmarks/bench_cost.py ../shared/data /tmp/default-140k /tmp/songs-1m

For each catalog source (files or a folder, as ``RECOMMENDER_CATALOG`` takes them), in its own
process and a fresh cache folder: build the catalog and train (not timed here: see
``bench_scale.py``), then, in a second process that loads both from the cache as the app does,
report the model's arrays in bytes, the process RSS with catalog + model loaded, and the median
time of ``recommend`` for 50 seeds and for 1 seed (spread over the catalog) with the default
weights and after a weight change, plus the peak extra memory of one 50-seed query
(``tracemalloc``), then the RSS after building the guests' search index and its build time.
One process per catalog keeps the RSS figures apart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]

MEASURE = r"""
import json, resource, statistics, sys, time, tracemalloc
from pathlib import Path
import numpy as np
from recommender.data.store import load_catalog
from recommender.engine.model import load_or_train
from recommender.engine.recommend import RecommendOptions, recommend
from recommender.seeds.search import SearchIndex
from recommender.settings import Settings

def rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

import threadpoolctl
# As the app's server runs it (ui/loaders.py): one BLAS thread.
threadpoolctl.threadpool_limits(limits=1, user_api="blas")
settings = Settings.from_sources()
base = rss_mb()
catalog = load_catalog(settings)
after_catalog = rss_mb()
model = load_or_train(catalog, settings)
after_model = rss_mb()
arrays = {
    # ``dense`` and ``compared`` are views of ``query_t``: counted once, here.
    "query": model.query_t.nbytes,
    "ids": model.track_ids.encoded.nbytes,
    "sparse": sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
                  for m in (model.artists, model.genres, model.artists_t, model.genres_t)),
}
ids = catalog.tracks["track_id"]
step = max(len(ids) // 50, 1)
seeds = [ids[i] for i in range(0, len(ids), step)][:50]
options = RecommendOptions(per_seed=5)
changed = {"energy": 2.0, "valence": 0.25}
def timed(run, repeats):
    run()
    spent = []
    for _ in range(repeats):
        start = time.perf_counter(); run(); spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000
repeats = int(sys.argv[1])
result = {
    "tracks": catalog.tracks.height,
    "rss_start_mb": base,
    "rss_catalog_mb": after_catalog,
    "rss_model_mb": after_model,
    "model_arrays_mb": {k: v / 2**20 for k, v in arrays.items()},
    "query50_ms": timed(lambda: recommend(model, catalog, seeds, options=options), repeats),
    "query50_changed_ms": timed(
        lambda: recommend(model, catalog, seeds, weights=changed, options=options), repeats),
    "query1_ms": timed(lambda: recommend(model, catalog, seeds[:1], options=options), repeats),
}
start = time.perf_counter()
index = SearchIndex.build(catalog)
result["search_build_s"] = time.perf_counter() - start
result["search_ms"] = timed(lambda: index.search("love you baby"), repeats)
result["rss_search_mb"] = rss_mb()
tracemalloc.start()
recommend(model, catalog, seeds, options=options)
result["query50_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
print(json.dumps(result))
"""


def run(source: Path, repeats: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as cache:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECOMMENDER_")}
        env |= {
            "RECOMMENDER_CATALOG": str(source.resolve()),
            "RECOMMENDER_CACHE_DIR": cache,
            "PYTHONPATH": str(HERE),
        }
        subprocess.run(
            [sys.executable, "-m", "recommender", "train"],
            cwd=HERE,
            env=env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(repeats)],
            cwd=HERE,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path, help="one catalog source per size")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    rows = [run(source, args.repeats, args.timeout) for source in args.sources]
    print(
        f"{'tracks':>10} {'RSS libs':>9} {'+ catalog':>10} {'+ model':>9} "
        f"{'query MB':>9} {'ids MB':>7} {'sparse MB':>10} "
        f"{'50 seeds':>9} {'changed':>9} {'1 seed':>8} {'query peak':>11} "
        f"{'+ search':>9} {'search build':>13}"
    )
    for r in rows:
        arrays = r["model_arrays_mb"]
        print(
            f"{r['tracks']:>10,} {r['rss_start_mb']:>6.0f} MB {r['rss_catalog_mb']:>7.0f} MB "
            f"{r['rss_model_mb']:>6.0f} MB "
            f"{arrays['query']:>9.0f} {arrays['ids']:>7.0f} {arrays['sparse']:>10.0f} "
            f"{r['query50_ms']:>6.0f} ms "
            f"{r['query50_changed_ms']:>6.0f} ms {r['query1_ms']:>5.0f} ms "
            f"{r['query50_peak_mb']:>8.0f} MB {r['rss_search_mb']:>6.0f} MB "
            f"{r['search_build_s']:>11.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
