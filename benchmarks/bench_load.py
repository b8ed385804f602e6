"""Load benchmark: many guests at the same moment on one real Streamlit server (not in CI).

Run: ``python benchmarks/bench_load.py --sessions 20``

What it does, all on loopback: warms a cache folder (catalog Parquet + model artifact) in a
temporary directory, starts ``streamlit run streamlit_app.py`` on a free port, then

1. a first guest runs the flow (it makes the server load everything), then one guest alone
   (the baseline, same server, same run);
2. ``--sessions`` guests run it at the same moment, each in its own headless Chromium
   context (Playwright's async API): Home → search and add a seed → recommendations (table
   and both radars) → CSV → two weight-slider moves → CSV.

It reports errors (exceptions, error elements on the page, a table answering another
session's seeds, a slider move that changed nothing), the median and worst time from opening
Home to the recommendations being drawn, the concurrent median beside the lone one, how many
times the server loaded the catalog and model, and the server's resident memory (VmRSS):
before any visitor, after the first guest, the peak during the burst and after it. Bounded:
at most 50 sessions, ``--timeout`` seconds per session, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.e2e import (
    LOAD_LINE,
    FlowResult,
    async_guest_flow,
    distinct_seeds,
    start_app,
    warm_cache,
)
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS

MAX_SESSIONS = 50
MB = 1024 * 1024


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    msg = f"no VmRSS for process {pid}"
    raise RuntimeError(msg)


class PeakSampler:
    """Samples a process's RSS every 100 ms in a thread; ``peak`` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def run_sessions(url: str, seed_sets, timeout_s: float) -> list[FlowResult | BaseException]:
    """Run one guest flow per seed set, all at once, each in its own browser context."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            contexts = [
                await browser.new_context(
                    viewport={"width": 1280, "height": 900}, accept_downloads=True
                )
                for _ in seed_sets
            ]
            pages = [await context.new_page() for context in contexts]
            flows = [
                asyncio.wait_for(
                    async_guest_flow(page, url, seeds, timeout_ms=int(timeout_s * 1000)),
                    timeout=timeout_s,
                )
                for page, seeds in zip(pages, seed_sets, strict=True)
            ]
            return await asyncio.gather(*flows, return_exceptions=True)
        finally:
            await browser.close()


def problems_of(result: FlowResult | BaseException, own: set[str]) -> list[str]:
    """Everything that went wrong in one session."""
    if isinstance(result, BaseException):
        return [f"{type(result).__name__}: {str(result).splitlines()[0] if str(result) else ''}"]
    found = [f"error on page: {text[:120]}" for text in result.errors]
    if not result.rows_before:
        found.append("no recommendations")
    if not result.answered_seeds <= own:
        found.append(f"cross-talk: answers {sorted(result.answered_seeds - own)}")
    if result.rows_after == result.rows_before:
        found.append("the slider moves changed nothing")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per session")
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="dataset files or folder (default: the reference data); e.g. the output of "
        "benchmarks/make_default_catalog.py for the real download's size",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start on an empty cache: the first guest waits for the build and training",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}")

    with tempfile.TemporaryDirectory(prefix="bench-load-") as temp:
        root = Path(temp)
        if args.cold:
            # Seeds from a throwaway build; the server's own cache folder stays empty.
            catalog = warm_cache(root / "seed-cache", source=args.catalog)
        else:
            catalog = warm_cache(root / "cache", source=args.catalog)
        seeds = distinct_seeds(catalog, args.sessions + 1, skip=3)
        server = start_app(root, root / "cache", catalog=args.catalog)
        try:
            assert server.process is not None
            pid = server.process.pid
            rss_idle = rss_bytes(pid)

            # The first visitor loads the catalog, the model and the search index.
            first = asyncio.run(run_sessions(server.url, [[seeds[-1]]], args.timeout))[0]
            rss_after_one = rss_bytes(pid)
            lone = asyncio.run(run_sessions(server.url, [[seeds[-1]]], args.timeout))[0]
            lone_problems = problems_of(first, {seeds[-1].label}) + problems_of(
                lone, {seeds[-1].label}
            )

            seed_sets = [[seed] for seed in seeds[: args.sessions]]
            started = time.perf_counter()
            with PeakSampler(pid) as sampler:
                results = asyncio.run(run_sessions(server.url, seed_sets, args.timeout))
            wall = time.perf_counter() - started
            time.sleep(2)
            rss_after = rss_bytes(pid)
            loads = len(LOAD_LINE.findall(server.log_text()))
        finally:
            server.stop()

    problems = {
        n: found
        for n, (result, own) in enumerate(zip(results, seed_sets, strict=True))
        if (found := problems_of(result, {seed.label for seed in own}))
    }
    times = [r.seconds_to_recommendations for r in results if isinstance(r, FlowResult)]
    peak = max(sampler.peak, rss_after)
    source = args.catalog or "the reference data"
    start = "cold (empty cache)" if args.cold else "warm cache"
    print(
        f"server: streamlit run streamlit_app.py on loopback, catalog {catalog.tracks.height:,} "
        f"tracks from {source}, {start}"
    )
    if isinstance(first, FlowResult) and isinstance(lone, FlowResult):
        lone_s = lone.seconds_to_recommendations
        what = "builds the catalog and trains" if args.cold else "loads everything"
        print(
            f"first guest ({what}): {first.seconds_to_recommendations:.1f} s; "
            f"a lone guest after it: {lone_s:.1f} s to recommendations"
        )
    else:
        lone_s = float("nan")
        print(f"lone guest failed: {lone_problems}")
    print(f"concurrent guests: {args.sessions} at once, whole burst {wall:.1f} s")
    print(f"sessions with errors: {len(problems)} of {args.sessions}")
    for n, found in sorted(problems.items()):
        print(f"  session {n}: {'; '.join(found)}")
    if times:
        median = statistics.median(times)
        print(
            f"time to recommendations: median {median:.1f} s, worst {max(times):.1f} s, "
            f"best {min(times):.1f} s; median vs lone guest: {median / lone_s:.1f}x"
        )
    print(f"catalog+model loads in the server output: {loads}")
    print(
        f"server RSS: idle {rss_idle / MB:.0f} MB, after the first guest "
        f"{rss_after_one / MB:.0f} MB, peak during the burst {peak / MB:.0f} MB, "
        f"after {rss_after / MB:.0f} MB ({'under' if peak < 1024 * MB else 'OVER'} 1 GB)"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    return 0 if not problems and not lone_problems and peak < 1024 * MB else 1


if __name__ == "__main__":
    sys.exit(main())
