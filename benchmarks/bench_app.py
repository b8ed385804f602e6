"""Server-side cost of a weight-slider move on the recommendations page, on the 75k catalog.

    python benchmarks/bench_app.py [--data ../shared/data] [--repeats 21] [--seeds 5]

Measures, in one run and side by side, the median wall time of AppTest's
``slider(key="weight_energy").set_value(v).run()``:

- on the recommendations page (re-weighted query, radars, table, export, share link), and
- on an empty page holding only that slider (AppTest's own overhead for one rerun),

and prints both medians, their difference (what the page itself costs) and their ratio.
The catalog and model are loaded once before timing (a warm server). Values alternate so
every rerun recomputes the recommendations.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from recommender.data.store import load_catalog  # noqa: E402
from recommender.engine.model import load_or_train  # noqa: E402
from recommender.settings import Settings  # noqa: E402

EMPTY_PAGE = """
import streamlit as st
st.slider("energy", min_value=0.0, max_value=3.0, value=1.0, step=0.25, key="weight_energy")
"""
VALUES = (2.0, 1.0)


def _time_moves(at: AppTest, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        slider = at.slider(key="weight_energy")
        start = time.perf_counter()
        slider.set_value(VALUES[i % 2]).run()
        times.append(time.perf_counter() - start)
        if at.exception:
            msg = f"the page raised: {at.exception[0].message}"
            raise RuntimeError(msg)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("RECOMMENDER_CATALOG") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--seeds", type=int, default=5, help="number of seed tracks")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no catalog data at {args.data}; pass --data", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-app-") as cache:
        for name in list(os.environ):
            if name.startswith(("SPOTIPY_", "SPOTIFY_", "RECOMMENDER_")):
                del os.environ[name]
        os.environ["RECOMMENDER_CATALOG"] = str(args.data)
        os.environ["RECOMMENDER_CACHE_DIR"] = cache
        settings = Settings.from_sources(secrets={})
        catalog = load_catalog(settings)
        load_or_train(catalog, settings)
        # Popular, named tracks: what a guest would pick.
        seeds = (
            catalog.tracks.filter(pl.col("name").is_not_null())
            .sort(["popularity", "track_id"], descending=[True, False], nulls_last=True)
            .head(args.seeds)["track_id"]
            .to_list()
        )

        page = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
        page.session_state["seed_ids"] = seeds
        page.run()
        page.switch_page("pages/recommendations.py").run()
        if page.exception or not page.dataframe:
            print(f"recommendations page did not render: {page.exception}", file=sys.stderr)
            return 1
        _time_moves(page, 3)  # warm-up
        page_times = _time_moves(page, args.repeats)

        empty = AppTest.from_string(EMPTY_PAGE, default_timeout=60).run()
        _time_moves(empty, 3)
        empty_times = _time_moves(empty, args.repeats)

    page_ms = statistics.median(page_times) * 1000
    empty_ms = statistics.median(empty_times) * 1000
    print(
        f"catalog: {catalog.tracks.height:,} tracks; seeds: {len(seeds)}; repeats: {args.repeats}"
    )
    print(f"median set_value -> run, recommendations page: {page_ms:8.1f} ms")
    print(f"median set_value -> run, empty page:           {empty_ms:8.1f} ms")
    print(f"page's own cost (difference):                  {page_ms - empty_ms:8.1f} ms")
    print(f"ratio page / empty:                            {page_ms / empty_ms:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
