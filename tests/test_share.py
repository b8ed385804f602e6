from urllib.parse import parse_qs, urlsplit

import pytest

from recommender.domain import track_uri, track_url
from recommender.engine.features import DEFAULT_WEIGHTS, WEIGHT_NAMES
from recommender.seeds.share import (
    MAX_SHARED_SEEDS,
    parse_share,
    share_query,
    share_url,
    split_known,
)
from tests.factories import track_id


def _non_default(name: str) -> float:
    return 2.5 if DEFAULT_WEIGHTS[name] != 2.5 else 0.5


def test_round_trip_seeds_and_weights():
    ids = [track_id(1), track_id(2), track_id(3)]
    weights = dict(DEFAULT_WEIGHTS)
    weights["energy"] = _non_default("energy")
    weights["valence"] = _non_default("valence")
    query = parse_qs(share_query(ids, weights))
    parsed = parse_share(query["seeds"][0], query["weights"][0])
    assert list(parsed.seed_ids) == ids
    assert parsed.weights == {"energy": weights["energy"], "valence": weights["valence"]}
    assert parsed.problems == ()


def test_default_weights_leave_no_weights_parameter():
    assert "weights" not in parse_qs(share_query([track_id(1)], DEFAULT_WEIGHTS))
    assert share_query([track_id(1)]) == f"seeds={track_id(1)}"


def test_uris_and_links_are_accepted_and_duplicates_dropped():
    text = ",".join([track_uri(track_id(1)), track_url(track_id(2)), track_id(1), " "])
    assert parse_share(text).seed_ids == (track_id(1), track_id(2))


def test_bad_pieces_are_reported_and_the_rest_still_works():
    parsed = parse_share(f"{track_id(1)},not-an-id", f"{WEIGHT_NAMES[1]}:2,bogus:1")
    assert parsed.seed_ids == (track_id(1),)
    assert parsed.weights == {WEIGHT_NAMES[1]: 2.0}
    assert len(parsed.problems) == 2
    assert "not-an-id" in parsed.problems[0]
    assert "bogus" in parsed.problems[1]


def test_missing_parameters_give_an_empty_selection():
    parsed = parse_share(None, None)
    assert parsed.seed_ids == ()
    assert parsed.weights == {}
    assert parsed.problems == ()


def test_too_many_seeds_are_cut_and_said():
    ids = [track_id(n) for n in range(MAX_SHARED_SEEDS + 5)]
    parsed = parse_share(",".join(ids))
    assert list(parsed.seed_ids) == ids[:MAX_SHARED_SEEDS]
    assert str(MAX_SHARED_SEEDS) in parsed.problems[0]


def test_split_known_keeps_order():
    ids = [track_id(3), track_id(1), track_id(2)]
    assert split_known(ids, {track_id(1), track_id(3)}) == (
        [track_id(3), track_id(1)],
        [track_id(2)],
    )


def test_share_url_replaces_an_existing_query():
    url = share_url("http://127.0.0.1:8501/recommendations?x=1#top", [track_id(1)], None)
    parts = urlsplit(url)
    assert parts.path == "/recommendations"
    assert parse_qs(parts.query) == {"seeds": [track_id(1)]}


def test_share_query_needs_a_seed():
    with pytest.raises(ValueError, match="at least one seed"):
        share_query([])


def test_exclusions_round_trip_with_commas_in_artist_names():
    query = share_query(
        [track_id(1)],
        excluded_ids=[track_id(2), track_id(3)],
        excluded_artists=["Tyler, The Creator", "Beyoncé"],
    )
    params = parse_qs(query)
    parsed = parse_share(
        params["seeds"][0], not_tracks=params["not"][0], not_artists=params["not_artist"]
    )
    assert parsed.excluded_ids == (track_id(2), track_id(3))
    assert parsed.excluded_artists == ("Tyler, The Creator", "Beyoncé")
    assert parsed.problems == ()
    assert "not" not in parse_qs(share_query([track_id(1)]))


def test_exclusions_get_the_seeds_caps_and_one_warning_per_kind():
    ids = ",".join([*(track_id(n) for n in range(MAX_SHARED_SEEDS + 3)), "bad-1", "bad-2"])
    parsed = parse_share(
        "x,y," + track_id(1),
        not_tracks=ids,
        not_artists=[f"Band {n}" for n in range(MAX_SHARED_SEEDS + 1)] + ["z" * 500],
    )
    assert parsed.seed_ids == (track_id(1),)
    assert len(parsed.excluded_ids) == MAX_SHARED_SEEDS
    assert len(parsed.excluded_artists) == MAX_SHARED_SEEDS
    # One message per kind, however many pieces were wrong.
    assert len(parsed.problems) == 5, parsed.problems
    assert parsed.problems[0].startswith("2 seeds of the link are not track ids")
    assert parsed.problems[1].startswith("2 left-out tracks of the link are not track ids")
