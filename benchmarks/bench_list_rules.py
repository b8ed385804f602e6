"""What the list rules cost a query: the seed-artist room and one recording once, on and off.

Usage: RECOMMENDER_CATALOG=../shared/data python benchmarks/bench_list_rules.py [--repeat 21]

Interleaved in one process on the same model: a 50-seed and a 5-seed ``recommend`` with the
shipped options, beside the same query with ``seed_artists_per_block=None`` and
``one_recording=False`` (the rules before decision 0006). Medians; the ratio is the figure.
Server-side time of the engine call alone, BLAS pinned to one thread as the app runs it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from recommender.data.store import load_catalog  # noqa: E402
from recommender.engine.model import load_or_train  # noqa: E402
from recommender.engine.recommend import RecommendOptions, recommend  # noqa: E402
from recommender.settings import Settings  # noqa: E402

WITHOUT = RecommendOptions(seed_artists_per_block=None, one_recording=False)
WITH = RecommendOptions()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    settings = Settings.from_sources()
    catalog = load_catalog(settings)
    model = load_or_train(catalog, settings)
    ids = catalog.tracks["track_id"].to_list()
    rng = np.random.default_rng(21)
    print(f"catalog: {catalog.tracks.height:,} tracks")
    for n_seeds in (50, 5):
        timings: dict[str, list[float]] = {"without the rules": [], "with the rules": []}
        for round_ in range(args.repeat):
            seeds = [ids[i] for i in rng.choice(len(ids), n_seeds, replace=False)]
            order = [("without the rules", WITHOUT), ("with the rules", WITH)]
            for name, options in order if round_ % 2 == 0 else order[::-1]:
                started = time.perf_counter()
                recommend(model, catalog, seeds, options=options)
                timings[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
        ratio = medians["with the rules"] / medians["without the rules"]
        print(
            f"{n_seeds} seeds: without {medians['without the rules']:.1f} ms, "
            f"with {medians['with the rules']:.1f} ms, ratio {ratio:.2f}x "
            f"(medians of {args.repeat})"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
