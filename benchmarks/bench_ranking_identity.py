"""Rankings of the shipped defaults before and after an engine change, compared in one run.

    RECOMMENDER_CATALOG=../shared/data python benchmarks/bench_ranking_identity.py [--ref main]

Checks out ``--ref`` (default ``main``) with ``git worktree`` into a temporary folder, then runs
the same query script under both trees, each in its own process with its own fresh model cache:
200 seed lists (1-10 catalog tracks, drawn with a fixed seed), default weights and default
``RecommendOptions``. Prints how many lists agree on ids and order, and the largest distance
difference; exits 1 on any difference in ids or order, or a distance beyond float rounding.
Nothing of the catalog is written to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
N_LISTS = 200
SEED = 21
# The query runs in float32; explain recomputes in float64 from the same stored values.
DISTANCE_TOLERANCE = 1e-6
# Two distances this close (relative) are a tie at the query's float32 precision.
TIE_TOLERANCE = 1e-5

# Runs inside one tree (its own sys.path); prints a JSON list of rankings.
QUERY = """
import json, sys
import numpy as np
from recommender.data.store import load_catalog
from recommender.engine.model import train
from recommender.engine.recommend import recommend
from recommender.settings import Settings

n_lists, seed = int(sys.argv[1]), int(sys.argv[2])
settings = Settings.from_sources()
catalog = load_catalog(settings)
model = train(catalog)
ids = catalog.tracks["track_id"].to_list()
rng = np.random.default_rng(seed)
out = []
for _ in range(n_lists):
    size = int(rng.integers(1, 11))
    seeds = [ids[i] for i in rng.choice(len(ids), size=size, replace=False)]
    results = recommend(model, catalog, seeds)
    out.append([[r.track_id, r.seed_track_id, r.distance] for r in results])
json.dump(out, sys.stdout)
"""


def rankings(tree: Path, cache: Path) -> list[list[list[object]]]:
    env = {**os.environ, "RECOMMENDER_CACHE_DIR": str(cache), "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", QUERY, str(N_LISTS), str(SEED)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"query under {tree} failed:\n{done.stderr}")
    result: list[list[list[object]]] = json.loads(done.stdout)
    return result


def _only_ties(old: list[list[object]], new: list[list[object]]) -> bool:
    """Every position's distance equal within float32 rounding, whichever track holds it.

    A product's last bit depends on its shape in BLAS, so two candidates whose distances agree
    to that bit (often one song under two ids, from two sources) may change places when the
    query is blocked differently; the list rules then keep the one that came first.
    """
    if len(old) != len(new):
        return False
    return all(
        abs(float(o[2]) - float(n[2])) <= TIE_TOLERANCE * max(1.0, abs(float(o[2])))  # type: ignore[arg-type]
        for o, n in zip(old, new, strict=True)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="git ref of the 'before' engine")
    args = parser.parse_args()
    if not os.environ.get("RECOMMENDER_CATALOG"):
        sys.exit("set RECOMMENDER_CATALOG to the reference catalog (e.g. ../shared/data)")
    with tempfile.TemporaryDirectory() as folder:
        before_tree = Path(folder) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before_tree), args.ref],
            check=True,
            capture_output=True,
        )
        try:
            start = time.perf_counter()
            before = rankings(before_tree, Path(folder) / "cache-before")
            after = rankings(ROOT, Path(folder) / "cache-after")
            spent = time.perf_counter() - start
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before_tree)],
                check=True,
                capture_output=True,
            )
    same_order = ties = 0
    worst = 0.0
    for number, (old, new) in enumerate(zip(before, after, strict=True)):
        if [r[:2] for r in old] == [r[:2] for r in new]:
            same_order += 1
            for o, n in zip(old, new, strict=True):
                worst = max(worst, abs(float(o[2]) - float(n[2])))  # type: ignore[arg-type]
            continue
        ties += _only_ties(old, new)
        at = next(
            (i for i, (o, n) in enumerate(zip(old, new, strict=False)) if o[:2] != n[:2]),
            min(len(old), len(new)),
        )
        print(f"list {number} differs from position {at + 1}:")
        for label, rows in (("before", old), ("after", new)):
            shown = ", ".join(f"{r[0]} {float(r[2]):.6f}" for r in rows[at : at + 3])  # type: ignore[arg-type]
            print(f"  {label}: {shown}")
    total = sum(len(r) for r in after)
    print(f"ref {args.ref} vs working tree: {N_LISTS} seed lists (seed {SEED}), {total} results")
    print(f"lists with identical ids, seeds and order: {same_order}/{N_LISTS}")
    print(f"of the others, differing only where two distances tie: {ties}")
    print(f"largest distance difference: {worst:.3g} (tolerance {DISTANCE_TOLERANCE:g})")
    print(f"both runs (train + queries): {spent:.1f} s; load {os.getloadavg()[0]:.2f}")
    return 0 if same_order + ties == N_LISTS and worst <= DISTANCE_TOLERANCE else 1


if __name__ == "__main__":
    raise SystemExit(main())
