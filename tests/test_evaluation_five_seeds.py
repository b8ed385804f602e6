"""The 5-seed task: its draw, its per-list figures, and its place in the recorded result."""

from __future__ import annotations

import pytest

from recommender.engine.model import train
from recommender.evaluation import five_seeds, scoring
from recommender.evaluation.protocol import PlaylistCase, TrackTable, leak_free_genres
from recommender.evaluation.report import evaluation_json, format_page, parse_evaluation
from recommender.evaluation.systems import Contender, RandomSystem, default_contenders
from tests.evaluation_planted import CentroidSystem, planted_catalog


def _case(name: str, size: int) -> PlaylistCase:
    ids = [f"{name}-{i:02}" for i in range(size)]
    half = size // 2
    return PlaylistCase(playlist_id=name, seeds=tuple(ids[:half]), hidden=frozenset(ids[half:]))


def test_five_seeds_are_drawn_from_the_whole_playlist_and_the_rest_is_hidden():
    cases = [_case("a", 24), _case("b", 30), _case("tiny", 5)]
    drawn = five_seeds.five_seed_cases(cases, random_state=3)
    assert [c.playlist_id for c in drawn] == ["a", "b"]  # 5 tracks would hide nothing
    for before, after in zip(cases, drawn, strict=False):
        assert len(after.seeds) == five_seeds.SEEDS
        assert not set(after.seeds) & after.hidden
        assert {*after.seeds, *after.hidden} == {*before.seeds, *before.hidden}
    # Not simply the first half's first five: over the two playlists some seed was hidden before.
    assert any(set(a.seeds) - set(b.seeds) for a, b in zip(drawn, cases, strict=False))


def test_a_playlists_draw_depends_on_the_random_state_and_its_id_only():
    cases = [_case("a", 24), _case("b", 30)]
    both = five_seeds.five_seed_cases(cases, random_state=3)
    alone = five_seeds.five_seed_cases(cases[1:], random_state=3)
    assert alone[0] == both[1]
    assert five_seeds.five_seed_cases(cases, random_state=3) == both
    others = [five_seeds.five_seed_cases(cases, random_state=r)[0].seeds for r in range(4, 9)]
    assert any(seeds != both[0].seeds for seeds in others)


def test_seed_artist_and_source_shares_count_each_list():
    table = TrackTable.from_catalog(planted_catalog())
    ids = table.all_ids()
    # Cluster 0's track j is by "Artist 0-{j % 8}"; its Kaggle tracks are rows 24-35.
    case = PlaylistCase(playlist_id="p", seeds=(ids[0],), hidden=frozenset())
    ranked = [ids[8], ids[1], ids[24], ids[26]]  # by 0-0, 0-1, 0-0 (Kaggle), 0-2 (Kaggle)
    shares = five_seeds.seed_artist_shares([case, case], [ranked, []], table)
    assert shares.tolist() == [0.5]  # the empty list is not a list of shares 0
    mix = five_seeds.source_shares([ranked], table)
    assert mix["tidytuesday"].tolist() == [0.5]
    assert mix["kaggle"].tolist() == [0.5]
    assert mix["hit_predictor"].tolist() == [0.0]


def test_the_5_seed_task_ranks_a_correct_system_above_random():
    table = TrackTable.from_catalog(planted_catalog())
    contenders = [
        Contender(RandomSystem(table, random_state=3), "baseline"),
        Contender(CentroidSystem(table, name="centroid"), "ours"),
    ]
    result = scoring.evaluate_systems(planted_catalog(), contenders, random_state=5, resamples=100)
    task = result.five_seeds
    assert task is not None
    assert task.seeds == five_seeds.SEEDS
    assert task.playlists == result.protocol.held_out_playlists  # every one has 24 tracks
    rows = {row.name: row for row in task.systems}
    assert set(rows) == {"random", "centroid"}
    assert rows["centroid"].recall.mean > 0.5 > rows["random"].recall.high
    assert task.common_fields is None  # no shipped engine system ran: no reference
    assert result.verdict.five_seed_source_mix_gap is None


@pytest.fixture(scope="module")
def engine_result():
    planted = leak_free_genres(planted_catalog())
    table = TrackTable.from_catalog(planted)
    contenders = default_contenders(planted, train(planted), table, random_state=1)
    return scoring.evaluate_systems(planted, contenders, random_state=2, resamples=50)


def test_the_shipped_defaults_get_a_common_fields_reference_and_a_checked_gap(engine_result):
    task = engine_result.five_seeds
    assert task is not None
    assert task.common_fields is not None
    ours = next(row for row in task.systems if row.name == "shipped defaults")
    gap = engine_result.verdict.five_seed_source_mix_gap
    assert gap == task.largest_source_mix_gap("shipped defaults")
    assert gap == pytest.approx(
        max(
            abs(ours.source_shares[s].mean - task.common_fields.source_shares[s].mean)
            for s in ours.source_shares
        )
    )
    discover = next(row for row in task.systems if row.name == "preset: Discover new artists")
    assert discover.seed_artist_share.mean == 0.0
    assert ours.seed_artist_share.mean > 0.0


def test_the_5_seed_task_survives_the_json_and_shows_on_the_page(engine_result):
    again = parse_evaluation(evaluation_json(engine_result))
    assert again.five_seeds == engine_result.five_seeds
    page = format_page(engine_result)
    assert "## The 5-seed task (held-out half)" in page
    assert "shipped defaults, common fields only" in page
    assert "5-seed task, largest source-mix gap to common fields only" in page
