"""Steps shared by the end-to-end browser tests and the load benchmark.

Everything here drives the real app in Chromium: the same selectors a person's clicks reach
(widget keys become ``st-key-<key>`` classes), the CSV the app offers for download, and the
fake Spotify's own record of what it received. Seeds are real catalog tracks picked at test
time from the shared datasets (never committed).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from tests import reference
from tests.browser.harness import (
    COLD_START_TIMEOUT_MS,
    ROOT,
    RUN_TIMEOUT_MS,
    AppServer,
    wait_for_app,
)

if TYPE_CHECKING:
    from playwright.async_api import Page as AsyncPage
    from playwright.sync_api import Page

    from recommender.domain import Catalog
    from tests.fake_spotify import FakeSpotify

# The line ui/loaders.py writes once per (catalog, model) load; counted in the server output.
LOAD_LINE: Final = re.compile(r"loaded the catalog \(\d+ tracks\) and the model")
ERROR_SELECTOR: Final = '[data-testid="stException"]'
ALERT_ERROR_SELECTOR: Final = '[data-testid="stAlertContentError"]'


@dataclass(frozen=True)
class Seed:
    """A catalog track a test adds by searching for it."""

    track_id: str
    name: str
    artists: tuple[str, ...]

    @property
    def query(self) -> str:
        return f"{self.name} {self.artists[0]}"

    @property
    def label(self) -> str:
        """The app's display label (``present.listing.track_label``)."""
        return f"{self.name} — {', '.join(self.artists)}"


# The list's grid (Home also draws a table: the seeds' audio features).
RESULTS_GRID: Final = '[class*="st-key-results_table"] [data-testid="stDataFrame"]'
# The same list's narrower grid, shown instead below 640 px (ui.results.LIST_STYLES).
PHONE_GRID: Final = '[class*="st-key-phone_list_"] [data-testid="stDataFrame"]'
# Whichever of the two the screen's width shows.
SHOWN_GRID: Final = f"{RESULTS_GRID}:visible, {PHONE_GRID}:visible"


def catalog_settings(cache_dir: Path, *, catalog: Path | None = None, **extra: str):
    from recommender.settings import Settings

    source = str(catalog) if catalog is not None else reference.reference_data().catalog_env
    env = {"RECOMMENDER_CATALOG": source, "RECOMMENDER_CACHE_DIR": str(cache_dir)}
    return Settings.from_sources(env={**env, **extra}, secrets={})


def warm_cache(cache_dir: Path, *, source: Path | None = None) -> Catalog:
    """Build the catalog (default: the real datasets) and train the model into ``cache_dir``."""
    from recommender.data.store import load_catalog
    from recommender.engine.model import load_or_train

    settings = catalog_settings(cache_dir, catalog=source)
    catalog = load_catalog(settings)
    load_or_train(catalog, settings)
    return catalog


def distinct_seeds(catalog: Catalog, n: int, *, skip: int = 0) -> list[Seed]:
    """``n`` real tracks whose title + first artist is unique in the catalog and searchable.

    Spread over the catalog (every 997th candidate) so concurrent sessions get unrelated seeds.
    """
    tracks = catalog.tracks.filter(
        pl.col("name").is_not_null()
        & (pl.col("artists").list.len() == 1)
        & pl.col("name").str.contains(r"^[A-Za-z][A-Za-z ]{5,30}$")
        & pl.col("danceability").is_not_null()
    ).with_columns(
        pl.col("name").str.to_lowercase().alias("_n"),
        pl.col("artists").list.first().alias("_a"),
    )
    counts = (
        catalog.tracks.select(pl.col("name").str.to_lowercase().alias("_n")).group_by("_n").len()
    )
    unique = tracks.join(counts.filter(pl.col("len") == 1), on="_n").sort("track_id")
    picked = unique.gather_every(997, offset=skip).head(n)
    if picked.height < n:
        msg = f"only {picked.height} searchable unique tracks in the catalog, wanted {n}"
        raise ValueError(msg)
    return [
        Seed(row["track_id"], row["name"], tuple(row["artists"]))
        for row in picked.iter_rows(named=True)
    ]


def build_real_fake(catalog: Catalog) -> FakeSpotify:
    """A started fake Spotify whose users' top tracks are real catalog tracks."""
    from tests.fake_spotify import build_fake

    # build_fake takes the first 400 named rows; shuffle deterministically so Alice and Bob
    # get tracks from across the catalog rather than one alphabetical corner.
    tracks = catalog.tracks.sample(fraction=1.0, shuffle=True, seed=9)
    fake = build_fake(tracks)
    # Real Spotify knows every catalog track: saving any recommendation must be accepted.
    known = catalog.tracks.filter(pl.col("name").is_not_null()).select(
        "track_id", "name", "artists", "album", "duration_ms"
    )
    for row in known.iter_rows(named=True):
        fake.tracks.setdefault(
            row["track_id"],
            {
                "id": row["track_id"],
                "name": row["name"],
                "artists": list(row["artists"] or ["Unknown artist"]),
                "album": row["album"],
                "duration_ms": row["duration_ms"] or 200_000,
            },
        )
    return fake.start()


