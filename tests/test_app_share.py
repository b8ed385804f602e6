import polars as pl
import pytest

from tests.app_support import new_app, plotly_specs
from tests.factories import track_id

# Made-up tracks (tests/fake_spotify factory_catalog): no reference data needed.
TITLES = ("Song 007", "Song 123")


@pytest.fixture
def known_ids(generated_app_settings):
    from recommender.data.store import load_catalog

    tracks = load_catalog(generated_app_settings).tracks
    return [tracks.filter(pl.col("name") == title)["track_id"][0] for title in TITLES]


def test_share_link_opens_recommendations_as_a_guest(
    monkeypatch, generated_app_settings, known_ids
):
    at = new_app(monkeypatch, generated_app_settings)
    unknown = track_id(999)  # well-formed, not in the catalog
    at.query_params["seeds"] = ",".join([*known_ids, unknown, "garbage"])
    at.query_params["weights"] = "energy:2,bogus:1"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Recommended for you"
    assert at.session_state["seed_ids"] == known_ids
    assert at.session_state["seed_source"] == "share link"
    assert at.slider(key="weight_energy").value == 2.0
    warnings = "\n".join(w.value for w in at.warning)
    assert unknown in warnings
    assert "garbage" in warnings
    assert "bogus" in warnings
    assert len(at.dataframe[0].value) == 10
    assert len(plotly_specs(at)) == 2
    # The address now holds the list itself: what was wrong in the link is gone from it.
    assert at.query_params["seeds"] == ",".join(known_ids)
    assert at.query_params["weights"] == "energy:2"
    # It is this session's own address: a change is kept, not undone by the next rerun.
    at.slider(key="weight_energy").set_value(1.0).run()
    assert at.query_params["weights"] == "energy:1"
    at.run()
    assert at.slider(key="weight_energy").value == 1.0
    assert at.query_params["weights"] == "energy:1"


def test_share_link_with_only_unknown_ids_explains(monkeypatch, generated_app_settings):
    at = new_app(monkeypatch, generated_app_settings)
    at.query_params["seeds"] = track_id(998)
    at.run()
    assert not at.exception
    assert at.session_state["seed_ids"] == []
    assert any("not in the catalog" in w.value for w in at.warning)
    assert "No seed tracks yet" in at.info[0].value


def test_share_link_carries_the_left_out_tracks_and_artists(
    monkeypatch, generated_app_settings, known_ids
):
    plain_at = new_app(monkeypatch, generated_app_settings)
    plain_at.query_params["seeds"] = ",".join(known_ids)
    plain_at.run()
    table = plain_at.dataframe[0].value
    gone_track = table["track_id"].iloc[0]
    gone_artist = table["artists"].iloc[1].split(", ")[0]

    at = new_app(monkeypatch, generated_app_settings)
    at.query_params["seeds"] = ",".join(known_ids)
    at.query_params["not"] = f"{gone_track},nonsense"
    at.query_params["not_artist"] = gone_artist
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert gone_track not in set(shown["track_id"])
    assert not any(gone_artist in a for a in shown["artists"])
    assert at.button(key=f"include_track_{gone_track}")
    assert gone_artist in at.button(key="include_artist_0").label
    assert ["nonsense" in w.value for w in at.warning].count(True) == 1
    # The address keeps the exclusions (the malformed one dropped); a chip click updates it.
    assert at.query_params["not"] == gone_track
    assert at.query_params["not_artist"] == gone_artist
    at.button(key=f"include_track_{gone_track}").click().run()
    assert "not" not in at.query_params
    assert at.query_params["not_artist"] == gone_artist


def test_the_address_carries_discover_and_the_list_options_both_ways(
    monkeypatch, generated_app_settings, known_ids
):
    at = new_app(monkeypatch, generated_app_settings)
    at.query_params["seeds"] = ",".join(known_ids)
    at.query_params["discover"] = "1"
    at.query_params["per_seed"] = "3"
    at.query_params["popularity"] = "10-90"
    at.query_params["limit"] = "lots"
    at.run()
    assert not at.exception
    assert at.toggle(key="discover").value is True
    assert at.number_input(key="per_seed").value == 3
    assert at.slider(key="popularity_range").value == (10, 90)
    assert any("limit=lots" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 6  # 3 per seed, 2 seeds
    assert at.query_params["discover"] == "1"
    assert "limit" not in at.query_params
    at.number_input(key="per_seed").set_value(4).run()
    assert at.query_params["per_seed"] == "4"
    at.toggle(key="discover").set_value(False).run()
    assert "discover" not in at.query_params
    # A fresh visitor opening this address gets the same list.
    again = new_app(monkeypatch, generated_app_settings)
    for name, value in at.query_params.items():
        again.query_params[name] = value
    again.run()
    assert list(again.dataframe[0].value["track_id"]) == list(at.dataframe[0].value["track_id"])


def test_a_librarys_bans_beyond_a_links_caps_stay_in_the_session_and_the_page_says_so(
    monkeypatch, generated_app_settings
):
    from recommender.data.store import load_catalog
    from tests.history_exports import library_json

    tracks = load_catalog(generated_app_settings).tracks
    rows = tracks.select("track_id", "name", "artists").rows()
    liked = [(name, artists[0], tid) for tid, name, artists in rows[:5]]
    banned = [(name, artists[0], tid) for tid, name, artists in rows[100:160]]
    at = new_app(monkeypatch, generated_app_settings)
    at.run()
    at.file_uploader(key="history_upload").set_value(
        [("YourLibrary.json", library_json(liked, banned_tracks=banned), "application/json")]
    ).run()
    assert not at.exception
    assert len(at.session_state["excluded_tracks"]) == 60
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception
    assert len(at.query_params["not"].split(",")) == 50
    assert any("10 of your left-out tracks and artists" in c.value for c in at.caption)
