"""The catalog built from the real shared datasets (read at test time, never committed)."""

from __future__ import annotations

import io

import polars as pl
import pytest

from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA

pytestmark = pytest.mark.slow


def test_reference_catalog_is_one_valid_row_per_track(reference_catalog):
    tracks = reference_catalog.tracks
    assert tracks.height > 28_000  # TidyTuesday alone has 28,356 distinct tracks
    assert tracks.schema == CATALOG_SCHEMA
    assert tracks.get_column("track_id").is_unique().all()
    assert tracks.get_column("track_id").is_sorted()
    assert set(reference_catalog.report["sources"]) == {"tidytuesday", "kaggle", "hit_predictor"}


def test_reference_playlists_only_name_catalog_tracks(reference_catalog):
    members = reference_catalog.playlists
    assert members.height > 0
    assert members.schema == PLAYLIST_SCHEMA
    assert members.join(reference_catalog.tracks, on="track_id", how="anti").height == 0
    # One playlist can be listed under several subgenres, so only whole rows are unique.
    assert members.unique().height == members.height


def test_reference_playlists_match_the_tidytuesday_file(reference_data, reference_catalog):
    raw = pl.read_csv(io.BytesIO(reference_data.table("tidytuesday")), infer_schema=False)
    assert reference_catalog.report["playlists"] == raw.get_column("playlist_id").n_unique()
    assert reference_catalog.playlists.height == raw.height


def test_the_development_copies_give_the_documented_figures(dev_copies, reference_catalog):
    # docs/data.md, "The catalog": exact only for the development copies (the full Kaggle file
    # is ten times the 10k sample), recognised by the sha256 of each table.
    report = reference_catalog.report
    assert report["tracks"] == 75_669
    assert report["sources"] == {"hit_predictor": 40_560, "kaggle": 9_748, "tidytuesday": 28_356}
    assert report["artists"] == 24_827
    assert report["playlists"] == 471
