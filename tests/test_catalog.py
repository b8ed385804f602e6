"""The catalog built from the real shared datasets (read at test time, never committed)."""

from __future__ import annotations

import pytest

from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA

pytestmark = pytest.mark.slow


def test_reference_catalog_has_the_expected_unique_tracks(reference_catalog):
    tracks = reference_catalog.tracks
    assert 75_600 <= tracks.height <= 75_700
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
