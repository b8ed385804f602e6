"""The label-dropout check: Kaggle's share of the lists with and without its genre labels."""

import polars as pl
import pytest

from recommender.engine.features import DEFAULT_WEIGHTS
from recommender.engine.model import train
from recommender.evaluation import scoring
from recommender.evaluation.label_dropout import (
    FIVE_SEEDS,
    HALF_PLAYLIST,
    label_dropout_check,
    without_labels,
)
from recommender.evaluation.protocol import (
    KAGGLE,
    LEAK_FREE,
    TrackTable,
    leak_free_genres,
    prepare,
)
from recommender.evaluation.report import evaluation_json, format_page, parse_evaluation
from recommender.evaluation.systems import FILLED, OURS, EngineSystem, default_contenders
from tests.evaluation_planted import planted_catalog


@pytest.fixture(scope="module")
def planted():
    return leak_free_genres(planted_catalog())


def test_hiding_a_sources_labels_empties_only_its_tracks_and_keeps_the_leak_free_mark(planted):
    blind = without_labels(planted)

    before = planted.tracks.select("sources", "genres").to_dicts()
    after = blind.tracks["genres"].to_list()
    for row, genres in zip(before, after, strict=True):
        assert genres == ([] if KAGGLE in row["sources"] else row["genres"])
    assert any(KAGGLE in row["sources"] and row["genres"] for row in before)
    assert blind.fingerprint != planted.fingerprint
    assert blind.fingerprint.endswith(LEAK_FREE)
    assert blind.tracks.drop("genres").equals(planted.tracks.drop("genres"))


@pytest.fixture(scope="module")
def checks(planted):
    inputs = prepare(planted, random_state=2, quick=False)
    observed = train(planted)
    filled = train(planted, genres="filled")
    heavy = {**DEFAULT_WEIGHTS, "genre": 3.0}
    systems = [
        EngineSystem("no genre", observed, planted, {**DEFAULT_WEIGHTS, "genre": 0.0}),
        EngineSystem("observed", observed, planted, heavy),
        EngineSystem("filled", filled, planted, heavy),
    ]
    found = label_dropout_check(systems, inputs, random_state=2)
    return {(d.system, d.task): d for d in found}


def test_every_system_is_checked_on_both_tasks(checks):
    assert set(checks) == {
        (name, task)
        for name in ("no genre", "observed", "filled")
        for task in (HALF_PLAYLIST, FIVE_SEEDS)
    }
    assert all(d.source == KAGGLE and d.seed_lists > 0 for d in checks.values())


def test_without_a_genre_weight_hiding_labels_changes_nothing(checks):
    for task in (HALF_PLAYLIST, FIVE_SEEDS):
        assert checks["no genre", task].gap == 0.0
        assert checks["no genre", task].with_labels > 0.0


def test_observed_labels_pull_toward_their_source_and_filled_ones_pull_less(checks):
    # The planted Kaggle tracks share their cluster's genre with the seeds: with the labels
    # they are ranked up, without them the labelled TidyTuesday tracks are.
    for task in (HALF_PLAYLIST, FIVE_SEEDS):
        observed = checks["observed", task]
        assert observed.without_labels < observed.with_labels
        # Filled genres carry the cluster's label back from the same artists' tracks.
        assert checks["filled", task].gap < observed.gap


def test_the_evaluation_records_the_check_for_shipped_and_filled(planted):
    table = TrackTable.from_catalog(planted)
    contenders = default_contenders(planted, train(planted), table, random_state=1)
    result = scoring.evaluate_systems(planted, contenders, random_state=2, resamples=50)

    assert {d.system for d in result.label_dropout} == {OURS, FILLED}
    shipped = [d for d in result.label_dropout if d.system == OURS]
    assert result.verdict.label_dropout_gap == max(d.gap for d in shipped)
    # The 5-seed row's share with labels is the 5-seed task's own Kaggle share.
    task = result.five_seeds
    assert task is not None
    ours = next(row for row in task.systems if row.name == OURS)
    five = next(d for d in shipped if d.task == FIVE_SEEDS)
    assert five.with_labels == pytest.approx(ours.source_shares[KAGGLE].mean)
    filled_row = result.row(FILLED)
    assert filled_row.config.genres == "leak-free, filled"

    again = parse_evaluation(evaluation_json(result))
    assert again.label_dropout == result.label_dropout
    page = format_page(result)
    assert "## Label dropout" in page
    assert "label dropout (Kaggle's genres hidden)" in page
    assert pl.Series([d.system for d in result.label_dropout]).n_unique() == 2
