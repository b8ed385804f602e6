"""What a slider move costs a person: keydown -> the results redrawn, in headless Chromium.

    python benchmarks/bench_browser_slider.py [--data ../shared/data] [--moves 15] [--seeds 5]

Three real ``streamlit run`` servers, each measured in its own 1440x900 Chromium tab,
interleaved move by move in one run (the order rotates every round, so a busy moment of
the shared machine lands on all three alike):

(a) the recommendations page with ``--seeds`` popular catalog tracks (opened by a share link);
(b) ``benchmarks/slider_pages/full_rerun.py``: the same sidebar widgets, the same table with
    as many rows as (a) shows and two radar charts, but no recommender work and a full rerun
    on every move (what such a page costs in Streamlit);
(c) ``benchmarks/slider_pages/one_slider.py``: one slider and a table (the floor).

A move is a keydown on the ``weight_energy`` slider (End and Home alternately, so every move
changes the list). The time runs, inside the page, from that keydown to the animation frame
after the text of the results table changed (Streamlit's table draws on a canvas and keeps an
accessible copy of the visible cells in the DOM; that copy is what is compared). Prints each
page's median and 90th percentile and the ratios, with the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.e2e import warm_cache  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    COLD_START_TIMEOUT_MS,
    AppServer,
    launch_chromium,
    wait_for_render,
)

RESULTS = '[data-testid="stDataFrame"] table'
THUMB = ".st-key-weight_energy input[type=range]"
MOVE_TIMEOUT_MS = 15_000
# Installs a one-shot measurement: keydown (capture phase, before any handler) -> the first
# animation frame after the results' text differs from what it was when this ran.
_ARM = """([selector, timeoutMs]) => {
    window.__benchMove = new Promise((resolve) => {
        const text = () => document.querySelector(selector)?.textContent ?? '';
        const before = text();
        let start = null;
        document.addEventListener('keydown', () => { start = performance.now(); },
                                  {capture: true, once: true});
        const observer = new MutationObserver(() => {
            if (start === null || text() === before) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - start));
        });
        observer.observe(document.body, {subtree: true, childList: true, characterData: true});
        setTimeout(() => { observer.disconnect(); resolve(null); }, timeoutMs);
    });
}"""
_IDLE = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""


def _seeds(catalog, n: int) -> list[str]:
    """Popular, named tracks: what a guest would pick."""
    return (
        catalog.tracks.filter(pl.col("name").is_not_null())
        .sort(["popularity", "track_id"], descending=[True, False], nulls_last=True)
        .head(n)["track_id"]
        .to_list()
    )


def _move(page, key: str) -> float | None:
    """One keydown on the energy slider; milliseconds until the results changed (None: never)."""
    thumb = page.locator(THUMB)
    thumb.focus()
    page.evaluate(_ARM, [RESULTS, MOVE_TIMEOUT_MS])
    thumb.press(key)
    elapsed = page.evaluate("window.__benchMove")
    page.wait_for_function(_IDLE, timeout=60_000)
    page.wait_for_timeout(250)  # let the tab and the server go quiet before the next page
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("RECOMMENDER_CATALOG") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--moves", type=int, default=15, help="measured moves per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured moves per page")
    parser.add_argument("--seeds", type=int, default=5, help="seed tracks of page (a)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no catalog data at {args.data}; pass --data", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-slider-") as tmp:
        root = Path(tmp)
        cache = root / "cache"
        env = {"RECOMMENDER_CATALOG": str(args.data)}
        # Catalog and model on disk, as on a server that restarted.
        catalog = warm_cache(cache, source=args.data)
        seeds = _seeds(catalog, args.seeds)
        servers: list[AppServer] = []
        try:
            app = AppServer(env=env, cache_dir=cache, log_path=root / "a.log").start()
            servers.append(app)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                tabs = {}
                tab = browser.new_page(viewport={"width": 1440, "height": 900})
                tab.goto(f"{app.url}?seeds={','.join(seeds)}")
                tab.wait_for_url("**/recommendations*", timeout=COLD_START_TIMEOUT_MS)
                wait_for_render(tab, timeout_ms=COLD_START_TIMEOUT_MS)
                caption = tab.get_by_text(re.compile(r"^\d+ tracks for ")).first.inner_text()
                rows = int(caption.split()[0])
                tabs["(a) recommendations page"] = tab
                for label, script in (
                    ("(b) full-rerun page", "benchmarks/slider_pages/full_rerun.py"),
                    ("(c) one-slider page", "benchmarks/slider_pages/one_slider.py"),
                ):
                    server = AppServer(
                        env={"BENCH_ROWS": str(rows)},
                        cache_dir=root / f"cache-{len(servers)}",
                        log_path=root / f"{len(servers)}.log",
                        script=script,
                    ).start()
                    servers.append(server)
                    tab = browser.new_page(viewport={"width": 1440, "height": 900})
                    tab.goto(server.url)
                    wait_for_render(tab)
                    tabs[label] = tab
                for tab in tabs.values():
                    tab.locator(RESULTS).wait_for(state="attached", timeout=60_000)
                times: dict[str, list[float]] = {label: [] for label in tabs}
                missed = dict.fromkeys(tabs, 0)
                labels = list(tabs)
                for move in range(args.warmup + args.moves):
                    key = "End" if move % 2 == 0 else "Home"
                    order = labels[move % 3 :] + labels[: move % 3]
                    for label in order:
                        elapsed = _move(tabs[label], key)
                        if move < args.warmup:
                            continue
                        if elapsed is None:
                            missed[label] += 1
                        else:
                            times[label].append(elapsed)
                browser.close()
        finally:
            for server in servers:
                server.stop()

    print(
        f"catalog: {catalog.tracks.height:,} tracks; seeds: {len(seeds)}; rows: {rows}; "
        f"moves per page: {args.moves} (+{args.warmup} warm-up); "
        f"load average at the end: {os.getloadavg()[0]:.1f} ({time.strftime('%H:%M')})"
    )
    medians = {}
    for label, values in times.items():
        if not values:
            print(f"{label}: no move changed the results", file=sys.stderr)
            return 1
        medians[label] = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        note = f"  ({missed[label]} moves changed nothing within 15 s)" if missed[label] else ""
        print(f"{label:<26} median {medians[label]:6.0f} ms   p90 {p90:6.0f} ms{note}")
    a, b, c = medians.values()
    print(f"ratio (a)/(b): {a / b:.2f}x   (a)/(c): {a / c:.2f}x   (b)/(c): {b / c:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
