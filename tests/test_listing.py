"""The seeds' feature table Home shows beside their radar (``recommender.present.listing``)."""

from __future__ import annotations

from recommender.domain import PROFILE_FEATURES, AudioProfile
from recommender.present.listing import seed_feature_table
from tests.factories import make_catalog, track_id


def _catalog():
    return make_catalog(
        [
            {"name": "Low", "artists": ["Ann"], "energy": 0.1, "tempo": 80.0},
            {"name": "High", "artists": ["Bob", "Cat"], "energy": 0.9, "tempo": 170.0},
        ]
    )


def test_one_row_per_seed_in_seed_order_with_every_profile_feature():
    table = seed_feature_table(_catalog(), [track_id(1), track_id(0)], {})
    assert table.columns == ["seed", *PROFILE_FEATURES]
    assert table["seed"].to_list() == ["High — Bob, Cat", "Low — Ann"]
    assert table["energy"].to_list() == [0.9, 0.1]
    assert table["tempo"].to_list() == [170.0, 80.0]


def test_an_approximate_seed_shows_its_profile_and_says_so_and_an_unknown_one_is_left_out():
    features = dict.fromkeys(PROFILE_FEATURES, 0.3) | {"loudness": -7.0, "tempo": 99.0}
    profiles = {"upload:x": AudioProfile(label="Song — Dee", features=features)}
    table = seed_feature_table(_catalog(), ["upload:x", "nowhere", track_id(0)], profiles)
    assert table["seed"].to_list() == ["Song — Dee (approx.)", "Low — Ann"]
    assert table.row(0, named=True)["tempo"] == 99.0
    assert table.row(0, named=True)["valence"] == 0.3


def test_no_seed_with_features_gives_an_empty_table_with_the_columns():
    table = seed_feature_table(_catalog(), ["nowhere"], {})
    assert table.height == 0
    assert table.columns == ["seed", *PROFILE_FEATURES]