def start_app(
    root: Path, cache_dir: Path, *, fake: FakeSpotify | None = None, catalog: Path | None = None
) -> AppServer:
    """A started ``streamlit run`` on ``catalog`` (default: the reference data), a cache, a fake."""
    server = AppServer(env={}, cache_dir=cache_dir, log_path=root / "server.log")
    source = str(catalog) if catalog is not None else reference.reference_data().catalog_env
    env = {"RECOMMENDER_CATALOG": source}
    if fake is not None:
        env.update(fake.env(redirect_uri=server.url))
    server.env = env
    return server.start()


def issued_tokens(fake: FakeSpotify) -> set[str]:
    """Every access and refresh token the fake has handed out so far."""
    with fake._lock:
        return set(fake._tokens) | set(fake._refresh)


def files_containing(roots: Iterable[Path], secrets: set[str]) -> list[str]:
    """Files under ``roots`` (not ``.git``) whose bytes contain any of ``secrets``."""
    needles = [s.encode() for s in secrets]
    hits: list[str] = []
    for root in roots:
        for path in root.rglob("*"):
            if ".git" in path.parts or not path.is_file():
                continue
            with contextlib.suppress(OSError):
                data = path.read_bytes()
                hits.extend(f"{path}" for n in needles if n in data)
    return hits


