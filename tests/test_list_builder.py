"""The list builder, rule by rule, on candidates whose songs and artists the test sets."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.engine.list_builder import (
    BLOCK,
    Candidate,
    ListBuilder,
    ListRules,
    Phase,
    Verdict,
)


def _builder(
    songs: list[int],
    artists: list[int],
    *,
    per_seed: int = 50,
    max_per_artist: int | None = None,
    artists_per_block: int | None = None,
    limit: int = 50,
    seed_artist_rows: np.ndarray | None = None,
    seed_artists_per_block: int | None = None,
) -> ListBuilder:
    rules = ListRules(
        per_seed=per_seed,
        max_per_artist=max_per_artist,
        artists_per_block=artists_per_block,
        seed_artists_per_block=seed_artists_per_block,
    )
    return ListBuilder(
        song_codes=np.array(songs),
        primary_codes=np.array(artists),
        rules=rules,
        limit=limit,
        seed_artist_rows=seed_artist_rows,
    )


def _build(builder: ListBuilder, seeds: list[int], *, strict: bool = False) -> list[int]:
    order = np.arange(len(seeds))
    return builder.build(order, np.array(seeds), strict=strict)


def test_only_the_nearest_version_of_a_song_is_kept():
    builder = _builder(songs=[7, 7, 8], artists=[1, 2, 3])
    assert _build(builder, seeds=[0, 0, 0]) == [0, 2]


def test_the_song_rule_rejects_a_song_already_listed():
    builder = _builder(songs=[7, 7], artists=[1, 2])
    _build(builder, seeds=[0])
    again = Candidate(position=1, song=7, artist=2, seed=0)
    assert builder.same_song(again, Phase.TOP_UP) is Verdict.REJECT
    assert builder.same_song(Candidate(1, 9, 2, 0), Phase.TOP_UP) is Verdict.ADMIT


def test_at_most_max_per_artist_tracks_per_primary_artist():
    builder = _builder(songs=[1, 2, 3, 4], artists=[5, 5, 5, 6], max_per_artist=2)
    assert _build(builder, seeds=[0, 0, 0, 0]) == [0, 1, 3]


def test_each_seed_gets_its_quota_first_then_the_list_is_topped_up_nearest_first():
    # Seed 0 owns the four nearest; seed 1 the two furthest. Quota 2: 0, 1 (seed 0), then
    # 4, 5 (seed 1), then the top-up takes 2 and 3.
    builder = _builder(songs=list(range(6)), artists=list(range(6)), per_seed=2, limit=6)
    assert _build(builder, seeds=[0, 0, 0, 0, 1, 1]) == [0, 1, 4, 5, 2, 3]


def test_the_quota_rule_rejects_only_in_the_quota_pass():
    builder = _builder(songs=[1, 2], artists=[1, 2], per_seed=1, limit=1)
    _build(builder, seeds=[0])
    full = Candidate(position=1, song=2, artist=2, seed=0)
    assert builder.seed_quota(full, Phase.QUOTA) is Verdict.REJECT
    assert builder.seed_quota(full, Phase.TOP_UP) is Verdict.ADMIT


def test_a_repeat_that_would_break_its_block_waits_and_goes_first_in_the_next_block():
    # Artist 0 has the twelve nearest tracks; twenty single-track artists follow. With 8 in
    # 10, a block holds at most 2 repeats: 3 of artist 0 fit in each block.
    artists = [0] * 12 + list(range(1, 21))
    builder = _builder(songs=list(range(32)), artists=artists, artists_per_block=8, limit=20)
    picked = _build(builder, seeds=[0] * 32)
    first, second = picked[:BLOCK], picked[BLOCK:]
    assert first == [0, 1, 2, *range(12, 19)]
    assert second == [3, 4, 5, *range(19, 26)]
    for block in (first, second):
        assert len({artists[p] for p in block}) >= 8


def test_the_variety_rule_defers_rather_than_rejects_and_never_in_the_fill_pass():
    repeat = Candidate(position=2, song=2, artist=0, seed=0)
    builder_after_two = _builder(songs=[0, 1, 2], artists=[0, 0, 0], artists_per_block=9)
    _build(builder_after_two, seeds=[0, 0], strict=True)
    assert builder_after_two.artist_variety(repeat, Phase.TOP_UP) is Verdict.DEFER
    assert builder_after_two.artist_variety(repeat, Phase.FILL) is Verdict.ADMIT


def test_waiting_tracks_fill_the_list_only_when_not_strict():
    # One artist only: 9 in 10 lets one repeat per block, so two tracks fit.
    loose = _builder(songs=list(range(5)), artists=[0] * 5, artists_per_block=9, limit=5)
    strict = _builder(songs=list(range(5)), artists=[0] * 5, artists_per_block=9, limit=5)
    assert _build(strict, seeds=[0] * 5, strict=True) == [0, 1]
    assert _build(loose, seeds=[0] * 5, strict=False) == [0, 1, 2, 3, 4]


def test_the_limit_stops_the_walk():
    builder = _builder(songs=list(range(10)), artists=list(range(10)), limit=3)
    assert _build(builder, seeds=[0] * 10) == [0, 1, 2]


@pytest.mark.parametrize("name", ListBuilder.RULES)
def test_every_rule_is_a_method_that_admits_a_fresh_candidate(name):
    builder = _builder(songs=[0], artists=[0], max_per_artist=1, artists_per_block=8)
    verdict = getattr(builder, name)(Candidate(0, 0, 0, 0), Phase.QUOTA)
    assert verdict is Verdict.ADMIT


def test_judge_returns_the_first_objection_in_rule_order():
    builder = _builder(songs=[0, 0], artists=[0, 0], max_per_artist=1, limit=1)
    _build(builder, seeds=[0])
    # Both the song rule and the artist cap object; the song rule is asked first.
    assert builder.judge(Candidate(1, 0, 0, 0), Phase.TOP_UP) is Verdict.REJECT
    assert ListBuilder.RULES[0] == "same_song"


def test_in_the_fill_pass_a_new_block_still_prefers_a_new_artist_to_a_second_repeat():
    # Two artists cannot make 9 in 10, so most tracks wait and the fill pass places them.
    # When the fill pass starts block two, the waiting tracks are offered under the artist
    # rule again: 10 and 11 (artist 0) fit, 12 (artist 0, a second repeat) waits behind 13
    # (artist 1), and only the fill pass's own walk lets 12 through after it.
    artists = [0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1]
    n = len(artists)
    builder = _builder(songs=list(range(n)), artists=artists, artists_per_block=9, limit=n)
    assert _build(builder, seeds=[0] * n, strict=False) == [*range(12), 13, 12]


def test_tracks_by_the_seeds_artists_take_at_most_their_room_in_each_block_of_20():
    # Rows 0-29 credit a seed's artist and are nearest; 30-69 are by other artists.
    n = 70
    flagged = np.array([row < 30 for row in range(n)])
    builder = _builder(
        songs=list(range(n)),
        artists=list(range(n)),
        per_seed=100,
        limit=40,
        seed_artist_rows=flagged,
        seed_artists_per_block=5,
    )
    picked = builder.build(np.arange(n), np.zeros(n, dtype=int), strict=True)
    for start in (0, 20):
        assert sum(flagged[p] for p in picked[start : start + 20]) == 5
    # The waiting ones are the nearest left when the next block of 20 starts.
    assert picked[20:25] == [5, 6, 7, 8, 9]


def test_the_seed_artist_room_defers_and_lets_through_only_in_the_fill_pass():
    flagged = np.array([True, True, False])
    rules = ListRules(
        per_seed=9, max_per_artist=None, artists_per_block=None, seed_artists_per_block=1
    )
    builder = ListBuilder(
        song_codes=np.arange(3),
        primary_codes=np.arange(3),
        rules=rules,
        limit=3,
        seed_artist_rows=flagged,
    )
    # A quarter of a list of 3 rounds down to no room: the two tracks by a seed's artist come
    # only in the fill pass, after the one that is not.
    assert builder.build(np.arange(3), np.zeros(3, dtype=int), strict=False) == [2, 0, 1]
    second = Candidate(position=1, song=1, artist=1, seed=0, row=1)
    fresh = ListBuilder(
        song_codes=np.arange(3),
        primary_codes=np.arange(3),
        rules=rules,
        limit=3,
        seed_artist_rows=flagged,
    )
    fresh.build(np.arange(1), np.zeros(1, dtype=int), strict=True)
    assert fresh.seed_artist_room(second, Phase.TOP_UP) is Verdict.DEFER
    assert fresh.seed_artist_room(second, Phase.FILL) is Verdict.ADMIT


def test_one_recording_once_rejects_a_seeds_recording_and_an_earlier_ones():
    from recommender.engine.recording import RecordingKey

    def key(title: str, artist: str) -> RecordingKey:
        return RecordingKey(
            title=title, version="", artists=(artist,), features=None, duration_ms=None
        )

    keys = {
        0: key("take five", "dave brubeck"),  # the seed's recording, credited to one member
        1: key("blue rondo", "the dave brubeck quartet"),
        2: key("blue rondo", "dave brubeck"),  # the same as 1
        3: key("take five", "someone else"),  # a cover: another recording
    }
    rules = ListRules(per_seed=9, max_per_artist=None, artists_per_block=None)
    builder = ListBuilder(
        song_codes=np.arange(4),
        primary_codes=np.arange(4),
        rules=rules,
        limit=4,
        recording_of=keys.__getitem__,
        seed_recordings=(key("take five", "the dave brubeck quartet"),),
    )
    assert builder.build(np.arange(4), np.zeros(4, dtype=int), strict=False) == [1, 3]


def test_a_shorter_last_block_gives_the_seeds_artists_the_same_share():
    n = 80
    flagged = np.array([row < 40 for row in range(n)])
    builder = _builder(
        songs=list(range(n)),
        artists=list(range(n)),
        per_seed=100,
        limit=50,
        seed_artist_rows=flagged,
        seed_artists_per_block=5,
    )
    picked = builder.build(np.arange(n), np.zeros(n, dtype=int), strict=True)
    assert [sum(flagged[p] for p in picked[s : s + 20]) for s in (0, 20, 40)] == [5, 5, 2]
