"""End to end, as a guest: search → table and radars → slider → CSV; share links."""

from __future__ import annotations

import itertools
import json
import zipfile
from urllib.parse import parse_qsl, urlsplit

import polars as pl
import pytest

from recommender.domain import track_url
from recommender.text import artist_names
from tests.browser.e2e import (
    PHONE_GRID,
    RESULTS_GRID,
    Seed,
    add_seed,
    continue_as_guest,
    distinct_seeds,
    download_csv,
    download_csv_changed,
    errors_on,
    move_weight,
    open_home,
    open_recommendations,
    start_app,
    wait_for_recommendations,
    warm_cache,
    weight_selector,
)
from tests.browser.harness import save_failure_artifacts
from ui.results import CLOSE_ON_WIDTH, WHY_WIDTH


@pytest.fixture(scope="module")
def catalog_and_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-guest")
    catalog = warm_cache(root / "cache")
    server = start_app(root, root / "cache")
    yield catalog, server
    server.stop()


@pytest.fixture(scope="module")
def server(catalog_and_server):
    return catalog_and_server[1]


@pytest.fixture(scope="module")
def seeds(catalog_and_server) -> list[Seed]:
    return distinct_seeds(catalog_and_server[0], 3)


@pytest.fixture
def page(request, browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_failure_artifacts(tab, request.node.nodeid, server)
    context.close()


def _check_rows(rows, catalog, seeds: list[Seed]) -> None:
    assert rows, "the CSV has no rows"
    ids = set(catalog.tracks["track_id"].to_list())
    seed_ids = {s.track_id for s in seeds}
    for row in rows:
        assert row["track_id"] in ids
        assert row["track_id"] not in seed_ids
        assert row["answers seed"] in {s.label for s in seeds}
        assert 0 <= float(row["similarity"]) <= 100
        assert row["spotify"] == track_url(row["track_id"])
    assert len({row["track_id"] for row in rows}) == len(rows)


def test_guest_search_radars_slider_and_csv(page, server, catalog_and_server, seeds):
    catalog = catalog_and_server[0]
    picked = seeds[:2]
    open_home(page, server.url)
    continue_as_guest(page)
    for seed in picked:
        add_seed(page, seed)
    open_recommendations(page)
    assert page.locator(".st-key-radar_profile .js-plotly-plot .polarlayer").count() == 1
    assert page.locator(".st-key-radar_seed_chart .js-plotly-plot .polarlayer").count() == 1
    caption = page.get_by_text(" tracks for ").first.inner_text()

    before = download_csv(page)
    _check_rows(before, catalog, picked)
    assert caption.startswith(f"{len(before)} tracks for ")

    assert move_weight(page, "energy", "End") == "3.00"
    wait_for_recommendations(page)
    after = download_csv_changed(page, before)
    _check_rows(after, catalog, picked)
    assert after != before, "moving weight_energy to 3 did not change the table"
    assert errors_on(page) == []


def test_share_link_in_a_fresh_browser(page, server, catalog_and_server, seeds):
    catalog = catalog_and_server[0]
    shared = seeds[1:3]
    unknown = "0" * 22
    ids = ",".join([*(s.track_id for s in shared), unknown])
    page.goto(f"{server.url}?seeds={ids}&weights=energy:2")
    page.wait_for_url("**/recommendations*", timeout=60_000)
    wait_for_recommendations(page)
    # The address holds the list as read: the known seeds and the weight, not the unknown id.
    query = _query(page.url)
    assert query["seeds"] == f"{shared[0].track_id},{shared[1].track_id}"
    assert query["weights"] == "energy:2"
    assert page.get_by_text("not in the catalog").count() >= 1
    assert page.locator(weight_selector("energy")).get_attribute("aria-valuetext") == "2.00"
    rows = download_csv(page)
    _check_rows(rows, catalog, shared)
    assert {row["answers seed"] for row in rows} == {s.label for s in shared}


def test_copy_for_spotify_puts_one_track_link_per_listed_track_on_the_clipboard(
    browser, server, seeds
):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    try:
        ids = ",".join(s.track_id for s in seeds[:2])
        page.goto(f"{server.url}?seeds={ids}")
        page.wait_for_url("**/recommendations*", timeout=60_000)
        wait_for_recommendations(page)
        listed = [row["track_id"] for row in download_csv(page)]
        button = page.frame_locator("iframe[srcdoc*='id=\"copy\"']").locator("#copy")
        button.scroll_into_view_if_needed()
        assert button.inner_text() == f"Copy {len(listed)} track links for Spotify"
        button.click()
        status = page.frame_locator("iframe[srcdoc*='id=\"copy\"']").locator("#done")
        status.filter(has_text="Copied").wait_for(timeout=10_000)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.splitlines() == [track_url(track_id) for track_id in listed]
        assert status.inner_text() == f"Copied {len(listed)} links."
        # No login is configured on this server: nothing may point at one.
        shown = page.locator('[data-testid="stMain"]').inner_text()
        assert "Log in on Home" not in shown
        assert "Use your own Spotify app" in shown  # the listener's own app exists
    finally:
        context.close()


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _address_says(page, name: str, value: str | None) -> None:
    """Wait until the page's address holds ``name=value`` (None: no such parameter)."""
    page.wait_for_url(lambda url: _query(url).get(name) == value, timeout=60_000)


def _first_ids(rows, n: int = 20) -> list[str]:
    return [row["track_id"] for row in rows[:n]]


def test_reload_and_a_fresh_browser_keep_the_list_with_discover_and_options(
    page, browser, server, seeds
):
    open_home(page, server.url)
    continue_as_guest(page)
    for seed in seeds[:3]:
        add_seed(page, seed)
    open_recommendations(page)
    before = download_csv(page)
    page.get_by_test_id("stSidebarUserContent").get_by_text("List options").click()
    page.locator(".st-key-discover label").click()
    _address_says(page, "discover", "1")
    per_seed = page.locator(".st-key-per_seed input")
    per_seed.fill("7")
    per_seed.press("Enter")
    _address_says(page, "per_seed", "7")
    assert move_weight(page, "valence", "End") == "3.00"
    _address_says(page, "weights", "valence:3")
    wait_for_recommendations(page)
    listed = download_csv_changed(page, before)
    assert len(listed) == 21  # 7 per seed
    seed_artists = {a for s in seeds[:3] for a in s.artists}
    assert not any(row["artists"] in seed_artists for row in listed)
    address = page.url

    page.reload()
    wait_for_recommendations(page)
    assert _first_ids(download_csv(page)) == _first_ids(listed)
    assert _query(page.url) == _query(address)

    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    try:
        fresh = context.new_page()
        fresh.goto(address)
        fresh.wait_for_url("**/recommendations*", timeout=60_000)
        wait_for_recommendations(fresh)
        assert _first_ids(download_csv(fresh)) == _first_ids(listed)
        assert errors_on(fresh) == []
    finally:
        context.close()


def _history_zip(path, seeds: list[Seed]) -> None:
    """A Spotify "Account data" export zip whose plays are these real catalog songs."""
    plays = [
        {
            "endTime": f"2025-0{1 + i}-01 12:00",
            "artistName": seed.artists[0],
            "trackName": seed.name,
            "msPlayed": 240_000 * (len(seeds) - i),
        }
        for i, seed in enumerate(seeds)
    ]
    plays.append(  # a podcast-length skip: under 30 s, not a play
        {"endTime": "2025-06-01 12:00", "artistName": "x", "trackName": "y", "msPlayed": 4_000}
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "Spotify Account Data/StreamingHistory_music_0.json", json.dumps(plays, indent=1)
        )
        archive.writestr("Spotify Account Data/Userdata.json", json.dumps({"username": "me"}))


def _upload_and_await_seeds(page, server, upload, seeds) -> None:
    """As a guest, upload ``upload`` on Home and wait until ``seeds`` are the listed seeds."""
    open_home(page, server.url)
    continue_as_guest(page)
    page.locator(".st-key-history_upload input[type=file]").set_input_files(upload)
    for seed in seeds:
        page.locator(f'[class*="remove_{seed.track_id}"] button').wait_for(timeout=60_000)
    # The sidebar's count is written at the end of the run: await it, do not read it once.
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text(f"{len(seeds)} seed track(s) from upload").wait_for(timeout=60_000)


def test_guest_with_an_uploaded_history_zip(page, server, catalog_and_server, tmp_path):
    catalog = catalog_and_server[0]
    history = distinct_seeds(catalog, 3, skip=400)
    upload = tmp_path / "my_spotify_data.zip"
    _history_zip(upload, history)
    _upload_and_await_seeds(page, server, upload, history)
    open_recommendations(page)
    rows = download_csv(page)
    _check_rows(rows, catalog, history)
    assert errors_on(page) == []


def test_a_whole_export_gives_seeds_from_its_playlist_and_library(
    page, server, catalog_and_server, tmp_path
):
    from tests.history_exports import library_json, playlists_json, podcast_json

    catalog = catalog_and_server[0]
    picked = distinct_seeds(catalog, 4, skip=900)
    in_playlist, in_library = picked[:2], picked[2:]
    upload = tmp_path / "my_spotify_data.zip"
    plays = [
        {
            "endTime": "2025-01-01 12:00",
            "artistName": "Nobody",
            "trackName": f"Unknown {i}",
            "msPlayed": 600_000,
        }
        for i in range(3)
    ]
    with zipfile.ZipFile(upload, "w") as archive:
        root = "Spotify Account Data/"
        archive.writestr(f"{root}StreamingHistory_music_0.json", json.dumps(plays))
        archive.writestr(
            f"{root}StreamingHistory_podcast_0.json", podcast_json([("A show", "Ep 1", 900_000)])
        )
        archive.writestr(
            f"{root}Playlist1.json",
            playlists_json({"Mine": [(s.name, s.artists[0], s.track_id) for s in in_playlist]}),
        )
        archive.writestr(
            f"{root}YourLibrary.json",
            library_json([(s.name, s.artists[0], s.track_id) for s in in_library]),
        )
    # The music plays matched nothing: all four seeds come from the playlist and the library,
    # and the podcast member is skipped, not an error.
    assert len(picked) == 4
    _upload_and_await_seeds(page, server, upload, picked)
    assert page.get_by_text("What was read from each file (4)").count() == 1
    assert errors_on(page) == []


_SCROLLED = """() => window.scrollY + Math.max(
    0, ...Array.from(document.querySelectorAll('*'), (el) => el.scrollTop))"""


def _on_first_screen(page, locator) -> None:
    """Nothing is scrolled and ``locator`` lies wholly inside the viewport (no scroll needed)."""
    locator.wait_for(timeout=60_000)
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert page.evaluate(_SCROLLED) == 0
    assert 0 <= box["y"] <= box["y"] + box["height"] <= viewport["height"], box
    assert 0 <= box["x"] <= box["x"] + box["width"] <= viewport["width"], box


def test_guest_reaches_the_table_with_enter_and_two_clicks_without_scrolling(
    browser, server, seeds
):
    """Landing -> typed query, Enter -> Add -> Get recommendations -> table, at 1440x900."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url)
        search = page.locator(".st-key-guest_search input")
        _on_first_screen(page, search)
        page.evaluate(
            """() => { window.__clicks = 0; document.addEventListener(
                'click', (e) => { if (e.isTrusted) window.__clicks += 1; }, true); }"""
        )
        search.focus()  # typing is not a click: the box is the first field on the page
        page.keyboard.type(seeds[0].query)
        page.keyboard.press("Enter")
        add = page.locator(f'[class*="add_{seeds[0].track_id}"] button')
        _on_first_screen(page, add)
        add.click()
        go = page.locator(".st-key-get_recommendations button")
        _on_first_screen(page, go)
        assert "Get recommendations" in go.inner_text()
        go.click()
        page.wait_for_url("**/recommendations*", timeout=60_000)
        table = page.locator(RESULTS_GRID).first
        table.wait_for(timeout=60_000)
        # The list starts on the first screen: its header and first rows are in view.
        top = table.bounding_box()
        assert top is not None
        assert top["y"] + 150 <= 900, top
        assert page.evaluate(_SCROLLED) == 0
        assert page.evaluate("window.__clicks") == 2
        table.locator("table tbody tr").first.wait_for(state="attached", timeout=60_000)
        assert errors_on(page) == []
    except AssertionError:
        save_failure_artifacts(page, "two_clicks_to_the_table", server)
        raise
    finally:
        context.close()


_WIDE_RESIZABLE = '[class*="st-key-results_table"] [data-testid="stDataFrameResizable"]'
_PHONE_RESIZABLE = '[class*="st-key-phone_list_"] [data-testid="stDataFrameResizable"]'


def _select_row(page, row: int, selector: str = _WIDE_RESIZABLE) -> None:
    """Click the row's selection box at the left edge of the list's grid (drawn on a canvas)."""
    # Right after a "not this" the old list and its replacement (a fresh key) are both on the
    # page until the run ends; a person clicks the list once it has settled into one.
    page.wait_for_function(
        """selector => document.querySelectorAll(selector).length === 1
            && document.querySelector('[data-testid="stApp"]')
                ?.getAttribute('data-test-script-state') === 'notRunning'""",
        arg=selector,
        timeout=60_000,
    )
    grid = page.locator(selector)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    y = box["y"] + 35 * (row + 1) + 17
    height = page.viewport_size["height"]
    if y > height - 35:  # below the screen: scroll the row up to the screen's middle
        grid.evaluate(
            "(el, by) => { let s = el.parentElement; while (s && s.scrollHeight <= s.clientHeight)"
            " s = s.parentElement; (s || document.scrollingElement).scrollBy(0, by); }",
            y - height / 2,
        )
        box = grid.bounding_box()
        assert box is not None
        y = box["y"] + 35 * (row + 1) + 17
    x = box["x"] + 18
    page.mouse.move(x, y)  # the selection box shows on hover
    page.mouse.click(x, y)


def test_select_listen_and_not_this_artist(page, server, catalog_and_server, seeds):
    shared = seeds[:2]
    page.goto(f"{server.url}?seeds={','.join(s.track_id for s in shared)}")
    page.wait_for_url("**/recommendations*", timeout=60_000)
    wait_for_recommendations(page)
    rows = download_csv(page)
    _select_row(page, 0)
    player = page.locator('iframe[src*="open.spotify.com/embed/track/"]').first
    player.wait_for(state="attached", timeout=60_000)
    assert (
        player.get_attribute("src") == f"https://open.spotify.com/embed/track/{rows[0]['track_id']}"
    )
    artist = rows[0]["artists"].split(", ")[0]
    page.locator(".st-key-exclude_artist button").first.click()
    page.locator(".st-key-include_artist_0 button").wait_for(timeout=60_000)
    after = download_csv_changed(page, rows)
    assert after
    # No row stays highlighted: the selection went with the track.
    grid_rows = page.locator('[class*="st-key-results_table"] table tbody tr[aria-selected="true"]')
    assert grid_rows.count() == 0
    assert not any(artist in row["artists"] for row in after)
    # The next rerun (a weight move) keeps the artist out.
    move_weight(page, "energy", "End")
    wait_for_recommendations(page)
    moved = download_csv_changed(page, after)
    assert not any(artist in row["artists"] for row in moved)
    assert errors_on(page) == []


def test_ten_quick_not_this_clicks_on_ten_rows_give_ten_exclusions(page, server, seeds):
    """Each click follows its row's selection as soon as the button shows: none is lost."""
    page.goto(f"{server.url}?seeds={','.join(s.track_id for s in seeds[:2])}")
    page.wait_for_url("**/recommendations*", timeout=60_000)
    wait_for_recommendations(page)
    chips = page.locator('[class*="st-key-include_track_"] button')
    button = page.locator(".st-key-exclude_track button")
    try:
        for done in range(10):
            _select_row(page, done % 3)
            button.wait_for(state="visible", timeout=60_000)
            button.click()
            # The chip is the click's visible outcome; a lost click would never draw it.
            page.wait_for_function(
                "([selector, n]) => document.querySelectorAll(selector).length === n",
                arg=['[class*="st-key-include_track_"] button', done + 1],
                timeout=60_000,
            )
        # One chip per distinct track (their keys are the track ids).
        assert chips.count() == 10
        assert errors_on(page) == []
    except Exception:  # an assertion or a timeout: keep what the page showed, then fail
        save_failure_artifacts(page, "ten_not_this_clicks", server)
        raise


def test_at_phone_width_the_list_comes_before_the_radars(browser, server, seeds):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{server.url}?seeds={seeds[0].track_id}")
        page.wait_for_url("**/recommendations*", timeout=60_000)
        wait_for_recommendations(page)
        # The phone's grid is the one shown; the laptop's is in the page but takes no room.
        assert page.locator(RESULTS_GRID).bounding_box() is None
        table = page.locator('[class*="st-key-phone_list_"]').bounding_box()
        radar = page.locator(".st-key-radar_profile").bounding_box()
        assert table is not None
        assert radar is not None
        assert table["y"] + table["height"] <= radar["y"], (table, radar)
        # The whole list is drawn at its full height: no scroll box inside the page.
        caption = page.get_by_text(" tracks for ").first.inner_text()
        shown = int(caption.split()[0])
        box = page.locator(_PHONE_RESIZABLE).bounding_box()
        assert box is not None
        assert box["height"] >= 35 * (shown + 1), (box, shown)
    except AssertionError:
        save_failure_artifacts(page, "phone_width_order", server)
        raise
    finally:
        context.close()


def _famous_seeds(catalog, n: int = 3) -> list[Seed]:
    """The most popular track of each of the ``n`` artists with the most catalog tracks."""
    tracks = catalog.tracks.filter(pl.col("artists").list.len() == 1).with_columns(
        pl.col("artists").list.first().alias("_artist")
    )
    busiest = tracks.group_by("_artist").len().sort(["len", "_artist"], descending=[True, False])
    seeds = []
    for artist in busiest["_artist"].head(n).to_list():
        row = (
            tracks.filter(pl.col("_artist") == artist)
            .sort(["popularity", "track_id"], descending=[True, False], nulls_last=True)
            .row(0, named=True)
        )
        seeds.append(Seed(row["track_id"], row["name"], tuple(row["artists"])))
    return seeds


def test_famous_seeds_leave_most_of_the_first_20_to_other_artists_in_an_order_that_reads(
    page, catalog_and_server
):
    """Decision 0006: at most 5 of each 20 credit a seed's artist; a rise says why."""
    catalog, server = catalog_and_server
    seeds = _famous_seeds(catalog)
    page.goto(f"{server.url}?seeds={','.join(s.track_id for s in seeds)}&limit=20")
    page.wait_for_url("**/recommendations*", timeout=60_000)
    wait_for_recommendations(page)
    rows = download_csv(page)[:20]
    assert len(rows) == 20
    seed_artists = {name for s in seeds for name in artist_names(s.artists)}
    credits = dict(
        catalog.tracks.filter(pl.col("track_id").is_in([r["track_id"] for r in rows]))
        .select("track_id", "artists")
        .iter_rows()
    )
    by_seed_artist = [
        r["title"] for r in rows if seed_artists & set(artist_names(credits[r["track_id"]]))
    ]
    # The seeds' artists have dozens of tracks each: without the rule they would fill the list.
    assert 1 <= len(by_seed_artist) <= 5, by_seed_artist
    for above, row in itertools.pairwise(rows):
        rises = float(row["similarity"]) > float(above["similarity"]) + 0.05
        assert not rises or row["why"].startswith("moved down"), (above, row)


# The widest drawn text of one column of a grid, measured in the grid's own font (the grid
# is a canvas; its accessible table holds each cell's text).
_CELL_TEXT_WIDTHS = """async ([grid, column]) => {
    await document.fonts.ready;
    const root = document.querySelector(grid);
    const canvas = root.querySelector('canvas');
    const context = document.createElement('canvas').getContext('2d');
    context.font = `14px ${getComputedStyle(canvas).fontFamily}`;
    return Array.from(
        root.querySelectorAll(`table tbody td[aria-colindex="${column}"]`),
        (td) => [td.textContent, context.measureText(td.textContent).width]);
}"""
_CELL_PADDING = 2 * 8  # the grid's horizontal padding on each side of a cell's text


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_no_reason_is_cut_and_a_selected_rows_player_is_on_screen(
    browser, catalog_and_server, width, height
):
    """Decision 0006's layout: the reasons fit their cells; the player shows on selection."""
    catalog, server = catalog_and_server
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    phone = width < 640
    grid, resizable = (PHONE_GRID, _PHONE_RESIZABLE) if phone else (RESULTS_GRID, _WIDE_RESIZABLE)
    # The reasons' column: the 3rd of the phone's grid, the 4th ("why") of the laptop's.
    column, room = (3, CLOSE_ON_WIDTH) if phone else (4, WHY_WIDTH)
    try:
        ids = ",".join(s.track_id for s in _famous_seeds(catalog))
        page.goto(f"{server.url}?seeds={ids}&limit=20")
        page.wait_for_url("**/recommendations*", timeout=60_000)
        wait_for_recommendations(page)
        assert page.locator(grid).is_visible()
        # The grid fills its accessible table after it is drawn: await all 20 rows.
        page.wait_for_function(
            "([grid, column]) => document.querySelectorAll("
            '`${grid} table tbody td[aria-colindex="${column}"]`).length === 20',
            arg=[grid, column],
            timeout=60_000,
        )
        cells = page.evaluate(_CELL_TEXT_WIDTHS, [grid, column])
        assert len(cells) == 20, cells
        assert sum(1 for text, _ in cells if text) >= 15, cells  # the check reads reasons
        cut = [(text, round(drawn)) for text, drawn in cells if drawn + _CELL_PADDING > room]
        assert not cut, (room, cut)
        players = page.locator('.st-key-result_detail iframe[src*="open.spotify.com/embed/track/"]')
        # The first row, then (on a phone, after scrolling down) the last one.
        for row in (0, 19) if phone else (0,):
            _select_row(page, row, resizable)
            players.first.wait_for(timeout=60_000)
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stApp\"]')"
                "?.getAttribute('data-test-script-state') === 'notRunning'",
                timeout=60_000,
            )
            box = players.first.bounding_box()
            assert box is not None
            assert 0 <= box["y"] <= box["y"] + box["height"] <= height, (row, box)
            assert 0 <= box["x"] <= box["x"] + box["width"] <= width, (row, box)
        assert errors_on(page) == []
    except Exception:  # an assertion or a timeout: keep what the page showed, then fail
        save_failure_artifacts(page, f"layout_{width}x{height}", server)
        raise
    finally:
        context.close()
