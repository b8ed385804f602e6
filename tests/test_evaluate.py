"""Offline evaluation (issue 8): metrics on hand-computed cases, the protocol, guards, CLI."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from recommender.evaluation import metrics
from recommender.evaluation import scoring as evaluate
from tests import factories

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


# --- the protocol on a planted catalog -------------------------------------------------------

CLUSTERS = 4
PLAYLIST_SIZE = 24
KAGGLE_PER_CLUSTER = 12


def _planted_catalog():
    """Four tight clusters in sound, one TidyTuesday playlist each, plus labelled Kaggle tracks.

    The right continuation of a playlist is obvious: the rest of its own cluster.
    """
    rng = np.random.default_rng(0)
    rows, playlists = [], []
    for cluster in range(CLUSTERS):
        energy, valence = 0.15 + 0.7 * (cluster % 2), 0.15 + 0.7 * (cluster // 2)
        for j in range(PLAYLIST_SIZE + KAGGLE_PER_CLUSTER):
            kaggle = j >= PLAYLIST_SIZE
            rows.append(
                {
                    "name": f"Song {cluster}-{j}",
                    "artists": [f"Artist {cluster}-{j % 8}"],
                    "energy": energy + rng.normal(0, 0.02),
                    "valence": valence + rng.normal(0, 0.02),
                    # Kaggle tracks sit a little apart: near the cluster, off the playlist.
                    "danceability": 0.2 + 0.2 * cluster + 0.08 * kaggle + rng.normal(0, 0.01),
                    "popularity": int(rng.integers(0, 100)),
                    "genres": [f"genre{cluster}"],
                    "sources": ["kaggle"] if kaggle else ["tidytuesday"],
                }
            )
    for n in range(60):  # scattered tracks that belong to no playlist
        rows.append(
            {
                "name": f"Noise {n}",
                "artists": [f"Noise artist {n}"],
                "energy": rng.uniform(0, 1),
                "valence": rng.uniform(0, 1),
                "danceability": rng.uniform(0, 1),
                "sources": ["hit_predictor"],
                "genres": None,
                "popularity": None,
            }
        )
    tracks = factories.make_tracks(rows)
    ids = tracks["track_id"].to_list()
    per_cluster = PLAYLIST_SIZE + KAGGLE_PER_CLUSTER
    for cluster in range(CLUSTERS):
        for j in range(PLAYLIST_SIZE):
            playlists.append(_member(ids[cluster * per_cluster + j], f"P{cluster}"))
    playlists += [_member(ids[j], "tiny") for j in range(5)]  # too small to evaluate
    return factories.make_catalog(rows, playlists)


def _member(track_id: str, playlist_id: str) -> dict[str, str]:
    return {
        "track_id": track_id,
        "playlist_id": f"{playlist_id:0>22}",
        "playlist_name": playlist_id,
        "playlist_genre": "pop",
        "playlist_subgenre": "dance pop",
    }


class CentroidSystem:
    """A plain nearest-to-the-seeds'-centre ranking; ``reverse`` makes it a broken one."""

    def __init__(self, table: evaluate.TrackTable, *, name: str, reverse: bool = False) -> None:
        self.name = name
        self._table = table
        self._reverse = reverse

    def recommend(self, seeds, *, k, skip):
        rows = self._table.rows(seeds)
        centre = self._table.profile[rows].mean(axis=0)
        distance = ((self._table.profile - centre) ** 2).sum(axis=1)
        order = np.argsort(-distance if self._reverse else distance, kind="stable")
        excluded = set(seeds) | skip
        ranked = [str(self._table.ids[i]) for i in order if self._table.ids[i] not in excluded]
        return ranked[:k]


@pytest.fixture(scope="module")
def planted():
    return _planted_catalog()


@pytest.fixture(scope="module")
def planted_entries(planted):
    table = evaluate.TrackTable.from_catalog(planted)
    return [
        evaluate.Entry(evaluate.RandomSystem(table, random_state=3), "baseline"),
        evaluate.Entry(evaluate.PopularSystem(table), "baseline"),
        evaluate.Entry(CentroidSystem(table, name="centroid"), "ours"),
        evaluate.Entry(CentroidSystem(table, name="broken", reverse=True), "ours"),
    ]


def test_playlist_split_is_half_and_half_and_skips_small_playlists(planted):
    cases = evaluate.playlist_cases(planted, random_state=1)
    assert [case.playlist_id[-2:] for case in cases] == ["P0", "P1", "P2", "P3"]
    for case in cases:
        assert len(case.seeds) == len(case.hidden) == PLAYLIST_SIZE // 2
        assert case.hidden.isdisjoint(case.seeds)
    other = evaluate.playlist_cases(planted, random_state=2)
    assert [c.seeds for c in other] != [c.seeds for c in cases]
    assert evaluate.playlist_cases(planted, random_state=1) == cases


