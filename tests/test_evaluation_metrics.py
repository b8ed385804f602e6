"""Evaluation metrics (issue 8): ranking, beyond-accuracy and bootstrap figures by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recommender.evaluation import metrics

RANKED = ["a", "b", "c", "d", "e"]
RELEVANT = {"b", "e", "x"}


def test_recall_and_precision_count_hits_by_hand():
    assert metrics.recall_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 3)
    assert metrics.recall_at_k(RANKED, RELEVANT, 2) == pytest.approx(1 / 3)
    assert metrics.precision_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 5)
    assert metrics.precision_at_k(RANKED, RELEVANT, 2) == pytest.approx(1 / 2)
    # A list shorter than k counts its missing positions as misses.
    assert metrics.precision_at_k(["b"], RELEVANT, 4) == pytest.approx(1 / 4)
    assert metrics.recall_at_k(RANKED, set(), 5) == 0.0


def test_ndcg_by_hand():
    # Hits at ranks 2 and 5: 1/log2(3) + 1/log2(6); ideal puts 3 hits first: 1 + 1/log2(3) + 1/2.
    dcg = 1 / math.log2(3) + 1 / math.log2(6)
    ideal = 1 + 1 / math.log2(3) + 0.5
    assert metrics.ndcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(dcg / ideal)
    assert metrics.ndcg_at_k(RANKED, RELEVANT, 5) == pytest.approx(0.47762, abs=1e-5)
    assert metrics.ndcg_at_k(["b", "e", "x"], RELEVANT, 5) == pytest.approx(1.0)
    assert metrics.ndcg_at_k(["q", "b"], {"b"}, 1) == 0.0


def test_r_precision_by_hand():
    # R = 3 relevant items; the first three hold one of them.
    assert metrics.r_precision(RANKED, RELEVANT) == pytest.approx(1 / 3)
    assert metrics.r_precision(["e", "b", "x", "a"], RELEVANT) == pytest.approx(1.0)
    assert metrics.r_precision(["e"], RELEVANT) == pytest.approx(1 / 3)


def test_intra_list_diversity_is_the_mean_pairwise_distance():
    # A 3-4-5 triangle: pair distances 5, 4 and 3.
    vectors = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]])
    assert metrics.intra_list_diversity(vectors) == pytest.approx(4.0)
    assert metrics.intra_list_diversity(vectors[:1]) == 0.0
    assert metrics.intra_list_diversity(np.ones((4, 3))) == pytest.approx(0.0)


def test_distinct_artists_coverage_and_popularity_bias():
    assert metrics.distinct_per(["x", "x", "y", "z"], n=2) == 1
    assert metrics.distinct_per(["x", "x", "y", "z"], n=10) == 3
    assert metrics.coverage([["a", "b"], ["b", "c"]], catalog_size=10) == pytest.approx(0.3)
    assert metrics.popularity_bias([60, None, 80], [50, None, 50]) == pytest.approx(20.0)
    assert math.isnan(metrics.popularity_bias([None], [50]))
    with pytest.raises(ValueError, match="catalog_size"):
        metrics.coverage([["a"]], catalog_size=0)
    with pytest.raises(ValueError, match="k must be"):
        metrics.recall_at_k(RANKED, RELEVANT, 0)


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    values = np.random.default_rng(3).normal(0.4, 0.1, size=200)
    first = metrics.bootstrap_interval(values, random_state=7)
    again = metrics.bootstrap_interval(values, random_state=7)
    assert first == again
    assert first.low < values.mean() < first.high
    # The interval of a mean is about 2 * 1.96 standard errors wide.
    width = 2 * 1.96 * values.std(ddof=1) / math.sqrt(values.size)
    assert first.high - first.low == pytest.approx(width, rel=0.2)
    constant = metrics.bootstrap_interval([0.25] * 10, random_state=1)
    assert (constant.low, constant.mean, constant.high) == pytest.approx((0.25, 0.25, 0.25))
    with pytest.raises(ValueError, match="at least one"):
        metrics.bootstrap_interval([], random_state=1)


def test_paired_bootstrap_sees_a_small_consistent_gain_that_unpaired_noise_hides():
    rng = np.random.default_rng(11)
    difficulty = rng.uniform(0.0, 1.0, size=100)  # large spread between playlists
    better = difficulty + 0.02
    paired = metrics.paired_bootstrap_difference(better, difficulty, random_state=5)
    assert paired.excludes_zero()
    assert paired.mean == pytest.approx(0.02)
    unpaired_a = metrics.bootstrap_interval(better, random_state=5)
    unpaired_b = metrics.bootstrap_interval(difficulty, random_state=6)
    assert unpaired_a.low < unpaired_b.high  # the separate intervals overlap
    same = metrics.paired_bootstrap_difference(difficulty, difficulty, random_state=5)
    assert not same.excludes_zero()
    with pytest.raises(ValueError, match="equal"):
        metrics.paired_bootstrap_difference([1.0], [1.0, 2.0], random_state=5)
