"""Scoring on the planted catalog: a correct system scores well, a broken one badly, no leaks."""

from __future__ import annotations

import pytest

from recommender.engine.model import train
from recommender.evaluation import scoring
from recommender.evaluation.protocol import TrackTable, leak_free_genres
from recommender.evaluation.report import evaluation_json, format_report, format_table
from recommender.evaluation.systems import (
    Contender,
    PopularSystem,
    RandomSystem,
    default_contenders,
)
from tests.evaluation_planted import CentroidSystem, planted_catalog


@pytest.fixture(scope="module")
def planted_contenders():
    table = TrackTable.from_catalog(planted_catalog())
    return [
        Contender(RandomSystem(table, random_state=3), "baseline"),
        Contender(PopularSystem(table), "baseline"),
        Contender(CentroidSystem(table, name="centroid"), "ours"),
        Contender(CentroidSystem(table, name="broken", reverse=True), "ours"),
    ]


def test_a_correct_system_scores_well_and_a_broken_one_badly(planted_contenders):
    result = scoring.evaluate_systems(
        planted_catalog(), planted_contenders, random_state=5, resamples=200
    )
    good, bad = result.row("centroid"), result.row("broken")
    assert good.held_out.recall.mean > 0.9
    assert good.held_out.precision.mean > 0.9
    assert good.genre_agreement.mean > 0.9
    assert bad.held_out.recall.mean < 0.1
    assert bad.genre_agreement.mean < 0.2
    assert result.row("random").held_out.recall.mean < good.held_out.recall.low
    assert good.held_out.recall.low <= good.held_out.recall.mean <= good.held_out.recall.high


def test_same_random_state_gives_the_same_numbers(planted_contenders):
    planted = planted_catalog()
    first = scoring.evaluate_systems(planted, planted_contenders, random_state=9, resamples=100)
    second = scoring.evaluate_systems(planted, planted_contenders, random_state=9, resamples=100)
    assert evaluation_json(first) == evaluation_json(second)
    other = scoring.evaluate_systems(planted, planted_contenders, random_state=10, resamples=100)
    assert evaluation_json(other) != evaluation_json(first)


class _Weighted:
    def __init__(self, name, weights):
        self.name = name
        self.weights = weights

    def recommend(self, seeds, *, k, skip):
        return []


def test_a_system_using_the_genre_weight_is_refused():
    leaky = Contender(_Weighted("leaky", {"energy": 1.0, "genre": 0.5}), "ours")
    with pytest.raises(ValueError, match=r"'leaky' uses genre weight 0\.5 over genres that hold"):
        scoring.evaluate_systems(planted_catalog(), [leaky])
    scoring.check_no_label_leak([Contender(_Weighted("fine", {"genre": 0.0}), "ours")])
    # Leak-free genres may carry the weight on the playlist tasks, never on the genre task.
    clean = _Weighted("clean", {"genre": 0.5})
    clean.leak_free = True
    scoring.check_no_label_leak([Contender(clean, "ours", genre_system=_Weighted("g", {}))])
    with pytest.raises(ValueError, match=r"'clean' answers the genre task with genre weight 0\.5"):
        scoring.check_no_label_leak([Contender(clean, "ours")])


def test_the_engine_continues_planted_playlists_and_scores_beat_the_baselines():
    planted = leak_free_genres(planted_catalog())
    table = TrackTable.from_catalog(planted)
    model = train(planted)
    contenders = default_contenders(planted, model, table, random_state=1)
    result = scoring.evaluate_systems(planted, contenders, random_state=2, resamples=100)
    ours = result.row("shipped defaults")
    assert ours.config.genres == "leak-free"
    # Each cluster has 8 artists, so every hidden track credits a seed's artist: the room for
    # the seeds' artists (a quarter of the list) is what keeps this from 0.8 and more.
    assert ours.held_out.recall.mean > 0.5
    assert ours.held_out.recall.mean > result.row("random").held_out.recall.high
    assert ours.genre_agreement.mean > 0.8
    assert ours.beyond.short_lists == 0
    assert result.row("preset: Discover new artists").checks.seed_artist_tracks == 0
    assert result.row("shipped defaults").checks.seed_artist_tracks > 0
    assert {c.subset for c in result.comparisons} == {
        "held-out half",
        "held-out half, TidyTuesday-only candidates",
    }
    assert result.verdict.checked
    assert result.verdict.discover_seed_artist_tracks == 0
    assert {m.seed_source for m in result.source_mix} == {"tidytuesday", "kaggle", "hit_predictor"}
    for mix in result.source_mix:
        assert set(mix.shares) == {"tidytuesday", "kaggle", "hit_predictor"}
    assert [p.artists_per_block for p in result.tradeoff] == list(scoring.TRADEOFF_RULES)
    report = format_report(result)
    assert all(row.name in report for row in result.systems)
    assert format_table(result, markdown=True).count("\n| ") == len(result.systems)
