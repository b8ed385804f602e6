"""The presets' own aims: the two list scores, the verdict, the preset search and the table."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from recommender.domain import PROFILE_FEATURES
from recommender.engine.features import PRESET_PURPOSES, PRESETS
from recommender.engine.model import train
from recommender.evaluation import aim_measures, aims, list_figures, preset_tuning, scoring, tuning
from recommender.evaluation.metrics import Interval
from recommender.evaluation.protocol import TrackTable, leak_free_genres, playlist_cases
from recommender.evaluation.report import format_page, preset_cells
from recommender.evaluation.systems import default_contenders
from tests.evaluation_planted import planted_catalog
from tests.test_evaluation_tuning import _WeightedCentroid


def _table(mood: list[tuple[float, float]], profile: list[list[float]]) -> TrackTable:
    ids = np.array([f"t{i}" for i in range(len(mood))])
    return TrackTable(
        ids=ids,
        position={str(track_id): i for i, track_id in enumerate(ids)},
        artist=[f"artist {i}" for i in range(len(ids))],
        popularity=np.full(len(ids), np.nan),
        profile=np.array(profile, dtype=float),
        sources=[frozenset({"kaggle"})] * len(ids),
        genres=[frozenset()] * len(ids),
        names=[frozenset({f"artist {i}"}) for i in range(len(ids))],
        mood=np.array(mood, dtype=float),
    )


def test_mood_gap_is_the_mean_distance_from_the_seeds_mean_valence_and_energy():
    table = _table(
        [(0.2, 0.4), (0.4, 0.6), (0.3, 0.5), (0.5, 0.9), (math.nan, 0.1)],
        [[0.0]] * 5,
    )
    # Seeds t0, t1: mean valence 0.3, energy 0.5. t2 sits on it; t3 is 0.2 and 0.4 away.
    gaps = aim_measures.mood_gap([("t0", "t1"), ("t0", "t1")], [["t2"], ["t2", "t3"]], table)
    assert gaps == pytest.approx([0.0, 0.15])
    # An unknown valence is left out of the mean, not counted as 0 (which would be a 0.3 gap).
    assert aim_measures.mood_gap([("t0", "t1")], [["t4"]], table) == pytest.approx([0.4])
    # An empty list has no mood: it is left out rather than scored 0.
    assert aim_measures.mood_gap([("t0",)], [[]], table).size == 0
    with pytest.raises(ValueError, match=r"TrackTable\.mood has 0 rows for 5 tracks"):
        aim_measures.mood_gap([("t0",)], [["t2"]], replace(table, mood=np.empty((0, 2))))


def test_sound_distance_is_to_the_nearest_seed_in_standard_deviations():
    table = _table(
        [(0.5, 0.5)] * 4,
        [[0.0, 0.0], [10.0, 10.0], [0.0, 2.0], [9.0, 10.0]],
    )
    # t2 is 2 away on one of two features from t0 (its nearest seed): sqrt(4 / 2).
    # t3 is 1 away on one feature from t1: sqrt(1 / 2). The list's figure is their mean.
    distances = aim_measures.sound_distance([("t0", "t1")], [["t2", "t3"]], table)
    assert distances == pytest.approx([(math.sqrt(2) + math.sqrt(0.5)) / 2])
    assert aim_measures.sound_distance([("t0",)], [["t0"]], table) == pytest.approx([0.0])


def _interval(mean: float) -> Interval:
    return Interval(mean=mean, low=mean, high=mean)


@pytest.fixture(scope="module")
def planted_result():
    planted = leak_free_genres(planted_catalog())
    table = TrackTable.from_catalog(planted)
    contenders = default_contenders(planted, train(planted), table, random_state=1)
    return scoring.evaluate_systems(planted, contenders, random_state=2, resamples=50)


def test_every_preset_has_an_aim_and_a_sentence_that_says_it():
    assert set(aims.PRESET_AIMS) == set(PRESETS) == set(PRESET_PURPOSES)


def test_each_preset_is_scored_on_its_own_aim_against_the_defaults(planted_result):
    rows = {row.name: row for row in planted_result.systems}
    scores = {score.preset: score for score in aims.preset_scores(rows)}
    assert set(scores) == set(PRESETS)
    mood = scores["Same mood"]
    assert mood.value == rows["preset: Same mood"].mood_gap.mean
    assert mood.defaults_value == rows["shipped defaults"].mood_gap.mean
    assert mood.recall == rows["preset: Same mood"].held_out.recall.mean
    discover = scores["Discover new artists"]
    # Discover is held to new-artist recall, on both sides of the "most popular" ratio.
    assert discover.recall == rows["preset: Discover new artists"].new_artists.mean
    assert discover.popular_recall == rows["most popular"].new_artists.mean
    sound = scores["Sound alike"]
    assert sound.value == rows["preset: Sound alike"].sound_distance.mean
    assert planted_result.verdict.presets_earn_their_names == all(
        score.earned for score in scores.values()
    )
    # Without the defaults' row there is nothing to compare with.
    assert aims.preset_scores({k: v for k, v in rows.items() if k != "shipped defaults"}) == []


def test_a_preset_earns_its_name_only_by_both_conditions(planted_result):
    rows = {row.name: row for row in planted_result.systems}
    mood_row = rows["preset: Same mood"]
    popular = rows["most popular"]
    defaults = rows["shipped defaults"]

    def score(*, gap: float, recall: float) -> aims.PresetScore:
        changed = replace(
            mood_row,
            mood_gap=_interval(gap),
            held_out=replace(mood_row.held_out, recall=_interval(recall)),
        )
        fixed = {
            **rows,
            "preset: Same mood": changed,
            "most popular": replace(
                popular, held_out=replace(popular.held_out, recall=_interval(0.01))
            ),
            "shipped defaults": replace(defaults, mood_gap=_interval(0.2)),
        }
        return next(s for s in aims.preset_scores(fixed) if s.preset == "Same mood")

    assert score(gap=0.1, recall=0.03).earned
    assert not score(gap=0.1, recall=0.029).earned  # under 3x most popular's 0.01
    assert not score(gap=0.2, recall=0.5).earned  # a tie with the defaults is not better
    assert score(gap=0.1, recall=0.03).popular_ratio == pytest.approx(3.0)


def test_the_page_shows_each_preset_beside_the_defaults(planted_result):
    header, rows = preset_cells(planted_result)
    assert header[2:4] == ["preset", "shipped defaults"]
    assert [row[0] for row in rows] == list(aims.PRESET_AIMS)
    page = format_page(planted_result)
    assert "## Presets on their own aims" in page
    assert "every preset better than the defaults on its own aim" in page


def test_the_preset_search_reports_a_recall_floor_it_cannot_reach():
    planted = leak_free_genres(planted_catalog())
    ticks = iter(range(10_000))
    found = preset_tuning.tune_preset(
        planted, train(planted), preset="Same mood", budget_seconds=25, clock=lambda: next(ticks)
    )
    assert found.trials > 1
    # On two planted playlists "most popular" already finds over a third of the hidden
    # tracks: 3x that is out of reach, so every trial misses and the search heads for recall.
    assert found.floor_recall > 1.0
    assert not found.best.admissible
    assert found.best.recall > found.start.recall
    assert all(found.best.weights[name] >= tuning.SOUND_FLOOR for name in PROFILE_FEATURES)
    assert found.text().count("misses the limits") == 3
    assert "aim: gap from the seeds' mean valence and energy" in found.text()
    with pytest.raises(ValueError, match="unknown preset 'Loud'; the presets are Sound alike"):
        preset_tuning.tune_preset(planted, train(planted), preset="Loud", budget_seconds=1)


def test_a_recall_floor_turns_away_a_setting_that_only_wins_the_objective():
    planted = planted_catalog()
    table = TrackTable.from_catalog(planted)
    cases = playlist_cases(planted, random_state=1)

    def losing(found_cases, lists):  # an aim that rewards losing the playlists' tracks
        return -float(list_figures.playlist_scores(found_cases, lists)[list_figures.RECALL].mean())

    def search(min_recall: float):
        ticks = iter(range(1000))
        return tuning.coordinate_search(
            lambda weights: _WeightedCentroid(table, weights),
            {"noise": 0.0},
            names=["noise"],
            cases=cases,
            table=table,
            deadline=500,
            clock=lambda: next(ticks),
            min_artists=0.0,
            min_recall=min_recall,
            objective=losing,
        )

    free, history = search(0.0)
    assert free.weights["noise"] > 0  # the noise loses tracks, so the aim alone takes it
    assert free.score == pytest.approx(-free.recall)
    floored, _ = search(history[0].recall - 0.01)
    assert floored.weights == {"noise": 0.0}
    assert floored.admissible
