"""One meaning of "artist": the same files give the same count however they reach the catalog.

The catalog report, the Explore page and a catalog built through the offline mirror used to
say 25,442, 25,443 and 25,440 for the same data: Explore counted a missing artist as one, and
which of two differing credits of one track won depended on the order the files were read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from recommender.data.read import artist_count
from recommender.data.store import load_catalog
from recommender.domain import Catalog
from recommender.settings import Settings
from recommender.text import artist_names
from tests.app_support import new_app
from tests.catalog_samples import NO_ARTIST, TWICE_CREDITED
from tests.mirror_server import serve


def _settings(cache: Path, **env: str) -> Settings:
    return Settings.from_sources(env={"RECOMMENDER_CACHE_DIR": str(cache), **env}, secrets={})


@pytest.fixture(scope="module")
def two_ways(
    tmp_path_factory, generated_files, generated_public_files
) -> tuple[Catalog, Catalog, Settings]:
    """The generated tables built from the zips in a folder, and downloaded from a mirror."""
    root = tmp_path_factory.mktemp("two-ways")
    from_files = _settings(root / "cache-files", RECOMMENDER_CATALOG=str(generated_files))
    with serve(generated_public_files) as mirror:
        from_mirror = load_catalog(
            _settings(
                root / "cache-mirror",
                RECOMMENDER_MIRROR_URL=mirror.url,
                RECOMMENDER_SOURCES="kaggle,tidytuesday,hitpredictor",
            )
        )
        assert mirror.requested("dataset-of-60s.csv") == 1
    return load_catalog(from_files), from_mirror, from_files


def test_files_and_mirror_build_the_same_catalog(two_ways):
    from_files, from_mirror, _ = two_ways
    assert from_files.fingerprint != from_mirror.fingerprint  # really two different inputs
    assert from_files.tracks.equals(from_mirror.tracks)
    assert from_files.report["artists"] == from_mirror.report["artists"]
    assert from_files.report["tracks"] == from_mirror.report["tracks"]


def test_the_artist_count_is_distinct_folded_names_and_skips_missing(two_ways):
    catalog = two_ways[0]
    tracks = catalog.tracks
    assert tracks.filter(pl.col("track_id") == NO_ARTIST)["artists"].to_list() == [None]
    kept = tracks.filter(pl.col("track_id") == TWICE_CREDITED)["artists"].item().to_list()
    # Generated: TidyTuesday "Artist 0..1099" + "Beyoncé"; Kaggle adds "Artist 1100..2099",
    # "Guest 1100..2099" (on the 100 shared tracks TidyTuesday's credit wins) and "JAY-Z"
    # ("Beyonce" folds onto Beyoncé); Hit Predictor adds 6 x 1,100 artists, plus the names of
    # whichever credit of the twice-credited track won.
    expected = 1_100 + 1 + 1_000 + 1_000 + 1 + 6 * 1_100 + len(artist_names(kept))
    assert catalog.report["artists"] == artist_count(tracks) == expected


def test_explore_shows_the_reports_artist_count(two_ways, monkeypatch):
    catalog, _, settings = two_ways
    at = new_app(monkeypatch, settings)
    at = at.run().switch_page("pages/explore.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Artists"] == f"{catalog.report['artists']:,}"
    assert shown["Tracks"] == f"{catalog.tracks.height:,}"
