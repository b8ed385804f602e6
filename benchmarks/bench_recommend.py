"""Benchmark the engine beside plain scikit-learn brute force, measured in the same run.

    RECOMMENDER_CATALOG=../shared/data python benchmarks/bench_recommend.py

Prints medians for: warm catalog load, train, warm model load, recommend for 50 seeds with
default weights and after a weight change, each beside its plain reference; then the same
query on a synthetic catalog of 1,000,000 tracks (time per query, peak memory).

References (all on the same standardised matrix the engine uses):
- "dense": ``NearestNeighbors(algorithm="brute")`` fitted on the re-weighted dense block
  (audio features, popularity, year, key, unknown flags) and queried for the 50 seeds. It
  lacks the artist and genre one-hots, so it is a floor: less work than the engine does.
- "full": the same over the whole re-weighted matrix (dense + artist + genre) as scipy CSR,
  the plainest way to give scikit-learn the same information.
- "kd-tree": ``NearestNeighbors(algorithm="kd_tree")`` refitted on the re-weighted dense block,
  what a weight change costs when an index has to be rebuilt. (With 31 dense columns,
  ``algorithm="auto"`` would itself choose brute force.)
"""

from __future__ import annotations

import argparse
import gc
import itertools
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.data.store import load_catalog
from recommender.domain import CATALOG_SCHEMA, Catalog
from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    LAYOUT,
    WEIGHT_NAMES,
    WeightVector,
    raw_features,
)
from recommender.engine.model import TrackModel, load_or_train, train
from recommender.engine.recommend import RecommendOptions, recommend
from recommender.settings import Settings

N_SEEDS = 50
PER_SEED = 5


def median_ms(run: Callable[[], object], repeats: int) -> float:
    return paired_ms([run], repeats)[0]


