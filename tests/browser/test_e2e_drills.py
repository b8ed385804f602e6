"""Stored-state drills against a real server: damaged cache files and a read-only cache folder.

In each, a guest still gets recommendations in the browser, and the server's output says
what happened (the operator's view: Community Cloud shows the app's log to its owner).
"""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from recommender.engine.model import load_model, model_path
from tests.browser.e2e import (
    LOAD_LINE,
    catalog_settings,
    distinct_seeds,
    errors_on,
    guest_reaches_recommendations,
    start_app,
    warm_cache,
)
from tests.browser.harness import RUN_TIMEOUT_MS, save_failure_artifacts, wait_for_app
from tests.test_drills import read_only


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A warm cache (catalog Parquet + model artifact) each drill copies and damages."""
    folder = tmp_path_factory.mktemp("e2e-drills") / "warm"
    catalog = warm_cache(folder)
    return folder, catalog


def model_page_warnings(page, url: str) -> list[str]:
    """The warnings the Model page shows (where the app says what the last load worked around)."""
    page.goto(url + "model")
    wait_for_app(page)
    page.get_by_text("Tracks in the pool").first.wait_for(timeout=RUN_TIMEOUT_MS)
    return page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()


@pytest.fixture
def page(request, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_failure_artifacts(tab, request.node.nodeid, getattr(request.node, "server", None))
    context.close()


def test_corrupt_model_and_parquet_cache_are_rebuilt_while_serving(warm, page, tmp_path, request):
    folder, catalog = warm
    cache = tmp_path / "cache"
    shutil.copytree(folder, cache)
    artifact = model_path(catalog_settings(cache))
    artifact.write_bytes(artifact.read_bytes()[:5000])  # truncated mid-write
    (parquet,) = cache.glob("catalog/*.tracks.parquet")
    parquet.write_bytes(b"PAR1 this is not a parquet file PAR1")

    server = start_app(tmp_path, cache)
    request.node.server = server
    try:
        seed = distinct_seeds(catalog, 1, skip=21)[0]
        rows = guest_reaches_recommendations(page, server.url, seed)
        assert rows
        assert errors_on(page) == []
        notes = model_page_warnings(page, server.url)
        log = server.log_text()
    finally:
        server.stop()
    assert any("is unusable" in note and "rebuilding" in note for note in notes)
    assert any("unreadable" in note for note in notes)
    assert "is unusable" in log
    assert "rebuilding" in log
    assert "training the model:" in log
    assert "unreadable" in log
    assert len(LOAD_LINE.findall(log)) == 1
    # Both files were rewritten whole and are usable again.
    assert pl.read_parquet(parquet).height == catalog.tracks.height
    assert load_model(artifact).n_tracks == catalog.tracks.height


def test_read_only_cache_folder_serves_from_memory(warm, page, tmp_path, request):
    _, catalog = warm
    cache = tmp_path / "cache"
    cache.mkdir()
    with read_only(cache):
        server = start_app(tmp_path, cache)
        request.node.server = server
        try:
            seed = distinct_seeds(catalog, 1, skip=31)[0]
            rows = guest_reaches_recommendations(page, server.url, seed)
            assert rows
            assert errors_on(page) == []
            notes = model_page_warnings(page, server.url)
            log = server.log_text()
        finally:
            server.stop()
        assert list(cache.iterdir()) == []
    assert any("could not write the catalog cache" in note for note in notes)
    assert "could not write the catalog cache" in log
    assert "could not write the model" in log or "training without it" in log
    assert len(LOAD_LINE.findall(log)) == 1
