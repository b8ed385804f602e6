"""The evaluation protocol: playlist splits, halves and candidate restrictions."""

from __future__ import annotations

from recommender.evaluation import protocol
from tests import factories
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


def test_evaluate_scores_exactly_the_playlists_tune_never_sees():
    planted = planted_catalog()
    tuning_half, held_out_half = protocol.halves(planted, random_state=3)
    full = protocol.prepare(planted, random_state=3, quick=False)
    assert [c.playlist_id for c in full.cases] == [c.playlist_id for c in held_out_half]
    assert {c.playlist_id for c in full.cases}.isdisjoint(c.playlist_id for c in tuning_half)
    assert {c.playlist_id for c in full.tradeoff_cases} <= {c.playlist_id for c in tuning_half}
    # --quick splits first, then samples inside the held-out half.
    quick = protocol.prepare(planted, random_state=3, quick=True)
    assert {c.playlist_id for c in quick.cases} <= {c.playlist_id for c in held_out_half}


def test_leak_free_genres_drop_the_playlists_own_labels_only():
    rows = [
        {"name": "In a playlist", "artists": ["A"], "genres": ["pop", "dance pop", "k-pop"]},
        {"name": "Not in one", "artists": ["B"], "genres": ["pop", "k-pop"]},
    ]
    tracks = factories.make_tracks(rows)
    ids = tracks["track_id"].to_list()
    member = {
        "track_id": ids[0],
        "playlist_id": "P" * 22,
        "playlist_name": "P",
        "playlist_genre": "pop",
        "playlist_subgenre": "dance pop",
    }
    catalog = factories.make_catalog(rows, [member])
    clean = protocol.leak_free_genres(catalog)
    genres = dict(zip(clean.tracks["track_id"], clean.tracks["genres"].to_list(), strict=True))
    assert genres[ids[0]] == ["k-pop"]  # its playlist's labels go, Kaggle's own label stays
    assert sorted(genres[ids[1]]) == ["k-pop", "pop"]  # no playlist: nothing to leak
    assert clean.fingerprint.endswith(protocol.LEAK_FREE)


def test_the_tidytuesday_only_variant_offers_only_tidytuesday_tracks():
    planted = planted_catalog()
    inputs = protocol.prepare(planted, random_state=1, quick=False)
    tidy = set(planted.playlists["track_id"].to_list())
    ids = set(planted.tracks["track_id"].to_list())
    assert inputs.tidytuesday_skip == frozenset(ids - tidy)
    labelled = {str(inputs.table.ids[i]) for i in inputs.genre_rows}
    assert len(labelled) == CLUSTERS * KAGGLE_PER_CLUSTER
    assert inputs.genre_skip == frozenset(ids - labelled)
