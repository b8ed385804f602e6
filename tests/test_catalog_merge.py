"""Deduplication by track_id with the stated source precedence, on made-up and real rows."""

from __future__ import annotations

import io

import polars as pl
import pytest

from recommender.data.adapters import SOURCE_PRECEDENCE
from recommender.data.read import build_catalog
from tests.catalog_samples import (
    HIT_HEADER,
    KAGGLE_HEADER,
    MILLION_HEADER,
    SPOTIFY_1M_HEADER,
    TIDY_HEADER,
    hit_row,
    kaggle_row,
    made_id,
    million_row,
    spotify_1m_row,
    tidy_row,
    write_csv,
)


def _only(catalog, track_id: str) -> dict:
    (row,) = catalog.tracks.filter(pl.col("track_id") == track_id).to_dicts()
    return row


def test_precedence_order_is_stated():
    assert SOURCE_PRECEDENCE == (
        "parquet",
        "tidytuesday",
        "hit_predictor",
        "tracks_1_2m",
        "kaggle",
        "spotify_1m",
    )


@pytest.mark.parametrize("kaggle_first", [True, False])
def test_features_from_the_highest_source_and_nulls_filled_from_others(tmp_path, kaggle_first):
    kaggle = write_csv(
        tmp_path / "k.csv",
        KAGGLE_HEADER,
        [kaggle_row(0, energy=0.9, popularity=70, explicit="True", time_signature=3)],
    )
    tidy = write_csv(
        tmp_path / "t.csv",
        TIDY_HEADER,
        [tidy_row(0, energy=0.2, track_popularity="NA", track_album_release_date="2004")],
    )
    paths = [kaggle, tidy] if kaggle_first else [tidy, kaggle]
    row = _only(build_catalog(paths), made_id(0))

    assert row["energy"] == pytest.approx(0.2)  # TidyTuesday outranks Kaggle
    assert row["popularity"] == 70  # TidyTuesday had none
    assert row["explicit"] is True  # only Kaggle knows
    assert row["time_signature"] == 3  # TidyTuesday has no time signature
    assert row["year"] == 2004
    assert row["album"] == "Album 0"
    assert row["genres"] == ["indie", "pop"]
    assert row["sources"] == ["tidytuesday", "kaggle"]


@pytest.mark.parametrize("big_first", [True, False])
def test_the_two_big_sources_share_a_track_by_precedence(tmp_path, big_first):
    # The 1.2M set (album crawls) outranks the 1.16M set on features; the 1.16M set fills
    # the popularity and genre the 1.2M set does not have.
    million = write_csv(
        tmp_path / "tracks_features.csv",
        MILLION_HEADER,
        [million_row(0, energy=0.31, year=2001, time_signature=3)],
    )
    spotify = write_csv(
        tmp_path / "spotify_data.csv",
        SPOTIFY_1M_HEADER,
        [spotify_1m_row(0, energy=0.99, year=2019, popularity=61, genre="jazz")],
    )
    files = [million, spotify] if big_first else [spotify, million]
    row = _only(build_catalog(files), made_id(0))
    assert row["energy"] == pytest.approx(0.31)
    assert row["year"] == 2001
    assert row["time_signature"] == 3
    assert row["popularity"] == 61
    assert row["genres"] == ["jazz"]
    assert row["sources"] == ["tracks_1_2m", "spotify_1m"]


def test_hit_predictor_outranks_kaggle(tmp_path):
    hits = write_csv(tmp_path / "h.csv", HIT_HEADER, [hit_row(0, tempo=99.5)])
    kaggle = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0, tempo=150.0)])
    row = _only(build_catalog([kaggle, hits]), made_id(0))
    assert row["tempo"] == pytest.approx(99.5)
    assert row["popularity"] == 40
    assert row["sources"] == ["hit_predictor", "kaggle"]


def test_duplicates_inside_one_file_merge_their_genres(tmp_path):
    rows = [kaggle_row(0, track_genre="jazz"), kaggle_row(0, track_genre="blues"), kaggle_row(1)]
    catalog = build_catalog([write_csv(tmp_path / "k.csv", KAGGLE_HEADER, rows)])
    assert catalog.tracks.height == 2
    assert _only(catalog, made_id(0))["genres"] == ["blues", "jazz"]
    assert catalog.report["sources"] == {"kaggle": 2}


def test_tracks_sorted_and_unique(reference_catalog):
    ids = reference_catalog.tracks.get_column("track_id")
    assert ids.is_sorted()
    assert ids.n_unique() == ids.len()


def _tidy_real(reference_data) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(reference_data.table("tidytuesday")), null_values=["NA"])


@pytest.mark.slow
def test_real_shared_tracks_take_tidytuesday_features(reference_data, reference_catalog):
    kaggle = pl.read_csv(io.BytesIO(reference_data.table("kaggle")))
    tidy = _tidy_real(reference_data).unique("track_id", keep="first")
    shared = tidy.join(kaggle.select("track_id").unique(), on="track_id", how="semi")
    assert shared.height > 0
    built = reference_catalog.tracks.join(shared.select("track_id"), on="track_id", how="semi")
    merged = built.join(shared, on="track_id", suffix="_tidy")
    for feature in ("danceability", "energy", "valence", "tempo", "loudness", "duration_ms"):
        assert (merged.get_column(feature) == merged.get_column(f"{feature}_tidy")).all(), feature
    assert merged.get_column("time_signature").null_count() == 0
    assert merged.get_column("explicit").null_count() == 0
    assert all(s[:1] == ["tidytuesday"] for s in merged.get_column("sources").to_list())


@pytest.mark.slow
def test_reference_sources_count_every_contribution(reference_catalog):
    report = reference_catalog.report
    sources = reference_catalog.tracks.get_column("sources").explode()
    assert report["sources"] == {
        name: int((sources == name).sum()) for name in sorted(set(sources.to_list()))
    }
    assert report["tracks"] == reference_catalog.tracks.height
    assert report["nulls"]["year"] == reference_catalog.tracks.get_column("year").null_count()
