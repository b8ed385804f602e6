"""Nothing from the address bar is rendered as markup, in a real browser (issue 14).

Spotify is configured against the loopback fake (without it ``?error=`` is ignored). A second
loopback server plays the attacker's host: ``?error=``, ``?seeds=`` and ``&weights=`` carry a
Markdown link, a Markdown image and raw HTML pointing at it, and the page must hold no anchor
or image pointing there and the browser must send it no request (counted both in the browser
and by the server itself; only that host counts: Spotify's embed player may load).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final
from urllib.parse import quote, urlsplit

import polars as pl
import pytest

from tests.browser.e2e import build_real_fake, start_app, warm_cache
from tests.browser.harness import RUN_TIMEOUT_MS, save_failure_artifacts, wait_for_render

ALERT: Final = '[data-testid="stAlert"]'
# A 1x1 transparent PNG: what a tracking pixel answers.
_PIXEL: Final = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082"
)


class _Attacker(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AttackerHandler)
        self.paths: list[str] = []
        self.lock = threading.Lock()

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _AttackerHandler(BaseHTTPRequestHandler):
    server: _Attacker

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(_PIXEL)))
        self.end_headers()
        self.wfile.write(_PIXEL)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def attacker() -> Iterator[_Attacker]:
    server = _Attacker()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-markup")
    catalog = warm_cache(root / "cache")
    fake = build_real_fake(catalog)
    server = start_app(root, root / "cache", fake=fake)
    yield catalog, server
    server.stop()
    fake.stop()


@pytest.fixture
def page(request, browser, env):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_failure_artifacts(tab, request.node.nodeid, env[1])
    context.close()


def payloads(host: str) -> list[str]:
    """A Markdown link, a Markdown image and raw HTML (plus a bare URL) at the attacker's host."""
    return [
        f"[Spotify support](http://{host}/md-link)",
        f"![pixel](http://{host}/md-image.png)",
        f'<img src="http://{host}/html-image.png"><a href="http://{host}/html-link">help</a>',
        f"http://{host}/bare www.{host.split(':')[0]}.example",
    ]


def _visit(page, url: str, attacker: _Attacker) -> dict[str, int]:
    """Open ``url``, wait for the page to settle, and count what points at the attacker."""
    host = attacker.netloc
    requested: list[str] = []
    # Every request the page makes, images included.
    page.on("request", lambda request: requested.append(request.url))
    with attacker.lock:
        attacker.paths.clear()
    page.goto(url)
    wait_for_render(page)
    page.locator(ALERT).first.wait_for(timeout=RUN_TIMEOUT_MS)
    # Give lazily decoded images a moment to start their requests.
    page.wait_for_timeout(1500)
    with attacker.lock:
        served = len(attacker.paths)
    anchors = page.locator(f'a[href*="{host}"]')
    return {
        "anchors": anchors.count(),
        "images": page.locator(f'img[src*="{host}"], img[srcset*="{host}"]').count(),
        "requests from the browser": sum(urlsplit(u).netloc == host for u in requested),
        "requests served": served,
        "alerts": page.locator(ALERT).count(),
    }


def _alert_text(page) -> str:
    """The first alert as people read it (ui.plain's invisible word joiners removed)."""
    return page.locator(ALERT).first.inner_text().replace("\u2060", "")


def _nothing_points_at_the_attacker(counts: dict[str, int]) -> None:
    assert counts["anchors"] == 0, counts
    assert counts["images"] == 0, counts
    assert counts["requests from the browser"] == 0, counts
    assert counts["requests served"] == 0, counts


def _known_ids(catalog, n: int) -> list[str]:
    return catalog.tracks.filter(pl.col("name").is_not_null())["track_id"].head(n).to_list()


def test_oauth_error_shows_our_sentence_and_no_markup(page, env, attacker):
    server = env[1]
    payload = " ".join(payloads(attacker.netloc))
    url = f"{server.url}?error={quote(payload)}&error_description={quote(payload)}"
    counts = _visit(page, url, attacker)
    _nothing_points_at_the_attacker(counts)
    alert = _alert_text(page)
    assert "Spotify did not complete the login" in alert
    assert attacker.netloc not in page.content()


def test_seeds_with_markup_are_shown_literally(page, env, attacker):
    catalog, server = env
    pieces = payloads(attacker.netloc)[:3]  # commas split pieces; these hold none
    seeds = ",".join([*(quote(p, safe="") for p in pieces), *_known_ids(catalog, 2)])
    counts = _visit(page, f"{server.url}?seeds={seeds}", attacker)
    _nothing_points_at_the_attacker(counts)
    text = _alert_text(page)
    # Shown, literally: the reader sees what the link held, as text.
    assert "3 ids are not Spotify track ids" in text
    # (each bad piece is shown cut to 40 characters)
    assert "![pixel](http://127.0.0.1" in text
    assert "[Spotify support](http://127.0.0.1" in text
    assert "<img src=" in text


def test_weights_with_markup_are_shown_literally(page, env, attacker):
    catalog, server = env
    pieces = [f"energy:{p}" for p in payloads(attacker.netloc)[:3]]
    weights = ",".join(quote(p, safe="") for p in pieces)
    seeds = ",".join(_known_ids(catalog, 2))
    counts = _visit(page, f"{server.url}?seeds={seeds}&weights={weights}", attacker)
    _nothing_points_at_the_attacker(counts)
    text = _alert_text(page)
    assert "3 weights ignored" in text
    assert "[Spotify support](http://127.0.0.1" in text


def test_catalog_titles_with_markdown_characters_display_literally(page, env, attacker):
    catalog, server = env
    titled = catalog.tracks.filter(
        pl.col("artists").list.join(", ").str.contains("$", literal=True)
        | pl.col("name").str.contains("**", literal=True)
    ).head(2)
    if titled.height == 0:
        pytest.skip("no catalog title or artist with '$' or '**' in these datasets")
    seeds = ",".join(titled["track_id"].to_list())
    page.goto(f"{server.url}?seeds={seeds}")
    wait_for_render(page)
    page.get_by_role("link", name="Home").first.click()
    # The click starts a rerun a moment later: await Home itself, not just a quiet page.
    page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") in ("", "/home"))
    wait_for_render(page)
    main = page.locator('[data-testid="stMain"]')
    for row in titled.iter_rows(named=True):
        label = f"{row['name']} — {', '.join(row['artists'])}"
        main.get_by_text(label, exact=False).first.wait_for(timeout=RUN_TIMEOUT_MS)
    body = main.inner_text()
    for row in titled.iter_rows(named=True):
        label = f"{row['name']} — {', '.join(row['artists'])}"
        assert label in body
    assert page.locator(".katex, strong em, em strong").count() == 0


def test_thousands_of_malformed_ids_draw_at_most_two_alert_boxes(page, env, attacker):
    server = env[1]
    seeds = ",".join(f"bad-{n}" for n in range(3_000))
    counts = _visit(page, f"{server.url}?seeds={seeds}", attacker)
    assert counts["alerts"] <= 2, counts
    text = _alert_text(page)
    assert "1,000 ids are not Spotify track ids: bad-0, bad-1, bad-2 and 997 more" in text
