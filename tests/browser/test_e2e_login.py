"""End to end with Spotify (the loopback fake): login in the same tab, time range, save, errors.

The fake's users' top tracks are real catalog tracks (plus the fake's special cases), so a
logged-in listener gets real recommendations. Each test uses a fresh browser context.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from tests.browser.e2e import (
    add_seed,
    build_real_fake,
    continue_as_guest,
    distinct_seeds,
    download_csv,
    errors_on,
    files_containing,
    issued_tokens,
    open_home,
    open_recommendations,
    project_roots,
    start_app,
    wait_for_recommendations,
    wait_rerun,
    warm_cache,
)
from tests.browser.harness import RUN_TIMEOUT_MS, save_failure_artifacts, wait_for_app


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-login")
    catalog = warm_cache(root / "cache")
    fake = build_real_fake(catalog)
    server = start_app(root, root / "cache", fake=fake)
    yield catalog, fake, server
    server.stop()
    fake.stop()
    assert not fake.removed_calls(), "the app called endpoints Spotify removed"


@pytest.fixture
def fake(env):
    fake = env[1]
    yield fake
    with fake._lock:
        fake.faults.clear()
    fake.login_as("alice")


@pytest.fixture
def page(request, browser, env):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_failure_artifacts(tab, request.node.nodeid, env[2])
    context.close()


def log_in(page, url: str) -> None:
    """Click the same-tab login anchor and come back from the fake's consent page."""
    open_home(page, url)
    page.get_by_role("link", name="Log in with Spotify").first.click()
    page.wait_for_url(re.compile(re.escape(url)), timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(
        "() => !location.search.includes('code=') && !location.search.includes('state=')",
        timeout=RUN_TIMEOUT_MS,
    )
    wait_for_app(page)


def choose_time_range(page, label: str) -> None:
    """Click a time range and wait until Home lists other seeds than before.

    The seed count alone cannot tell: every range of the fake's users gives 5 seeds.
    """
    page.locator('[class*="st-key-guest_remove_"]').first.wait_for(timeout=RUN_TIMEOUT_MS)
    before = shown_seeds(page)
    page.locator(".st-key-time_range").get_by_text(label, exact=True).click()
    wait_rerun(page)
    wait_for_other_seeds(page, before)


def wait_for_seed_count(page, expected: int) -> None:
    """Wait until Home lists ``expected`` seeds (the run after a click may still be going)."""
    page.get_by_text(f"Your seeds ({expected})", exact=True).first.wait_for(timeout=RUN_TIMEOUT_MS)
    # The heading comes first in its run; the seed list below it is drawn by the same run.
    wait_for_app(page)


def profiled(fake, user: str, time_range: str) -> int:
    """Seeds the app picks from ``user``'s top tracks: the seed policy's 5, or fewer when
    fewer can be profiled (all but the online-only and unknown ones)."""
    special = fake.specials[user]
    usable = sum(
        1 for t in fake.users[user].top[time_range] if t not in {special.online, special.unknown}
    )
    return min(5, usable)


_SHOWN_SEEDS = """() => Array.from(document.querySelectorAll('[class*="st-key-guest_remove_"]'))
    .map((el) => [...el.classList].find((c) => c.startsWith('st-key-guest_remove_')))
    .map((c) => c.slice('st-key-guest_remove_'.length)).sort().join(',')"""


def shown_seeds(page) -> str:
    return page.evaluate(_SHOWN_SEEDS)


def wait_for_other_seeds(page, before: str) -> None:
    """Wait until Home lists other seeds than ``before`` (a time range was switched)."""
    page.wait_for_function(
        f"(before) => ({_SHOWN_SEEDS})() !== before && ({_SHOWN_SEEDS})() !== ''",
        arg=before,
        timeout=RUN_TIMEOUT_MS,
    )


def test_login_time_range_and_save_exactly_the_shown_tracks(page, env, fake):
    _, _, server = env
    log_in(page, server.url)
    assert "code=" not in page.url
    assert len(page.context.pages) == 1, "the login opened another tab"
    assert "state=" not in page.url
    page.get_by_text(re.compile(r"Logged in .*Alice")).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_for_seed_count(page, profiled(fake, "alice", "medium_term"))

    choose_time_range(page, "Last year")
    wait_for_seed_count(page, profiled(fake, "alice", "long_term"))
    open_recommendations(page)
    shown = [row["track_id"] for row in download_csv(page)]
    assert shown

    created_before = len(fake.requests("POST", "/v1/me/playlists"))
    owned_before = {p.playlist_id for p in fake.playlists_of("alice")}
    page.locator(".st-key-save_playlist button").dblclick()
    page.get_by_text(re.compile(r"^Saved \".+\" with \d+ tracks\.$")).wait_for(
        timeout=RUN_TIMEOUT_MS
    )
    wait_rerun(page)
    # The second click of the double click resumes the same save: still one playlist.
    page.locator(".st-key-save_playlist button").click()
    wait_rerun(page)
    new = [p for p in fake.playlists_of("alice") if p.playlist_id not in owned_before]
    assert len(new) == 1
    assert new[0].items == [f"spotify:track:{t}" for t in shown]
    creates = fake.requests("POST", "/v1/me/playlists")[created_before:]
    assert [r.user for r in creates] == ["alice"]
    assert not fake.requests("POST", r"/v1/users/.*")
    # The callback's one-time code and state were replaced in place, not left in the address.
    assert "code=" not in page.evaluate("location.href")
    assert errors_on(page) == []


def _refused_login(page, fake, server):
    fake.deny_next_login()
    log_in(page, server.url)


def _not_allow_listed(page, fake, server):
    fake.login_as("mallory")
    log_in(page, server.url)


def _spotify_down(page, fake, server):
    fake.inject("GET", "/v1/me/top/tracks", status=503, count=100)
    log_in(page, server.url)


def _rate_limited(page, fake, server):
    fake.inject("GET", "/v1/me/top/tracks", status=429, retry_after=30, count=100)
    log_in(page, server.url)


@pytest.mark.parametrize(
    ("provoke", "message"),
    [
        (_refused_login, "You did not allow access on Spotify's page."),
        (_not_allow_listed, "not on this app's allow-list"),
        (_spotify_down, "Spotify is having trouble (HTTP 503)."),
        (_rate_limited, "too many requests"),
    ],
    ids=["consent-refused", "not-allow-listed-403", "spotify-down-5xx", "rate-limited-429"],
)
def test_spotify_failure_shows_its_message_and_guest_mode_still_works(
    page, env, fake, provoke, message
):
    catalog, _, server = env
    provoke(page, fake, server)
    page.get_by_text(message).first.wait_for(timeout=RUN_TIMEOUT_MS)
    if provoke is _rate_limited:
        page.get_by_text("Try again in 30 seconds.").wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
    seed = distinct_seeds(catalog, 1, skip=5)[0]
    continue_as_guest(page)
    add_seed(page, seed)
    open_recommendations(page)
    wait_for_recommendations(page)
    rows = download_csv(page)
    assert rows
    assert {row["answers seed"] for row in rows} == {seed.label}


class Watched:
    """A browser context whose every URL, websocket frame and page HTML is kept for scanning."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.urls: list[str] = []
        self.frames: list[bytes] = []
        self.html: list[str] = []
        self.context.on("request", lambda request: self.urls.append(request.url))
        self.page.on("framenavigated", lambda frame: self.urls.append(frame.url))
        self.page.on("websocket", self._socket)

    def _socket(self, socket) -> None:
        def keep(payload) -> None:
            self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

        socket.on("framereceived", keep)
        socket.on("framesent", keep)

    def snapshot(self) -> str:
        html = self.page.content()
        self.html.append(html)
        self.urls.append(self.page.evaluate("location.href"))
        return self.page.inner_text("body")

    def leaks(self, tokens: set[str]) -> list[str]:
        found = [f"url {u}" for u in self.urls for t in tokens if t in u]
        found += ["websocket frame" for f in self.frames for t in tokens if t.encode() in f]
        found += ["page html" for h in self.html for t in tokens if t in h]
        storage = str(self.context.storage_state())
        found += ["cookies/storage" for t in tokens if t in storage]
        return found


def _labels(catalog, track_ids) -> set[str]:
    rows = catalog.tracks.filter(pl.col("track_id").is_in(list(track_ids)))
    labels = {f"{r['name']} — {', '.join(r['artists'])}" for r in rows.iter_rows(named=True)}
    # Markdown would restyle these characters; compare only labels shown verbatim.
    return {label for label in labels if not re.search(r"[*_\[\]`~<>#$\\|]", label)}


def test_two_listeners_at_once_stay_apart_and_no_token_leaks(browser, env, fake, request):
    catalog, _, server = env
    alice, bob = Watched(browser), Watched(browser)
    try:
        fake.login_as("alice")
        log_in(alice.page, server.url)
        fake.login_as("bob")
        log_in(bob.page, server.url)
        # Interleaved: each step of one listener between two of the other's.
        choose_time_range(alice.page, "Last 4 weeks")
        choose_time_range(bob.page, "Last year")
        wait_for_seed_count(alice.page, profiled(fake, "alice", "short_term"))
        wait_for_seed_count(bob.page, profiled(fake, "bob", "long_term"))
        home = {"alice": alice.snapshot(), "bob": bob.snapshot()}
        open_recommendations(alice.page)
        open_recommendations(bob.page)
        rows = {"alice": download_csv(alice.page), "bob": download_csv(bob.page)}
        before = {u: {p.playlist_id for p in fake.playlists_of(u)} for u in ("alice", "bob")}
        bob.page.locator(".st-key-save_playlist button").click()
        alice.page.locator(".st-key-save_playlist button").click()
        for who in (alice, bob):
            who.page.get_by_text(re.compile(r"^Saved \".+\" with \d+ tracks\.$")).wait_for(
                timeout=RUN_TIMEOUT_MS
            )
        for who in (alice, bob):
            wait_for_app(who.page)
        recs = {"alice": alice.snapshot(), "bob": bob.snapshot()}

        for user, other in (("alice", "bob"), ("bob", "alice")):
            name, other_name = user.capitalize(), other.capitalize()
            for text in (home[user], recs[user]):
                assert f"as {name}" in text
                assert f"as {other_name}" not in text
            top = fake.users[user].top["short_term" if user == "alice" else "long_term"]
            other_top = {t for r in fake.users[other].top.values() for t in r}
            mine = _labels(catalog, top)
            theirs = _labels(catalog, other_top) - mine
            lines = {line.strip() for line in home[user].splitlines()}
            assert mine, "none of the top tracks is in the catalog"
            # The seed policy lists 5 of them as the seeds.
            assert len(mine & lines) >= 3, f"{user} does not see own top tracks: {mine - lines}"
            assert not theirs & lines, f"{user} sees the other's top tracks: {theirs & lines}"
            answered = {row["answers seed"] for row in rows[user]}
            assert not answered & theirs, f"{user}'s table answers {answered & theirs}"
            shown = {a for a in answered if not re.search(r"[*_\[\]`~<>#$\\|]", a)}
            assert shown <= lines, f"{user}'s table answers seeds not listed: {shown - lines}"
            new = [p for p in fake.playlists_of(user) if p.playlist_id not in before[user]]
            assert len(new) == 1
            assert new[0].items == [f"spotify:track:{row['track_id']}" for row in rows[user]]

        tokens = issued_tokens(fake)
        assert len(tokens) >= 4, "the fake issued no access/refresh tokens to scan for"
        # The scans saw real traffic (so an empty result means something).
        assert all(w.frames and w.urls and w.html for w in (alice, bob))
        assert alice.leaks(tokens) == []
        assert bob.leaks(tokens) == []
        assert [t for t in tokens if t in server.log_text()] == []
        assert files_containing(project_roots(server.cache_dir), tokens) == []
    except BaseException:
        save_failure_artifacts(alice.page, request.node.nodeid + "-alice", server)
        save_failure_artifacts(bob.page, request.node.nodeid + "-bob")
        raise
    finally:
        alice.context.close()
        bob.context.close()


def test_a_guests_list_survives_the_login_round_trip(page, env, fake):
    catalog, _, server = env
    seeds = distinct_seeds(catalog, 2, skip=1200)
    ids = ",".join(s.track_id for s in seeds)
    page.goto(f"{server.url}?seeds={ids}&discover=1&per_seed=4")
    page.wait_for_url("**/recommendations*", timeout=RUN_TIMEOUT_MS)
    wait_for_recommendations(page)
    before = [row["track_id"] for row in download_csv(page)]
    assert len(before) == 8
    page.get_by_role("link", name="Home").first.click()
    wait_for_app(page)
    page.get_by_role("link", name="Log in with Spotify").first.click()
    # Back from the fake's consent: logged in, and the list the guest had is open again.
    page.wait_for_url("**/recommendations*", timeout=RUN_TIMEOUT_MS)
    page.get_by_text(re.compile(r"Logged in .*Alice")).first.wait_for(timeout=RUN_TIMEOUT_MS)
    wait_for_recommendations(page)
    assert "code=" not in page.url
    assert "state=" not in page.url
    assert [row["track_id"] for row in download_csv(page)] == before


def test_a_listener_logs_in_with_their_own_app_by_pkce_saves_and_forgets_it(page, env, fake):
    _, _, server = env
    own = "fedcba9876543210fedcba9876543210"
    fake.listener_apps.add(own)
    open_home(page, server.url)
    page.get_by_text("Use your own Spotify app").first.click()
    box = page.locator(".st-key-own_app_client_id input")
    box.fill(own)
    box.press("Enter")
    link = page.get_by_role("link", name="Log in with your app").first
    link.wait_for(timeout=RUN_TIMEOUT_MS)
    href = link.get_attribute("href") or ""
    assert f"client_id={own}" in href
    assert "code_challenge_method=S256" in href
    link.click()
    page.get_by_text(re.compile(r"Logged in .*Alice")).first.wait_for(timeout=RUN_TIMEOUT_MS)
    assert own not in page.url
    token_posts = [r for r in fake.requests("POST", "/api/token") if own in str(r.body)]
    assert token_posts, "the own app's token request did not reach the fake"
    open_recommendations(page)
    before = {p.playlist_id for p in fake.playlists_of("alice")}
    page.locator(".st-key-save_playlist button").click()
    page.get_by_text(re.compile(r'^Saved ".+" with \d+ tracks\.$')).wait_for(timeout=RUN_TIMEOUT_MS)
    assert [p for p in fake.playlists_of("alice") if p.playlist_id not in before]
    page.get_by_role("link", name="Home").first.click()
    page.locator(".st-key-forget_own_app button").click()
    page.get_by_role("link", name="Log in with Spotify").first.wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text(re.compile(r"Logged in .*Alice")).count() == 0