def test_halves_partition_the_playlists(planted):
    cases = evaluate.playlist_cases(planted, random_state=1)
    train, test = evaluate.split_halves(cases, random_state=1)
    assert len(train) == len(test) == CLUSTERS // 2
    assert {c.playlist_id for c in train}.isdisjoint(c.playlist_id for c in test)
    assert {c.playlist_id for c in train} | {c.playlist_id for c in test} == {
        c.playlist_id for c in cases
    }


def test_a_correct_system_scores_well_and_a_broken_one_badly(planted, planted_entries):
    result = evaluate.evaluate_systems(planted, planted_entries, random_state=5, resamples=200)
    by_name = {row["name"]: row for row in result["systems"]}
    good, bad = by_name["centroid"], by_name["broken"]
    assert good["playlists"]["recall@50"]["mean"] > 0.9
    assert good["playlists"]["precision@10"]["mean"] > 0.9
    assert good["genre_agreement@10"]["mean"] > 0.9
    assert bad["playlists"]["recall@50"]["mean"] < 0.1
    assert bad["genre_agreement@10"]["mean"] < 0.2
    assert (
        by_name["random"]["playlists"]["recall@50"]["mean"] < good["playlists"]["recall@50"]["low"]
    )
    low, high = (good["playlists"]["recall@50"][key] for key in ("low", "high"))
    assert low <= good["playlists"]["recall@50"]["mean"] <= high


def test_the_tidytuesday_only_variant_offers_only_tidytuesday_tracks(planted):
    setup = evaluate.prepare(planted, random_state=1, quick=False)
    tidy = set(planted.playlists["track_id"].to_list())
    ids = set(planted.tracks["track_id"].to_list())
    assert setup.tidytuesday_skip == frozenset(ids - tidy)
    labelled = {str(setup.table.ids[i]) for i in setup.genre_rows}
    assert len(labelled) == CLUSTERS * KAGGLE_PER_CLUSTER
    assert setup.genre_skip == frozenset(ids - labelled)


def test_same_random_state_gives_the_same_numbers(planted, planted_entries):
    first = evaluate.evaluate_systems(planted, planted_entries, random_state=9, resamples=100)
    second = evaluate.evaluate_systems(planted, planted_entries, random_state=9, resamples=100)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    other = evaluate.evaluate_systems(planted, planted_entries, random_state=10, resamples=100)
    assert json.dumps(other, sort_keys=True) != json.dumps(first, sort_keys=True)


class _Weighted:
    def __init__(self, name, weights):
        self.name = name
        self.weights = weights

    def recommend(self, seeds, *, k, skip):
        return []


def test_a_system_using_the_genre_weight_is_refused(planted):
    leaky = evaluate.Entry(_Weighted("leaky", {"energy": 1.0, "genre": 0.5}), "ours")
    with pytest.raises(ValueError, match=r"'leaky' uses genre weight 0\.5"):
        evaluate.evaluate_systems(planted, [leaky])
    evaluate.check_no_label_leak([evaluate.Entry(_Weighted("fine", {"genre": 0.0}), "ours")])


class _ReturnsSeeds:
    name = "cheat"

    def recommend(self, seeds, *, k, skip):
        return list(seeds)[:k]


def test_a_list_containing_a_seed_is_an_error_not_a_hit(planted):
    with pytest.raises(ValueError, match="'cheat' returned one of its own seeds"):
        evaluate.run_system(_ReturnsSeeds(), [("a", "b")], k=5, skip=frozenset())


class _WeightedCentroid(CentroidSystem):
    """Centroid ranking over the profile plus one pure-noise column, each weighted."""

    def __init__(self, table, weights):
        super().__init__(table, name="weighted")
        self.weights = weights
        noise = np.random.default_rng(1).normal(0, 3, size=(len(table.ids), 1))
        self._table = evaluate.TrackTable(
            **{
                **{f: getattr(table, f) for f in ("ids", "position", "artist", "popularity")},
                **{f: getattr(table, f) for f in ("sources", "genres", "tidytuesday")},
                "profile": np.hstack([table.profile, weights["noise"] * noise]),
            }
        )


