"""Tuning: the coordinate search drops a harmful weight; the run reports both halves."""

from __future__ import annotations

import numpy as np

from recommender.domain import PROFILE_FEATURES
from recommender.evaluation import tuning
from recommender.evaluation.protocol import TrackTable, playlist_cases
from recommender.evaluation.report import format_tuning
from tests.evaluation_planted import CLUSTERS, CentroidSystem, planted_catalog, planted_model


class _WeightedCentroid(CentroidSystem):
    """Centroid ranking over the profile plus one pure-noise column, each weighted."""

    def __init__(self, table, weights):
        super().__init__(table, name="weighted")
        self.weights = weights
        noise = np.random.default_rng(1).normal(0, 3, size=(len(table.ids), 1))
        self._table = TrackTable(
            **{
                **{f: getattr(table, f) for f in ("ids", "position", "artist", "popularity")},
                **{f: getattr(table, f) for f in ("sources", "genres", "tidytuesday")},
                "profile": np.hstack([table.profile, weights["noise"] * noise]),
            }
        )


def test_coordinate_search_switches_off_a_harmful_weight():
    planted = planted_catalog()
    table = TrackTable.from_catalog(planted)
    cases = playlist_cases(planted, random_state=1)
    ticks = iter(range(1000))
    best, history = tuning.coordinate_search(
        lambda weights: _WeightedCentroid(table, weights),
        {"noise": 3.0},
        names=["noise"],
        cases=cases,
        table=table,
        deadline=500,
        clock=lambda: next(ticks),
    )
    assert history[0].weights == {"noise": 3.0}
    assert best.weights == {"noise": 0.0}
    assert best.recall > history[0].recall + 0.3
    # A budget that is already spent stops after the starting point.
    _, spent = tuning.coordinate_search(
        lambda weights: _WeightedCentroid(table, weights),
        {"noise": 3.0},
        names=["noise"],
        cases=cases,
        table=table,
        deadline=0,
        clock=lambda: 1,
    )
    assert len(spent) == 1


def test_tuning_reports_both_halves_and_keeps_the_sound():
    ticks = iter(range(10_000))
    result = tuning.run_tuning(
        planted_catalog(),
        planted_model(),
        budget_seconds=40,
        clock=lambda: next(ticks),
        resamples=50,
    )
    assert [row.name for row in result.rows] == ["original design", "our defaults", "tuned"]
    assert result.tuning_playlists + result.held_out_playlists == CLUSTERS
    assert 1 < result.trials <= 41
    best = result.best_weights
    assert best["genre"] == 0.0
    assert all(best[name] >= tuning.SOUND_FLOOR for name in PROFILE_FEATURES)
    for row in result.rows:
        for half in (row.tuning_half_all, row.held_out_half_tidytuesday_only):
            assert 0.0 <= half.recall <= 1.0
    assert len(result.comparisons) == 6
    assert "tuned - our defaults" in format_tuning(result)
