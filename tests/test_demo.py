"""The synthetic demo catalog: deterministic, plausible, and never mistaken for real data."""

from __future__ import annotations

import socket

import polars as pl
import pytest

from recommender.data.demo import DEMO_LABEL, DEMO_SOURCE, demo_catalog
from recommender.data.read import build_catalog
from recommender.data.store import CatalogUnavailable, load_catalog
from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA, TRACK_ID_PATTERN, UNIT_FEATURES
from recommender.settings import Settings


@pytest.fixture(scope="module")
def demo():
    return demo_catalog()


def test_same_arguments_same_catalog_other_seed_other_catalog(demo):
    again = demo_catalog()
    assert again.tracks.equals(demo.tracks)
    assert again.playlists.equals(demo.playlists)
    assert again.fingerprint == demo.fingerprint
    other = demo_catalog(seed=1)
    assert not other.tracks.equals(demo.tracks)
    assert other.fingerprint != demo.fingerprint


def test_it_is_labelled_synthetic_everywhere(demo):
    tracks = demo.tracks
    assert demo.synthetic
    assert demo.report["synthetic"] is True
    assert demo.report["label"] == DEMO_LABEL
    assert demo.fingerprint.startswith("synthetic-demo")
    assert tracks["sources"].to_list() == [[DEMO_SOURCE]] * tracks.height
    assert tracks["name"].str.contains(r"^Demo Track \d{4}$").all()
    assert tracks["artists"].explode().str.contains(r"^Demo Artist \d{2,}$").all()
    assert tracks["album"].str.starts_with("Demo Album ").all()
    assert demo.playlists["playlist_name"].str.starts_with("Demo Playlist ").all()


def test_ids_look_like_no_real_track_but_satisfy_the_schema(demo):
    ids = demo.tracks["track_id"]
    assert demo.tracks.schema == CATALOG_SCHEMA
    assert demo.playlists.schema == PLAYLIST_SCHEMA
    assert ids.is_unique().all()
    assert ids.is_sorted()
    assert all(TRACK_ID_PATTERN.match(value) for value in ids)
    assert ids.str.starts_with("DEMO").all()
    assert demo.playlists["track_id"].is_in(ids.implode()).all()


def test_every_row_passes_the_catalogs_own_validation(demo, tmp_path):
    # Two routes agree: the demo written as canonical Parquet and rebuilt by the real
    # builder keeps every track and drops none.
    path = tmp_path / "demo.parquet"
    demo.tracks.write_parquet(path)
    rebuilt = build_catalog([path])
    assert rebuilt.tracks.height == demo.tracks.height
    assert all(not reasons for reasons in rebuilt.report["dropped_rows"].values())


def test_feature_distributions_are_plausible(demo):
    tracks = demo.tracks
    for feature in UNIT_FEATURES:
        column = tracks[feature]
        assert column.min() >= 0
        assert column.max() <= 1
        assert column.std() > 0.05, feature
    # Real catalogs: speechiness and liveness sit mostly low; energy and loudness go together.
    assert tracks["speechiness"].median() < 0.2
    assert tracks["liveness"].median() < 0.3
    assert tracks.select(pl.corr("energy", "loudness")).item() > 0.5
    assert tracks["time_signature"].mode().to_list() == [4]
    assert 60_000 <= tracks["duration_ms"].median() <= 400_000


def test_genres_differ_the_way_their_names_say(demo):
    means = (
        demo.tracks.group_by(pl.col("genres").list.first().alias("genre"))
        .agg(pl.col("acousticness", "energy", "speechiness", "instrumentalness").mean())
        .rows_by_key("genre", named=True, unique=True)
    )
    assert means["acoustic"]["acousticness"] > means["rock"]["acousticness"]
    assert means["rock"]["energy"] > means["ambient"]["energy"]
    assert means["rap"]["speechiness"] > means["pop"]["speechiness"]
    assert means["ambient"]["instrumentalness"] > means["pop"]["instrumentalness"]


def test_each_demo_playlist_keeps_to_its_genre(demo):
    genre_of = dict(demo.tracks.select("track_id", pl.col("genres").list.first()).iter_rows())
    for track, genre in demo.playlists.select("track_id", "playlist_genre").iter_rows():
        assert genre_of[track] == genre


def test_too_small_a_demo_is_refused():
    with pytest.raises(ValueError, match="n_tracks must be at least"):
        demo_catalog(n_tracks=3)


def test_real_loader_never_substitutes_the_demo(tmp_path):
    # With nothing reachable the loader refuses; only the caller may offer the demo, labelled.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings.from_sources(
        env={
            "RECOMMENDER_CACHE_DIR": str(tmp_path),
            "RECOMMENDER_MIRROR_URL": f"http://127.0.0.1:{port}",
            "RECOMMENDER_SOURCES": "kaggle",
        },
        secrets={},
    )
    with pytest.raises(CatalogUnavailable, match="synthetic demo catalog"):
        load_catalog(settings)
    assert not (tmp_path / "catalog").exists()