# -- sync page steps --------------------------------------------------------------------------
def wait_rerun(page: Page, *, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait for the rerun an action just triggered (if it started) to finish."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            """() => document.querySelector('[data-testid="stApp"]')
                     ?.getAttribute('data-test-script-state') === 'running'""",
            timeout=3000,
        )
    wait_for_app(page, timeout_ms=timeout_ms)


def open_home(page: Page, url: str, *, cold: bool = False) -> None:
    page.goto(url)
    wait_for_app(page, timeout_ms=COLD_START_TIMEOUT_MS if cold else RUN_TIMEOUT_MS)
    page.locator(".st-key-guest_search input").wait_for(timeout=RUN_TIMEOUT_MS)


def continue_as_guest(page: Page) -> None:
    """Wait for the search box (Home shows it at once, to guests and listeners alike)."""
    wait_for_app(page)
    page.locator(".st-key-guest_search input").wait_for(timeout=RUN_TIMEOUT_MS)


def add_seed(page: Page, seed: Seed) -> None:
    """Search for ``seed`` and press its own Add button."""
    search = page.locator(".st-key-guest_search input")
    search.fill(seed.query)
    search.press("Enter")
    add = page.locator(f'[class*="add_{seed.track_id}"] button')
    add.wait_for(timeout=RUN_TIMEOUT_MS)
    add.click()
    page.locator(f'[class*="remove_{seed.track_id}"] button').wait_for(timeout=RUN_TIMEOUT_MS)


def open_recommendations(page: Page) -> None:
    page.locator(".st-key-get_recommendations button").click()
    page.wait_for_url("**/recommendations*", timeout=RUN_TIMEOUT_MS)
    wait_for_recommendations(page)


def wait_for_recommendations(page: Page) -> None:
    """The table, both radar charts and the CSV button are drawn."""
    wait_for_app(page)
    for selector in (
        ".st-key-radar_profile .js-plotly-plot",
        ".st-key-radar_seed_chart .js-plotly-plot",
        SHOWN_GRID,
        ".st-key-export_csv button",
    ):
        page.locator(selector).first.wait_for(timeout=RUN_TIMEOUT_MS)


def move_weight(page: Page, name: str, key: str = "End") -> str:
    """Move the ``weight_<name>`` slider with the keyboard; returns its new value text."""
    selector = weight_selector(name)
    thumb = page.locator(selector)
    before = thumb.get_attribute("aria-valuetext")
    thumb.focus()
    thumb.press(key)
    page.wait_for_function(
        """([selector, before]) => {
            const el = document.querySelector(selector);
            return el !== null && el.getAttribute('aria-valuetext') !== before;
        }""",
        arg=[selector, before],
        timeout=RUN_TIMEOUT_MS,
    )
    wait_rerun(page)
    return thumb.get_attribute("aria-valuetext") or ""


def weight_selector(name: str) -> str:
    """The range input of the ``weight_<name>`` slider."""
    return f".st-key-weight_{name} input[type=range]"


def download_csv(page: Page) -> list[dict[str, str]]:
    """Download the recommendations CSV through the app's button and parse it."""
    with page.expect_download(timeout=RUN_TIMEOUT_MS) as info:
        page.locator(".st-key-export_csv button").click()
    data = Path(info.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def download_csv_changed(
    page: Page, before: list[dict[str, str]], *, attempts: int = 15
) -> list[dict[str, str]]:
    """Download the CSV until it differs from ``before`` (a rerun may still be on its way)."""
    rows = download_csv(page)
    for _ in range(attempts):
        if rows != before:
            break
        page.wait_for_timeout(1000)
        rows = download_csv(page)
    return rows


def errors_on(page: Page) -> list[str]:
    """Texts of exceptions and error alerts on the page."""
    return [
        page.locator(selector).nth(i).inner_text()
        for selector in (ERROR_SELECTOR, ALERT_ERROR_SELECTOR)
        for i in range(page.locator(selector).count())
    ]


def guest_reaches_recommendations(page: Page, url: str, seed: Seed) -> list[dict[str, str]]:
    """The whole guest path from Home to a downloaded table, in a page of its own."""
    open_home(page, url)
    continue_as_guest(page)
    add_seed(page, seed)
    open_recommendations(page)
    return download_csv(page)


# -- async flow (concurrency test and load benchmark) -----------------------------------------
@dataclass
class FlowResult:
    """What one concurrent guest session saw."""

    seconds_to_recommendations: float
    seeds: list[str]
    answered_seeds: set[str]
    rows_before: list[dict[str, str]]
    rows_after: list[dict[str, str]]
    errors: list[str]


async def _async_wait_app(page: AsyncPage, timeout_ms: int) -> None:
    await page.wait_for_function(
        """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'""",
        timeout=timeout_ms,
    )


async def _async_rerun(page: AsyncPage, timeout_ms: int) -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        await page.wait_for_function(
            """() => document.querySelector('[data-testid="stApp"]')
                     ?.getAttribute('data-test-script-state') === 'running'""",
            timeout=3000,
        )
    await _async_wait_app(page, timeout_ms)


async def _async_csv(page: AsyncPage, timeout_ms: int) -> list[dict[str, str]]:
    async with page.expect_download(timeout=timeout_ms) as info:
        await page.locator(".st-key-export_csv button").click()
    download = await info.value
    data = Path(await download.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(data)))


async def async_guest_flow(
    page: AsyncPage,
    url: str,
    seeds: list[Seed],
    *,
    slider_moves: Iterable[tuple[str, str]] = (("energy", "End"), ("valence", "Home")),
    timeout_ms: int = RUN_TIMEOUT_MS,
) -> FlowResult:
    """Guest: Home → search and add ``seeds`` → recommendations → CSV → slider moves → CSV."""
    import time

    started = time.perf_counter()
    await page.goto(url, timeout=timeout_ms)
    await page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    search = page.locator(".st-key-guest_search input")
    for seed in seeds:
        await search.fill(seed.query, timeout=timeout_ms)
        await search.press("Enter")
        await page.locator(f'[class*="add_{seed.track_id}"] button').click(timeout=timeout_ms)
        await page.locator(f'[class*="remove_{seed.track_id}"] button').wait_for(timeout=timeout_ms)
    await page.locator(".st-key-get_recommendations button").click(timeout=timeout_ms)
    await page.locator(RESULTS_GRID).first.wait_for(timeout=timeout_ms)
    await page.locator(".st-key-radar_seed_chart .js-plotly-plot").wait_for(timeout=timeout_ms)
    elapsed = time.perf_counter() - started
    await _async_wait_app(page, timeout_ms)
    before = await _async_csv(page, timeout_ms)
    for name, key in slider_moves:
        thumb = page.locator(weight_selector(name))
        await thumb.focus()
        await thumb.press(key)
        await _async_rerun(page, timeout_ms)
    after = await _async_csv(page, timeout_ms)
    for _ in range(15):  # a rerun may still be on its way on a busy machine
        if after != before:
            break
        await page.wait_for_timeout(1000)
        after = await _async_csv(page, timeout_ms)
    texts: list[str] = []
    for selector in (ERROR_SELECTOR, ALERT_ERROR_SELECTOR):
        texts.extend(await page.locator(selector).all_inner_texts())
    seed_labels = [seed.label for seed in seeds]
    return FlowResult(
        seconds_to_recommendations=elapsed,
        seeds=seed_labels,
        answered_seeds={row["answers seed"] for row in before + after},
        rows_before=before,
        rows_after=after,
        errors=texts,
    )


def project_roots(*extra: Path) -> list[Path]:
    """The project directory plus ``extra`` folders (e.g. a server's cache directory)."""
    return [ROOT, *extra]
