"""The evaluation protocol: playlist splits, halves and candidate restrictions."""

from __future__ import annotations

from recommender.evaluation import protocol
from tests.evaluation_planted import (
    CLUSTERS,
    KAGGLE_PER_CLUSTER,
    PLAYLIST_SIZE,
    planted_catalog,
)


def test_playlist_split_is_half_and_half_and_skips_small_playlists():
    planted = planted_catalog()
    cases = protocol.playlist_cases(planted, random_state=1)
    assert [case.playlist_id[-2:] for case in cases] == ["P0", "P1", "P2", "P3"]
    for case in cases:
        assert len(case.seeds) == len(case.hidden) == PLAYLIST_SIZE // 2
        assert case.hidden.isdisjoint(case.seeds)
    other = protocol.playlist_cases(planted, random_state=2)
    assert [c.seeds for c in other] != [c.seeds for c in cases]
    assert protocol.playlist_cases(planted, random_state=1) == cases


def test_halves_partition_the_playlists():
    cases = protocol.playlist_cases(planted_catalog(), random_state=1)
    tuning_half, held_out_half = protocol.split_halves(cases, random_state=1)
    assert len(tuning_half) == len(held_out_half) == CLUSTERS // 2
    assert {c.playlist_id for c in tuning_half}.isdisjoint(c.playlist_id for c in held_out_half)
    assert {c.playlist_id for c in tuning_half} | {c.playlist_id for c in held_out_half} == {
        c.playlist_id for c in cases
    }


def test_the_tidytuesday_only_variant_offers_only_tidytuesday_tracks():
    planted = planted_catalog()
    inputs = protocol.prepare(planted, random_state=1, quick=False)
    tidy = set(planted.playlists["track_id"].to_list())
    ids = set(planted.tracks["track_id"].to_list())
    assert inputs.tidytuesday_skip == frozenset(ids - tidy)
    labelled = {str(inputs.table.ids[i]) for i in inputs.genre_rows}
    assert len(labelled) == CLUSTERS * KAGGLE_PER_CLUSTER
    assert inputs.genre_skip == frozenset(ids - labelled)
