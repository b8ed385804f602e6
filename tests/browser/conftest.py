"""Fixtures of the real-browser tests: one app server per session, a fresh browser context per test.

``app_server`` runs ``streamlit run streamlit_app.py`` against the reference datasets, a
fresh cache directory and (when the fake is importable) a loopback fake Spotify started in
this process. ``page`` is a new browser context per test; a failing test leaves a
screenshot, the page text and the server log in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import reference
from tests.browser.harness import AppServer, launch_chromium, save_failure_artifacts

BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if BROWSER_DIR in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser_fake_spotify():
    """A fake Spotify for the browser session, or None when the fake is not available."""
    try:
        from tests.fake_spotify import build_fake, factory_catalog
    except ImportError:
        yield None
        return
    fake = build_fake(factory_catalog().tracks).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, browser_fake_spotify) -> Iterator[AppServer]:
    root = tmp_path_factory.mktemp("browser-app")
    server = AppServer(env={}, cache_dir=root / "cache", log_path=root / "server.log")
    env = {"RECOMMENDER_CATALOG": reference.reference_data().catalog_env}
    if browser_fake_spotify is not None:
        env.update(browser_fake_spotify.env(redirect_uri=server.url))
    server.env = env
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request, browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_failure_artifacts(tab, request.node.nodeid, app_server)
    context.close()
