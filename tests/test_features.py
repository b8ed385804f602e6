import numpy as np
import pytest

from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    LAYOUT,
    PRESETS,
    SCALED_FEATURES,
    WEIGHT_MAX,
    WEIGHT_MIN,
    WEIGHT_NAMES,
    encode_dense,
    fit_scaler,
    format_weights,
    parse_weights,
    raw_features,
    resolve_weights,
)
from tests.factories import make_tracks

ISSUE_4_NAMES = [
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "loudness",
    "tempo",
    "duration",
    "key",
    "mode",
    "time_signature",
    "popularity",
    "year",
    "artist",
    "genre",
]


def test_weight_names_are_the_issues_list_in_order():
    assert list(WEIGHT_NAMES) == ISSUE_4_NAMES


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, *PRESETS.values()])
def test_defaults_and_presets_name_every_weight_within_range(weights):
    assert set(weights) == set(WEIGHT_NAMES)
    assert all(WEIGHT_MIN <= value <= WEIGHT_MAX for value in weights.values())


def test_required_presets_exist():
    assert {"Sound alike", "Same mood", "Discover new artists"} <= set(PRESETS)
    assert PRESETS["Discover new artists"]["artist"] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("energy:2,valence:0.5", {"energy": 2.0, "valence": 0.5}),
        ("energy=2", {"energy": 2.0}),
        (" Energy = 2 , tempo:0 ,", {"energy": 2.0, "tempo": 0.0}),
        ("", {}),
    ],
)
def test_parse_weights_accepts_both_separators(text, expected):
    assert parse_weights(text) == expected


def test_parse_weights_rejects_unknown_name_and_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown weight .loudnes.*valid weights: danceability"):
        parse_weights("loudnes:2")


@pytest.mark.parametrize("text", ["energy:4", "energy:-1", "energy:abc", "energy", "energy:nan"])
def test_parse_weights_rejects_bad_values(text):
    with pytest.raises(ValueError, match="energy"):
        parse_weights(text)


def test_format_weights_lists_only_changes_and_round_trips():
    weights = {**DEFAULT_WEIGHTS, "energy": 2.0, "valence": 0.5}
    text = format_weights(weights)
    assert text == "energy:2,valence:0.5"
    assert resolve_weights(parse_weights(text)) == weights
    assert format_weights(DEFAULT_WEIGHTS) == ""


def _encoded(rows):
    tracks = make_tracks(rows)
    raw, key = raw_features(tracks)
    return encode_dense(raw, key, fit_scaler(raw))


def test_unknown_value_sits_at_the_mean_and_is_not_known():
    rows = [{"name": str(i), "artists": ["A"], "popularity": p} for i, p in enumerate([10, 90])]
    rows.append({"name": "x", "artists": ["A"], "popularity": None})
    values, known = _encoded(rows)
    column = SCALED_FEATURES.index("popularity")
    assert values[:2, column].tolist() == pytest.approx([-1.0, 1.0])
    assert values[2, column] == 0.0
    assert values.shape[1] == LAYOUT.n_values  # no "unknown" flag columns
    assert known[:, column].tolist() == [True, True, False]


def test_invalid_zeros_are_unknown_not_values():
    values, known = _encoded(
        [
            {"name": "a", "artists": ["A"], "tempo": 0.0, "time_signature": 0, "key": -1},
            {"name": "b", "artists": ["A"], "tempo": 120.0, "time_signature": 4, "key": 3},
        ]
    )
    for name in ("tempo", "time_signature"):
        assert known[:, SCALED_FEATURES.index(name)].tolist() == [False, True]
    assert known[:, -1].tolist() == [False, True]  # key
    assert np.isfinite(values).all()


def test_key_lies_on_the_circle_of_fifths():
    names = ["C", "C#", "G"]
    values, _ = _encoded(
        [{"name": n, "artists": ["A"], "key": k} for n, k in zip(names, [0, 1, 7], strict=True)]
    )
    key = values[:, LAYOUT.circle_columns("key")]
    c_to_g = np.sum((key[0] - key[2]) ** 2)
    c_to_c_sharp = np.sum((key[0] - key[1]) ** 2)
    assert c_to_g < c_to_c_sharp
    assert np.linalg.norm(key, axis=1) == pytest.approx([1.0, 1.0, 1.0])
