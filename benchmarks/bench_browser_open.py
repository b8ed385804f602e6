"""From a click on "Get recommendations" to the drawn list, as a person sees it, cold and warm.

    python benchmarks/bench_browser_open.py [--data ../shared/data] [--rounds 7] [--seeds 3]

Two real ``streamlit run`` servers measured side by side in headless Chromium at 1440x900:
(a) the app: a guest adds ``--seeds`` tracks on Home by search (not timed), then clicks "Get
recommendations"; (b) ``benchmarks/slider_pages/full_rerun.py`` with ``BENCH_BUTTON=1``: the
same button, then the same sidebar widgets, a table with as many rows and two radars, with no
recommender work (the reference page the slider benchmark uses). The time runs, inside the
page, from the click (capture phase) to the animation frame after the results table has
text. "cold" is the first click on a freshly started server (catalog and model on disk,
nothing in the process yet beyond what Home loaded); "warm" are the next ``--rounds``
rounds, each first a new visitor (a new browser context: the page's lazily loaded table,
widget and chart code is fetched on the first use) and then a returning one (a new tab in
that context: a new session, that code in the browser's cache). Prints medians, the ratios
and the load average.
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

from tests.browser.e2e import add_seed, distinct_seeds, open_home, warm_cache  # noqa: E402
from tests.browser.harness import AppServer, launch_chromium, wait_for_render  # noqa: E402

RESULTS = '[class*="st-key-results_table"] [data-testid="stDataFrame"] table'
BUTTON = ".st-key-get_recommendations button"
TIMEOUT_MS = 60_000
_ARM = """([selector, timeoutMs]) => {
    window.__benchOpen = new Promise((resolve) => {
        let start = null;
        const drawn = () => (document.querySelector(selector)?.textContent ?? '') !== '';
        document.addEventListener('click', () => { start = performance.now(); },
                                  {capture: true, once: true});
        const observer = new MutationObserver(() => {
            if (start === null || !drawn()) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - start));
        });
        observer.observe(document.body, {subtree: true, childList: true, characterData: true});
        setTimeout(() => { observer.disconnect(); resolve(null); }, timeoutMs);
    });
}"""


def _session(page, url: str, seeds) -> float | None:
    if seeds:
        open_home(page, url)
        for seed in seeds:
            add_seed(page, seed)
    else:
        page.goto(url)
        wait_for_render(page)
    page.locator(BUTTON).first.wait_for(timeout=TIMEOUT_MS)
    page.evaluate(_ARM, [RESULTS, TIMEOUT_MS])
    page.locator(BUTTON).first.click()
    return page.evaluate("window.__benchOpen")


def _open(browser, url: str, seeds) -> tuple[float | None, float | None]:
    """(a first visit in a new browser context, a return visit: a new tab of that context)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        first = _session(context.new_page(), url, seeds)
        # The returning visitor: a new session, the browser's cache holding the app's code.
        again = _session(context.new_page(), url, seeds)
        return first, again
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("RECOMMENDER_CATALOG") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--rounds", type=int, default=7, help="warm sessions per page")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no catalog data at {args.data}; pass --data", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-open-") as tmp:
        root = Path(tmp)
        cache = root / "cache"
        env = {"RECOMMENDER_CATALOG": str(args.data)}
        # Catalog and model on disk, as on a server that restarted.
        catalog = warm_cache(cache, source=args.data)
        seeds = distinct_seeds(catalog, args.seeds)
        rows = min(50, 5 * args.seeds)
        app = AppServer(env=env, cache_dir=cache, log_path=root / "a.log")
        reference = AppServer(
            env={"BENCH_ROWS": str(rows), "BENCH_BUTTON": "1"},
            cache_dir=root / "cache-b",
            log_path=root / "b.log",
            script="benchmarks/slider_pages/full_rerun.py",
        )
        times: dict[str, dict[str, list[float]]] = {}
        try:
            app.start()
            reference.start()
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                pages = {
                    "(a) the app": (app.url, seeds),
                    "(b) full-rerun page": (reference.url, []),
                }
                for label, (url, picked) in pages.items():
                    times[label] = {"cold": [], "warm": [], "return": []}
                    first, _ = _open(browser, url, picked)
                    if first is not None:
                        times[label]["cold"].append(first)
                for round_ in range(args.rounds):
                    order = list(pages) if round_ % 2 == 0 else list(pages)[::-1]
                    for label in order:
                        url, picked = pages[label]
                        elapsed, again = _open(browser, url, picked)
                        if elapsed is not None:
                            times[label]["warm"].append(elapsed)
                        if again is not None:
                            times[label]["return"].append(again)
                browser.close()
        finally:
            app.stop()
            reference.stop()
    print(
        f"catalog: {catalog.tracks.height:,} tracks; seeds: {len(seeds)}; rows: {rows}; "
        f"warm rounds: {args.rounds}; load average at the end: {os.getloadavg()[0]:.2f} "
        f"({time.strftime('%H:%M')})"
    )
    medians: dict[str, tuple[float, float]] = {}
    for label, runs in times.items():
        if not runs["warm"] or not runs["return"]:
            print(f"{label}: the list was never drawn", file=sys.stderr)
            return 1
        cold = f"{runs['cold'][0]:6.0f} ms" if runs["cold"] else "   n/a"
        medians[label] = (statistics.median(runs["warm"]), statistics.median(runs["return"]))
        print(
            f"{label:<22} cold {cold}   warm, new visitor {medians[label][0]:6.0f} ms   "
            f"warm, returning visitor {medians[label][1]:6.0f} ms"
        )
    (a_new, a_back), (b_new, b_back) = medians.values()
    print(f"ratio (a)/(b): new visitor {a_new / b_new:.2f}x, returning {a_back / b_back:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
