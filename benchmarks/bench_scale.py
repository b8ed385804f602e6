"""Cold ``catalog`` + ``train`` and a 50-seed query: this tree beside another checkout, one run.

    python benchmarks/make_songs_1m.py /tmp/songs-1m/tracks_features.csv
    git worktree add /tmp/base <base commit>
    python benchmarks/bench_scale.py --file /tmp/songs-1m/tracks_features.csv --base /tmp/base

Each command runs as a user would run it (``python -m recommender catalog``, then ``train``, in
a fresh cache folder) under ``/usr/bin/time -v``, alternating between the two trees so that
background load hits both alike; the figures are wall time, CPU time (user + system) and peak
RSS per command. The query step loads the cached catalog and model in each tree and times
``recommend`` for 50 seeds spread over the catalog with one BLAS thread, as the app's server
runs it: ``--query-rounds`` processes per tree,
alternating, each timing ``--query-repeats`` queries; the figure is the median over all.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"

QUERY = r"""
import json, statistics, sys, time
from recommender.data.store import load_catalog
from recommender.engine.model import load_or_train
from recommender.engine.recommend import RecommendOptions, recommend
from recommender.settings import Settings

import threadpoolctl
# As the app's server runs it (ui/loaders.py): one BLAS thread.
threadpoolctl.threadpool_limits(limits=1, user_api="blas")
settings = Settings.from_sources()
catalog = load_catalog(settings)
model = load_or_train(catalog, settings)
ids = catalog.tracks["track_id"]
seeds = [ids[i] for i in range(0, len(ids), max(len(ids) // 50, 1))][:50]
options = RecommendOptions(per_seed=5)
recommend(model, catalog, seeds, options=options)  # warm-up: first touch of the pages
spent = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    recommend(model, catalog, seeds, options=options)
    spent.append(time.perf_counter() - start)
print(json.dumps({"median_ms": statistics.median(spent) * 1000, "seeds": len(seeds)}))
"""


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float


def _parse_time(text: str) -> Run:
    def field(label: str) -> str:
        match = re.search(rf"^\s*{re.escape(label)}: (.+)$", text, flags=re.MULTILINE)
        if match is None:
            raise RuntimeError(f"/usr/bin/time printed no {label!r}:\n{text[-2000:]}")
        return match.group(1).strip()

    clock = [
        float(part) for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")
    ]
    wall = sum(value * 60**i for i, value in enumerate(reversed(clock)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    peak = int(field("Maximum resident set size (kbytes)")) / 1024
    return Run(wall_s=wall, cpu_s=cpu, peak_mb=peak)


def _env(data_file: Path, cache: Path, tree: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("RECOMMENDER_")}
    return {
        **keep,
        "RECOMMENDER_CATALOG": str(data_file),
        "RECOMMENDER_CACHE_DIR": str(cache),
        "PYTHONPATH": str(tree),
    }


def timed(tree: Path, command: str, env: dict[str, str], timeout: float) -> Run:
    result = subprocess.run(
        [TIME, "-v", sys.executable, "-m", "recommender", command],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{tree}: {command} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return _parse_time(result.stderr)


def query_ms(tree: Path, env: dict[str, str], repeats: int, timeout: float) -> float:
    result = subprocess.run(
        [sys.executable, "-c", QUERY, str(repeats)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{tree}: query failed:\n{result.stderr[-3000:]}")
    import json

    return float(json.loads(result.stdout.strip().splitlines()[-1])["median_ms"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, required=True, help="the data file (e.g. 1M rows)")
    parser.add_argument("--base", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=1, help="cold runs per tree (alternating)")
    parser.add_argument("--query-repeats", type=int, default=11, help="queries per process")
    parser.add_argument("--query-rounds", type=int, default=4, help="processes per tree")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per command")
    args = parser.parse_args(argv)
    if not Path(TIME).exists():
        parser.error(f"{TIME} is needed for the peak RSS (Debian package 'time')")
    trees = {"base": args.base.resolve(), "this": HERE}
    results: dict[str, dict[str, list[Run]]] = {
        name: {"catalog": [], "train": []} for name in trees
    }
    queries: dict[str, list[float]] = {name: [] for name in trees}
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    envs: dict[str, dict[str, str]] = {}
    try:
        for round_no in range(args.rounds):
            order = list(trees) if round_no % 2 == 0 else list(reversed(trees))
            for name in order:
                cache = scratch / f"{name}-{round_no}"
                envs[name] = _env(args.file.resolve(), cache, trees[name])
                for command in ("catalog", "train"):
                    run = timed(trees[name], command, envs[name], args.timeout)
                    results[name][command].append(run)
                    print(
                        f"round {round_no + 1} {name:<4} {command:<7} wall {run.wall_s:7.1f} s  "
                        f"cpu {run.cpu_s:7.1f} s  peak {run.peak_mb:7.0f} MB",
                        flush=True,
                    )
        # Queries alternate between the trees (on the last round's caches), so that a burst of
        # background load does not land on one tree only.
        for query_round in range(args.query_rounds):
            order = list(trees) if query_round % 2 == 0 else list(reversed(trees))
            for name in order:
                queries[name].append(
                    query_ms(trees[name], envs[name], args.query_repeats, args.timeout)
                )
                print(
                    f"query round {query_round + 1} {name:<4} {queries[name][-1]:7.1f} ms",
                    flush=True,
                )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def med(name: str, command: str, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in results[name][command])

    print(f"\n{args.file} ({args.rounds} cold run(s) per tree; medians)")
    print(f"{'':<28}{'base':>12}{'this':>12}{'this/base':>11}")
    names = {"wall_s": "wall (s)", "cpu_s": "cpu (s)", "peak_mb": "peak RSS (MB)"}
    for command in ("catalog", "train"):
        for attr, label in names.items():
            base, this = med("base", command, attr), med("this", command, attr)
            print(f"{command + ' ' + label:<28}{base:>12.1f}{this:>12.1f}{this / base:>10.2f}x")
    for attr in ("wall_s", "cpu_s"):
        base = sum(med("base", c, attr) for c in ("catalog", "train"))
        this = sum(med("this", c, attr) for c in ("catalog", "train"))
        label = "catalog + train " + names[attr]
        print(f"{label:<28}{base:>12.1f}{this:>12.1f}{this / base:>10.2f}x")
    base, this = statistics.median(queries["base"]), statistics.median(queries["this"])
    # (each entry is one process's median; the median of those is the figure)
    print(f"{'query, 50 seeds (ms)':<28}{base:>12.1f}{this:>12.1f}{this / base:>10.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
