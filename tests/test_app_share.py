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
    # consumed: a rerun or refresh does not apply the link again
    assert "seeds" not in at.query_params


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
    assert "not" not in at.query_params
    assert "not_artist" not in at.query_params
