"""Screenshots of every page into docs/screenshots/, taken in headless Chromium.

    python scripts/screenshots.py [--data ../shared/data] [--out docs/screenshots]

Starts `streamlit run` on a free loopback port (the browser-test harness), with the catalog
from --data (default: RECOMMENDER_CATALOG, else ../shared/data) and a cache directory of its
own, then visits Home (guest search), Recommendations (from a share link), Explore and Model,
at laptop width and the recommendations also at phone width (with and without a row selected).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import polars as pl
from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.data.store import load_catalog  # noqa: E402
from recommender.settings import Settings  # noqa: E402
from tests.browser.harness import (  # noqa: E402
    COLD_START_TIMEOUT_MS,
    AppServer,
    launch_chromium,
    wait_for_render,
)

# Seeds of the recommendations shot, found by title in the catalog at run time.
SEED_TITLES = (
    "Memories - Dillon Francis Remix",
    "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
    "All the Time - Don Diablo Remix",
)
# Streamlit scrolls inside its main container, not the document, so a "full page"
# screenshot only holds the viewport: the laptop viewport is made tall enough for a page.
LAPTOP: ViewportSize = {"width": 1400, "height": 2300}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _catalog_tracks(data: Path, cache: Path) -> pl.DataFrame:
    settings = Settings.from_sources(
        env={"RECOMMENDER_CATALOG": str(data), "RECOMMENDER_CACHE_DIR": str(cache)}, secrets={}
    )
    return load_catalog(settings).tracks


def _seed_ids(tracks: pl.DataFrame) -> list[str]:
    found = tracks.filter(pl.col("name").is_in(SEED_TITLES))["track_id"].to_list()
    return found or tracks["track_id"].head(3).to_list()


def _fake_spotify(tracks: pl.DataFrame):
    """The loopback fake Spotify of the tests, knowing every catalog track (like Spotify)."""
    from tests.fake_spotify import build_fake

    fake = build_fake(tracks)
    for row in tracks.select("track_id", "name", "artists", "album").iter_rows(named=True):
        fake.tracks.setdefault(row["track_id"], {"id": row["track_id"], **row})
    return fake.start()


def _settle(page) -> None:
    wait_for_render(page, timeout_ms=COLD_START_TIMEOUT_MS)
    # Plotly draws after the script run ends; give it a moment to lay out.
    page.wait_for_timeout(1500)


def take(out: Path, data: Path) -> list[Path]:
    """Take every screenshot; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        cache = Path(tmp) / "cache"
        tracks = _catalog_tracks(data, cache)
        seeds = _seed_ids(tracks)
        fake = _fake_spotify(tracks)
        server = AppServer(env={}, cache_dir=cache, log_path=Path(tmp) / "log")
        server.env = {"RECOMMENDER_CATALOG": str(data), **fake.env(redirect_uri=server.url)}
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport=LAPTOP)

                def shot(name: str) -> None:
                    path = out / f"{name}.png"
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)

                page.goto(server.url)
                _settle(page)
                search = page.locator(".st-key-guest_search input")
                search.fill("memories maroon 5")
                search.press("Enter")
                _settle(page)
                page.get_by_role("button", name="Add", exact=True).first.click()
                _settle(page)
                shot("home")
                page.goto(f"{server.url}?seeds={','.join(seeds)}")
                page.wait_for_url("**/recommendations*")
                _settle(page)
                shot("recommendations")
                # In-app navigation keeps the session, so Explore marks the seeds.
                for name, title in (("explore", "Explore"), ("model", "Model")):
                    page.get_by_role("link", name=title, exact=True).click()
                    page.wait_for_url(f"**/{name}")
                    _settle(page)
                    shot(name)
                phone = browser.new_page(viewport=PHONE, device_scale_factor=2)
                phone.goto(f"{server.url}?seeds={','.join(seeds)}")
                phone.wait_for_url("**/recommendations*")
                _settle(phone)
                path = out / "recommendations-phone.png"
                phone.screenshot(path=str(path), full_page=False)
                written.append(path)
                # A tap on the third row's selection box opens the detail sheet.
                grid = phone.locator(
                    '[class*="st-key-phone_list_"] [data-testid="stDataFrameResizable"]'
                ).bounding_box()
                if grid is not None:
                    x, y = grid["x"] + 18, grid["y"] + 35 * 3 + 17
                    phone.mouse.move(x, y)
                    phone.mouse.click(x, y)
                    phone.locator(".st-key-result_detail").wait_for()
                    _settle(phone)
                    path = out / "recommendations-phone-selected.png"
                    phone.screenshot(path=str(path), full_page=False)
                    written.append(path)
                # Logged in (the fake consents at once and sends the browser back).
                page = browser.new_page(viewport=LAPTOP)
                page.goto(server.url)
                _settle(page)
                page.get_by_role("link", name="Log in with Spotify").first.click()
                page.wait_for_url(f"{server.url}**")
                _settle(page)
                shot("home-logged-in")
                page.get_by_role("link", name="Recommendations", exact=True).click()
                page.wait_for_url("**/recommendations*")
                _settle(page)
                shot("recommendations-logged-in")
                browser.close()
        finally:
            server.stop()
            fake.stop()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = os.environ.get("RECOMMENDER_CATALOG") or str(ROOT.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=Path(default_data))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no catalog data at {args.data}; pass --data", file=sys.stderr)
        return 2
    for path in take(args.out, args.data):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
