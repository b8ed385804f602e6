"""The catalog built from the real shared datasets (read at test time, never committed)."""

from __future__ import annotations

import io
import zipfile

import polars as pl
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


def test_reference_playlists_match_the_tidytuesday_file(shared_data, reference_catalog):
    with zipfile.ZipFile(shared_data / "tidytuesday_spotify_songs.zip") as archive:
        raw = pl.read_csv(io.BytesIO(archive.read("spotify_songs.csv")), infer_schema=False)
    assert reference_catalog.report["playlists"] == raw.get_column("playlist_id").n_unique()
    assert reference_catalog.playlists.height == raw.height
