import json

import plotly.io as pio
import polars as pl
import pytest

from recommender.domain import PROFILE_FEATURES, AudioProfile
from recommender.present.charts import (
    LOUDNESS_RANGE_DB,
    TEMPO_RANGE_BPM,
    chart_text,
    feature_histogram,
    feature_scatter,
    format_value,
    profile_of,
    radar_chart,
    to_unit_scale,
)
from tests.factories import make_tracks


def _tracks():
    return make_tracks(
        [
            {
                "name": "Loud fast",
                "artists": ["A"],
                "energy": 0.9,
                "loudness": -4.0,
                "tempo": 170.0,
            },
            {
                "name": "Quiet slow",
                "artists": ["B"],
                "energy": 0.1,
                "loudness": -20.0,
                "tempo": 70.0,
            },
        ]
    )


def test_profile_of_is_the_mean_with_population_spread():
    profile = profile_of(_tracks(), label="seeds")
    assert profile.features["energy"] == pytest.approx(0.5)
    assert profile.features["loudness"] == pytest.approx(-12.0)
    assert profile.spread["energy"] == pytest.approx(0.4)
    assert profile.spread["tempo"] == pytest.approx(50.0)
    assert set(profile.features) == set(PROFILE_FEATURES)


def test_profile_of_ignores_nulls_and_rejects_empty():
    tracks = _tracks().with_columns(pl.Series("energy", [0.3, None], dtype=pl.Float64))
    assert profile_of(tracks, label="x").features["energy"] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="no tracks"):
        profile_of(tracks.head(0), label="x")
    with pytest.raises(ValueError, match="columns missing: tempo"):
        profile_of(tracks.drop("tempo"), label="x")


@pytest.mark.parametrize(
    ("feature", "value", "expected"),
    [
        ("energy", 0.25, 0.25),
        ("loudness", LOUDNESS_RANGE_DB[0], 0.0),
        ("loudness", LOUDNESS_RANGE_DB[1], 1.0),
        ("loudness", -15.0, 0.5),
        ("loudness", 1.3, 1.0),  # above 0 dB is clipped
        ("tempo", TEMPO_RANGE_BPM[0], 0.0),
        ("tempo", 130.0, 0.5),
        ("tempo", 0.0, 0.0),
        ("tempo", 300.0, 1.0),
    ],
)
def test_unit_scale_uses_fixed_ranges(feature, value, expected):
    assert to_unit_scale(feature, value) == pytest.approx(expected)


def test_unit_scale_rejects_unknown_feature():
    with pytest.raises(ValueError, match="unknown profile feature 'key'"):
        to_unit_scale("key", 3)


def test_radar_trace_is_closed_scaled_and_hover_in_real_units():
    profile = profile_of(_tracks().head(1), label="Loud fast")
    figure = radar_chart([profile], title="t", show_spread=False)
    (trace,) = figure.data
    assert trace.type == "scatterpolar"
    assert list(trace.theta) == [*PROFILE_FEATURES, PROFILE_FEATURES[0]]
    assert trace.r[0] == trace.r[-1]
    radius = dict(zip(trace.theta, trace.r, strict=False))
    assert radius["energy"] == pytest.approx(0.9)
    assert radius["loudness"] == pytest.approx(to_unit_scale("loudness", -4.0))
    assert all(0.0 <= r <= 1.0 for r in trace.r)
    hover = dict(zip(trace.theta, trace.hovertext, strict=False))
    assert "-4.0 dB" in hover["loudness"]
    assert "170 BPM" in hover["tempo"]


def test_radar_overlays_profiles_with_spread_bands_and_marks_approximate():
    seeds = profile_of(_tracks(), label="your seeds")
    approx = AudioProfile(label="guess", features=dict(seeds.features), approximate=True)
    figure = radar_chart([seeds, approx], title="Profile vs recommendations")
    names = [trace.name for trace in figure.data]
    # seeds: one filled trace + two dotted spread outlines; approx: one trace, no spread
    assert len(figure.data) == 4
    assert names[0] == "your seeds"
    assert names[-1] == "guess (approx.)"
    assert figure.data[-1].line.dash == "dash"
    upper = dict(zip(figure.data[1].theta, figure.data[1].r, strict=False))
    mean = dict(zip(figure.data[0].theta, figure.data[0].r, strict=False))
    assert upper["energy"] == pytest.approx(mean["energy"] + 0.4)
    assert figure.layout.polar.radialaxis.range == (0.0, 1.0)


def test_radar_survives_json_round_trip_like_streamlit_sends_it():
    figure = radar_chart([profile_of(_tracks(), label="s")], title="t")
    spec = json.loads(pio.to_json(figure))
    assert spec["data"][0]["type"] == "scatterpolar"
    assert spec["layout"]["title"]["text"] == "t"


def test_radar_rejects_empty_and_incomplete_profiles():
    with pytest.raises(ValueError, match="no profiles"):
        radar_chart([], title="t")
    with pytest.raises(ValueError, match="lacks"):
        radar_chart([AudioProfile(label="bad", features={"energy": 0.5})], title="t")


def test_histogram_counts_every_value_and_marks_seeds():
    values = pl.Series([0.1, 0.2, 0.2, 0.9, None])
    figure = feature_histogram(values, feature="energy", marks={"My seed": 0.2}, bins=4)
    assert sum(figure.data[0].y) == 4
    assert len(figure.data[0].x) == 4
    assert figure.layout.shapes[0].x0 == 0.2
    assert figure.data[1].name == "My seed"
    assert list(figure.data[1].x) == [0.2]
    assert list(figure.data[1].customdata) == ["My seed"]
    assert "%{customdata}: 0.20" in figure.data[1].hovertemplate
    with pytest.raises(ValueError, match="no values"):
        feature_histogram(pl.Series([None], dtype=pl.Float64), feature="energy")


def test_scatter_draws_sample_and_seeds():
    tracks = _tracks()
    figure = feature_scatter(tracks, x="energy", y="tempo", seeds=tracks.head(1))
    assert list(figure.data[0].x) == tracks["energy"].to_list()
    assert list(figure.data[1].text) == ["Loud fast"]
    assert figure.layout.yaxis.title.text == "tempo (BPM)"


def test_titles_with_plotly_markup_are_shown_literally():
    title = '<a href="https://attacker.example/">Click</a> <b>100%{x}</b>'
    figure = feature_histogram(pl.Series([0.1, 0.5]), feature="energy", marks={title: 0.5})
    assert list(figure.data[1].customdata) == [chart_text(title)]
    assert "<a" not in figure.data[1].hovertemplate
    assert "attacker" not in figure.data[1].hovertemplate
    assert chart_text(title).startswith("&lt;a href=")
    tracks = _tracks().with_columns(pl.lit(title).alias("name"))
    scatter = feature_scatter(tracks, x="energy", y="tempo", seeds=tracks.head(1))
    assert all("<" not in text for trace in scatter.data for text in trace.text)


def test_format_value_units():
    assert format_value("loudness", -6.25) == "-6.2 dB"
    assert format_value("tempo", 121.6) == "122 BPM"
    assert format_value("valence", 0.5) == "0.50"
