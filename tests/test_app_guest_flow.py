"""From the guest widgets to the recommendations page, on a made-up catalog (no data needed).

The widgets run in their own AppTest (Home places them; see ``ui/guest.py``); the seeds they
leave in ``st.session_state`` are handed to a fresh AppTest of the whole app, which opens the
recommendations page with them, as the Home page's link does.
"""

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import TIMEOUT_S, new_app, plotly_specs

pytestmark = pytest.mark.slow
SEED_KEYS = ("seed_ids", "seed_source", "seed_profiles")


def real_guest_app():
    from recommender.data.store import load_catalog
    from recommender.settings import Settings
    from tests.guest_support import guest_panel

    guest_panel(load_catalog(Settings.from_sources()))


@pytest.fixture
def widgets(monkeypatch, generated_app_settings, generated_catalog):
    new_app(monkeypatch, generated_app_settings)  # the same environment as the whole app
    return AppTest.from_function(real_guest_app, default_timeout=TIMEOUT_S).run()


def recommendations_for(monkeypatch, generated_app_settings, widgets):
    app = new_app(monkeypatch, generated_app_settings)
    for key in SEED_KEYS:
        app.session_state[key] = widgets.session_state[key]
    at = app.run().switch_page("pages/recommendations.py").run()
    assert not at.exception
    return at


def assert_recommended(at, seeds):
    table = at.dataframe[0].value
    assert len(table) > 0
    assert len(table["answers seed"].unique()) == len(seeds)
    assert len(plotly_specs(at)) == 2  # the listener's radar and a seed's radar


def test_from_search(monkeypatch, generated_app_settings, widgets, generated_catalog):
    widgets.text_input(key="guest_search").input("son 007 artis").run()  # prefixes
    song = generated_catalog.tracks.filter(pl.col("name") == "Song 007")["track_id"][0]
    widgets.button(key=f"guest_add_{song}").click().run()
    assert list(widgets.session_state["seed_ids"]) == [song]
    at = recommendations_for(monkeypatch, generated_app_settings, widgets)
    assert_recommended(at, [song])


def test_from_surprise_me(monkeypatch, generated_app_settings, widgets):
    widgets.button(key="surprise_me").click().run()
    seeds = list(widgets.session_state["seed_ids"])
    assert len(seeds) == 5
    at = recommendations_for(monkeypatch, generated_app_settings, widgets)
    assert_recommended(at, seeds)


def upload(widgets, generated_catalog, *, b_side):
    popular = (
        generated_catalog.tracks.drop_nulls("popularity")
        .sort(["popularity", "track_id"], descending=[True, False])
        .head(2)
    )
    (a_name, a_artists), (b_name, b_artists) = popular.select("name", "artists").rows()
    rows = [(a_name, a_artists[0], 600_000), (b_name, b_artists[0], 500_000)]
    if b_side:
        rows.append(("A B-side the catalog has never heard of", a_artists[0], 400_000))
    data = json.dumps(
        [
            {"endTime": "2024-01-01 10:00", "artistName": a, "trackName": t, "msPlayed": ms}
            for t, a, ms in rows
        ]
    ).encode()
    widgets.file_uploader(key="history_upload").set_value(
        [("StreamingHistory_music_0.json", data, "application/json")]
    ).run()
    assert not widgets.exception
    return list(widgets.session_state["seed_ids"])


def test_from_an_upload(monkeypatch, generated_app_settings, widgets, generated_catalog):
    seeds = upload(widgets, generated_catalog, b_side=False)
    assert len(seeds) == 2
    assert widgets.session_state["seed_source"] == "upload"
    at = recommendations_for(monkeypatch, generated_app_settings, widgets)
    assert_recommended(at, seeds)


def test_from_an_upload_with_an_approximate_seed(
    monkeypatch, generated_app_settings, widgets, generated_catalog
):
    seeds = upload(widgets, generated_catalog, b_side=True)
    assert len(seeds) == 3
    assert list(widgets.session_state["seed_profiles"]) == [seeds[2]]
    at = recommendations_for(monkeypatch, generated_app_settings, widgets)
    assert_recommended(at, seeds)
