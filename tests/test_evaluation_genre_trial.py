"""The genre signal's trial on the tuning half."""

import dataclasses

import pytest

from recommender.engine.model import train
from recommender.evaluation.genre_trial import genre_trial, trial_table
from recommender.evaluation.protocol import leak_free_genres
from tests.evaluation_planted import planted_catalog


@pytest.fixture(scope="module")
def planted():
    catalog = leak_free_genres(planted_catalog())
    return catalog, train(catalog)


def test_each_setting_is_scored_on_both_tasks_of_the_tuning_half(planted):
    catalog, model = planted
    rows = genre_trial(catalog, model, random_state=2, trial=(("observed", 0.5), ("filled", 1.0)))

    assert [(r.genres, r.genre_weight, r.task) for r in rows] == [
        ("observed", 0.5, "half playlist"),
        ("observed", 0.5, "5 seeds"),
        ("filled", 1.0, "half playlist"),
        ("filled", 1.0, "5 seeds"),
    ]
    assert all(r.playlists > 0 for r in rows)
    assert all(0.0 < r.recall <= 1.0 for r in rows)  # the planted clusters are easy
    assert all(0.0 <= r.tidytuesday_share <= 1.0 for r in rows)
    table = trial_table(rows)
    assert table.count("| +0.0000 |") >= 2  # the first setting is each task's reference
    assert len(table.splitlines()) == 2 + len(rows)


def test_without_a_genre_weight_the_genre_mode_changes_nothing(planted):
    catalog, model = planted
    rows = genre_trial(catalog, model, random_state=2, trial=(("observed", 0.0), ("filled", 0.0)))

    observed, filled = rows[:2], rows[2:]
    for a, b in zip(observed, filled, strict=True):
        assert dataclasses.replace(a, genres="filled") == b
