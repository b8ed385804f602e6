"""Two app replicas sharing Redis and one cache: a login started on A completes on B, once.

This is what a multi-replica deployment (compose.yaml) relies on: the OAuth ``state`` issued by
one replica is accepted by whichever replica Spotify's redirect reaches, and a replay of that
answer on any replica is refused because the used nonce is in Redis, not in one process.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.browser.e2e import open_home
from tests.browser.harness import RUN_TIMEOUT_MS, AppServer, save_failure_artifacts, wait_for_app
from tests.redis_server import running_redis


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    from tests.fake_spotify import build_fake, factory_catalog

    root = tmp_path_factory.mktemp("replicas")
    catalog_file = root / "catalog.parquet"
    factory_catalog().tracks.write_parquet(catalog_file)
    fake = build_fake(factory_catalog().tracks).start()
    # One cache folder for both, as on the compose volume: one builds and trains, one waits.
    cache = root / "shared-cache"
    with running_redis(root / "redis") as redis_url:
        a = AppServer(env={}, cache_dir=cache, log_path=root / "a.log")
        b = AppServer(env={}, cache_dir=cache, log_path=root / "b.log")
        # Behind the proxy both replicas answer on one public URL; here Spotify sends the
        # listener back to B, whichever replica drew the login link.
        for server in (a, b):
            server.env = {
                **fake.env(redirect_uri=b.url),
                "RECOMMENDER_CATALOG": str(catalog_file),
                "RECOMMENDER_REDIS_URL": redis_url,
            }
        try:
            yield a.start(), b.start()
        finally:
            a.stop()
            b.stop()
            fake.stop()


@pytest.fixture
def page(request, browser, replicas):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for server in replicas:
            save_failure_artifacts(tab, f"{request.node.nodeid}-{server.port}", server)
    context.close()


def spotify_answer_for_login_on(page, server: AppServer) -> str:
    """Open ``server``, follow its login link to the fake's consent, return the redirect URL."""
    open_home(page, server.url, cold=True)
    href = page.get_by_role("link", name="Log in with Spotify").first.get_attribute("href")
    assert href, "no login link on the home page"
    consent = requests.get(href, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    return consent.headers["Location"]


def test_state_from_replica_a_is_accepted_once_by_b_and_refused_when_replayed_on_a(page, replicas):
    a, b = replicas
    answer = spotify_answer_for_login_on(page, a)
    query = urlsplit(answer).query
    assert answer.startswith(b.url)
    assert "state=" in query
    assert "code=" in query

    page.goto(answer)
    page.get_by_text(re.compile(r"Logged in .*Alice")).first.wait_for(timeout=RUN_TIMEOUT_MS)

    page.context.clear_cookies()
    page.goto(f"{a.url}?{query}")
    wait_for_app(page)
    page.get_by_text(re.compile(r"already used once")).first.wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text(re.compile(r"Logged in .*Alice")).count() == 0