def paired_ms(runs: list[Callable[[], object]], repeats: int) -> list[float]:
    """Median milliseconds of each run, interleaved so background load hits all alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, spent in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def row(label: str, ours: float, reference: float | None = None, ref_label: str = "") -> None:
    if reference is None:
        print(f"{label:<44} {ours:>10.1f} ms")
    else:
        print(
            f"{label:<44} {ours:>10.1f} ms   {ref_label:<22} {reference:>9.1f} ms   "
            f"ratio {ours / reference:5.2f}x"
        )


def reweighted_dense(model: TrackModel, weights: dict[str, float]) -> np.ndarray:
    w = WeightVector.of(weights).values
    return model.dense * w[LAYOUT.value_owner_index].astype(np.float32)


def reweighted_full(model: TrackModel, weights: dict[str, float]) -> sp.csr_matrix:
    w = WeightVector.of(weights).values
    return sp.hstack(
        [
            sp.csr_matrix(reweighted_dense(model, weights)),
            model.artists * np.float32(w[WEIGHT_NAMES.index("artist")]),
            model.genres * np.float32(w[WEIGHT_NAMES.index("genre")]),
        ],
        format="csr",
    )


def reference_query(matrix, seeds: np.ndarray, *, algorithm: str = "brute") -> None:
    index = NearestNeighbors(algorithm=algorithm).fit(matrix)
    index.kneighbors(matrix[seeds], n_neighbors=PER_SEED + 1)


def query_rows(
    model: TrackModel, catalog: Catalog, seeds: list[str], repeats: int, label: str
) -> None:
    seed_rows = np.array([model.index[s] for s in seeds])
    options = RecommendOptions(per_seed=PER_SEED)
    defaults = dict(DEFAULT_WEIGHTS)
    ours, dense = paired_ms(
        [
            lambda: recommend(model, catalog, seeds, options=options),
            lambda: reference_query(reweighted_dense(model, defaults), seed_rows),
        ],
        repeats,
    )
    row(f"{label}recommend, 50 seeds, default weights", ours, dense, "sklearn brute (dense)")
    changes = itertools.cycle(np.linspace(0.1, 3.0, 17))

    def changed() -> dict[str, float]:
        return {**defaults, "energy": float(next(changes)), "artist": float(next(changes))}

    ours_changed, dense_changed = paired_ms(
        [
            lambda: recommend(model, catalog, seeds, weights=changed(), options=options),
            lambda: reference_query(reweighted_dense(model, changed()), seed_rows),
        ],
        repeats,
    )
    row(
        f"{label}recommend after a weight change",
        ours_changed,
        dense_changed,
        "sklearn brute (dense)",
    )
    if model.n_tracks <= 200_000:
        few = max(3, repeats // 3)
        ours_few, full, kd = paired_ms(
            [
                lambda: recommend(model, catalog, seeds, weights=changed(), options=options),
                lambda: reference_query(reweighted_full(model, changed()), seed_rows),
                lambda: reference_query(
                    reweighted_dense(model, changed()), seed_rows, algorithm="kd_tree"
                ),
            ],
            few,
        )
        row(f"{label}recommend after a weight change", ours_few, full, "sklearn brute (full)")
        row(f"{label}recommend after a weight change", ours_few, kd, "sklearn kd-tree refit")
    one = median_ms(lambda: recommend(model, catalog, seeds[:1], options=options), repeats)
    row(f"{label}recommend, 1 seed", one)


def bench_reference(settings: Settings, repeats: int) -> None:
    catalog = load_catalog(settings)  # builds the Parquet cache if needed
    parquet = sorted(settings.cache_dir.rglob("*.parquet"))
    if parquet:
        load, plain = paired_ms(
            [lambda: load_catalog(settings), lambda: pl.read_parquet(parquet[0])], repeats
        )
        row("warm catalog load", load, plain, "plain pl.read_parquet")
    else:
        row("warm catalog load", median_ms(lambda: load_catalog(settings), repeats))
    print(f"  ({catalog.tracks.height:,} tracks)")

    def plain_fit() -> None:
        raw, _ = raw_features(catalog.tracks)
        scaled = np.nan_to_num(StandardScaler().fit_transform(raw))
        NearestNeighbors(algorithm="brute").fit(scaled)

    trained, plain_trained = paired_ms([lambda: train(catalog), plain_fit], max(3, repeats // 5))
    row("train", trained, plain_trained, "StandardScaler+brute fit")
    with tempfile.TemporaryDirectory() as folder:
        model_settings = Settings.from_sources(env={"RECOMMENDER_CACHE_DIR": folder}, secrets={})
        model = load_or_train(catalog, model_settings)
        warm = median_ms(lambda: load_or_train(catalog, model_settings), max(3, repeats // 5))
        row("warm model load (joblib artifact)", warm)
    rng = np.random.default_rng(0)
    seeds = [model.track_ids[i] for i in rng.choice(model.n_tracks, N_SEEDS, replace=False)]
    query_rows(model, catalog, seeds, repeats, "")


def synthetic_catalog(n: int, rng: np.random.Generator) -> Catalog:
    n_artists = max(10, n // 4)
    genres = [f"genre {i}" for i in range(120)]
    artist_ids = rng.integers(0, n_artists, n)
    genre_ids = rng.integers(0, len(genres), n)
    has_genre = rng.random(n) < 0.5
    columns = {
        "track_id": [f"S{i:021d}" for i in range(n)],
        "name": [f"Synthetic song {i}" for i in range(n)],
        "artists": [[f"Artist {a}"] for a in artist_ids],
        "album": None,
        "year": np.where(rng.random(n) < 0.4, rng.integers(1950, 2026, n), 0),
        "popularity": np.where(rng.random(n) < 0.5, rng.integers(0, 101, n), -1),
        "explicit": None,
        "duration_ms": rng.integers(60_000, 600_000, n),
        "key": rng.integers(0, 12, n),
        "loudness": rng.uniform(-40, 0, n),
        "mode": rng.integers(0, 2, n),
        "tempo": rng.uniform(60, 200, n),
        "time_signature": rng.choice([3, 4, 5], n),
        "genres": [[genres[g]] if h else [] for g, h in zip(genre_ids, has_genre, strict=True)],
        "sources": [["synthetic"]] * n,
    }
    for name in ("danceability", "energy", "speechiness", "acousticness"):
        columns[name] = rng.uniform(0, 1, n)
    for name in ("instrumentalness", "liveness", "valence"):
        columns[name] = rng.uniform(0, 1, n)
    frame = pl.DataFrame(columns).with_columns(
        pl.when(pl.col("year") > 0).then(pl.col("year")).alias("year"),
        pl.when(pl.col("popularity") >= 0).then(pl.col("popularity")).alias("popularity"),
    )
    tracks = frame.select([pl.col(c).cast(t) for c, t in CATALOG_SCHEMA.items()])
    return Catalog(
        tracks=tracks, playlists=pl.DataFrame(), fingerprint=f"synthetic-{n}", synthetic=True
    )


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_million(n: int, repeats: int) -> None:
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    catalog = synthetic_catalog(n, rng)
    print(f"\nsynthetic catalog: {n:,} tracks generated in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    model = train(catalog)
    print(f"train: {time.perf_counter() - start:.1f} s; peak RSS so far {peak_rss_mb():,.0f} MB")
    seeds = [model.track_ids[i] for i in rng.choice(n, N_SEEDS, replace=False)]
    options = RecommendOptions(per_seed=PER_SEED)
    gc.collect()
    tracemalloc.start()
    recommend(model, catalog, seeds, options=options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"query peak memory (tracemalloc, 50 seeds): {peak / 2**20:,.0f} MB")
    query_rows(model, catalog, seeds, repeats, f"{n // 1000}k: ")
    print(f"process peak RSS: {peak_rss_mb():,.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--million", type=int, default=1_000_000, help="synthetic size")
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_sources()
    if not settings.catalog_paths:
        print(
            "set RECOMMENDER_CATALOG to the dataset folder (e.g. ../shared/data)", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory() as cache:
        bench_settings = Settings.from_sources(
            env={
                "RECOMMENDER_CATALOG": ":".join(str(p) for p in settings.catalog_paths),
                "RECOMMENDER_CACHE_DIR": cache,
            },
            secrets={},
        )
        print(f"python {sys.version.split()[0]}, {Path.cwd()}")
        bench_reference(bench_settings, args.repeats)
    if not args.skip_million:
        bench_million(args.million, max(3, args.repeats // 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