def test_coordinate_search_switches_off_a_harmful_weight(planted):
    table = evaluate.TrackTable.from_catalog(planted)
    cases = evaluate.playlist_cases(planted, random_state=1)
    ticks = iter(range(1000))
    best, history = evaluate.coordinate_search(
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
    _, spent = evaluate.coordinate_search(
        lambda weights: _WeightedCentroid(table, weights),
        {"noise": 3.0},
        names=["noise"],
        cases=cases,
        table=table,
        deadline=0,
        clock=lambda: 1,
    )
    assert len(spent) == 1


# --- through the shipped engine ---------------------------------------------------------------


@pytest.fixture(scope="module")
def planted_model(planted):
    from recommender.engine.model import train

    return train(planted)


def test_every_default_system_has_the_genre_weight_off(planted, planted_model):
    table = evaluate.TrackTable.from_catalog(planted)
    entries = evaluate.default_entries(planted, planted_model, table, random_state=1)
    names = [entry.system.name for entry in entries]
    assert names[:4] == [
        "random",
        "most popular",
        "original design",
        "original design (plain numpy)",
    ]
    assert "our defaults" in names
    assert sum(name.startswith("preset: ") for name in names) >= 3
    engine_systems = [e.system for e in entries if isinstance(e.system, evaluate.EngineSystem)]
    engine_systems += [e.genre_system for e in entries if e.genre_system is not None]
    assert len(engine_systems) >= 10
    assert all(system.weights["genre"] == 0.0 for system in engine_systems)
    evaluate.check_no_label_leak(entries)


def test_original_design_weights_undo_the_scaling_of_unit_features(planted):
    weights = evaluate.original_design_weights(planted)
    energy = planted.tracks["energy"]
    assert weights["energy"] == pytest.approx(energy.std(ddof=0), abs=1e-3)
    assert weights["loudness"] == weights["popularity"] == weights["artist"] == 1.0
    assert weights["genre"] == weights["year"] == 0.0


def test_the_engine_continues_planted_playlists_and_scores_beat_the_baselines(
    planted, planted_model
):
    table = evaluate.TrackTable.from_catalog(planted)
    entries = evaluate.default_entries(planted, planted_model, table, random_state=1)
    result = evaluate.evaluate_systems(planted, entries, random_state=2, resamples=100)
    rows = {row["name"]: row for row in result["systems"]}
    ours = rows["our defaults"]["playlists"]["recall@50"]["mean"]
    assert ours > 0.8
    assert ours > rows["random"]["playlists"]["recall@50"]["high"]
    assert rows["our defaults"]["genre_agreement@10"]["mean"] > 0.8
    assert rows["our defaults"]["beyond"]["short_lists"] == 0
    assert {c["subset"] for c in result["comparisons"]} == {"held-out half", "all playlists"}
    assert result["verdict"]["checked"]
    report = evaluate.format_report(result)
    assert all(name in report for name in rows)
    assert evaluate.format_table(result, markdown=True).count("\n| ") == len(rows)


# --- the command line -------------------------------------------------------------------------


def test_evaluate_cli_reports_a_missing_catalog_without_a_traceback(tmp_path, monkeypatch, capsys):
    from recommender.cli import main

    monkeypatch.setenv("RECOMMENDER_CATALOG", str(tmp_path / "nowhere"))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["evaluate", "--quick"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("evaluate: ")
    assert "Traceback" not in err


@pytest.mark.slow
def test_quick_cli_run_on_the_reference_catalog(
    reference_catalog, reference_settings, tmp_path, monkeypatch, capsys
):
    from recommender.cli import main

    monkeypatch.setenv(
        "RECOMMENDER_CATALOG", os.pathsep.join(map(str, reference_settings.catalog_paths))
    )
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    out = tmp_path / "evaluation.json"
    assert main(["evaluate", "--quick", "--json", "--output", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == result
    assert result["protocol"]["quick"]
    assert result["protocol"]["catalog_fingerprint"] == reference_catalog.fingerprint
    rows = {row["name"]: row for row in result["systems"]}
    assert {"random", "most popular", "original design", "our defaults"} <= set(rows)
    for row in rows.values():
        recall = row["playlists"]["recall@50"]
        assert recall["low"] <= recall["mean"] <= recall["high"]
        assert row["beyond"]["short_lists"] == 0
    # Orders of magnitude the issue reports for the reference catalog.
    assert rows["random"]["playlists"]["recall@50"]["mean"] < 0.01
    assert rows["our defaults"]["playlists"]["recall@50"]["mean"] > 0.05
    assert (
        rows["our defaults"]["playlists"]["recall@50"]["mean"]
        > rows["most popular"]["playlists"]["recall@50"]["mean"]
    )


def test_tuning_reports_both_halves_and_keeps_the_sound(planted, planted_model):
    ticks = iter(range(10_000))
    result = evaluate.run_tuning(
        planted, planted_model, budget_seconds=40, clock=lambda: next(ticks), resamples=50
    )
    assert [row["name"] for row in result["rows"]] == ["original design", "our defaults", "tuned"]
    assert result["tuning_playlists"] + result["held_out_playlists"] == CLUSTERS
    assert 1 < result["trials"] <= 41
    best = result["best_weights"]
    assert best["genre"] == 0.0
    assert all(best[name] >= evaluate.SOUND_FLOOR for name in evaluate.PROFILE_FEATURES)
    for row in result["rows"]:
        for key in ("tuning_half_all", "held_out_half_tidytuesday_only"):
            assert 0.0 <= row[key]["recall@50"] <= 1.0
    assert len(result["comparisons"]) == 6
    assert "tuned - our defaults" in evaluate.format_tuning(result)
