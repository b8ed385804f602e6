"""Four guests at the same moment on one fresh server: no errors, no cross-talk, one model load.

The sessions run truly in parallel (Playwright's async API, one browser context each) against
a server that has not loaded anything yet, so all four ask for the catalog and model at once.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.browser.e2e import (
    LOAD_LINE,
    FlowResult,
    async_guest_flow,
    distinct_seeds,
    start_app,
    warm_cache,
)
from tests.browser.harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

SESSIONS = 4
SEEDS_PER_SESSION = 2


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-concurrency")
    catalog = warm_cache(root / "cache")
    server = start_app(root, root / "cache")
    yield catalog, server
    server.stop()


async def _run_all(url: str, seed_sets) -> list[FlowResult | BaseException]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
        )
        contexts = [
            await browser.new_context(
                viewport={"width": 1280, "height": 900}, accept_downloads=True
            )
            for _ in seed_sets
        ]
        pages = [await context.new_page() for context in contexts]
        results = await asyncio.gather(
            *(
                async_guest_flow(page, url, seeds, timeout_ms=120_000)
                for page, seeds in zip(pages, seed_sets, strict=True)
            ),
            return_exceptions=True,
        )
        for n, (page, result) in enumerate(zip(pages, results, strict=True)):
            if isinstance(result, BaseException):
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / f"concurrency-{n}.png"), full_page=True)
        await browser.close()
        return results


def test_four_concurrent_guests(env):
    catalog, server = env
    seeds = distinct_seeds(catalog, SESSIONS * SEEDS_PER_SESSION, skip=11)
    seed_sets = [seeds[i::SESSIONS] for i in range(SESSIONS)]
    outcome: list = []
    # The async API gets its own thread and event loop, away from the sync fixtures' loop.
    worker = threading.Thread(
        target=lambda: outcome.extend(asyncio.run(_run_all(server.url, seed_sets)))
    )
    worker.start()
    worker.join(timeout=480)
    assert not worker.is_alive(), "the concurrent sessions did not finish in 8 minutes"

    failures = [r for r in outcome if isinstance(r, BaseException)]
    assert not failures, f"{failures}\n{server.log_text()[-3000:]}"
    for result, own in zip(outcome, seed_sets, strict=True):
        assert result.errors == []
        own_labels = {seed.label for seed in own}
        others = {seed.label for seed in seeds} - own_labels
        # Each session's table answers only its own seeds: no cross-talk.
        assert result.answered_seeds <= own_labels
        assert not result.answered_seeds & others
        assert result.rows_before
        assert result.rows_after
        assert result.rows_after != result.rows_before, "the slider moves changed nothing"
    loads = LOAD_LINE.findall(server.log_text())
    assert len(loads) == 1, server.log_text()[-3000:]
