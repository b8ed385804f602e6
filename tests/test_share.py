from typing import Final
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hyp

from recommender.domain import track_uri, track_url
from recommender.engine.features import DEFAULT_WEIGHTS, WEIGHT_MAX, WEIGHT_MIN, WEIGHT_NAMES
from recommender.seeds.share import (
    MAX_ARTIST_PIECES,
    MAX_SEED_PIECES,
    MAX_SEEDS_CHARS,
    MAX_SHARED_SEEDS,
    MAX_WEIGHT_PIECES,
    parse_share,
    share_query,
    share_url,
    summarise,
)
from tests.factories import track_id
from tests.test_plain import unescaped_markup
from ui.plain import plain


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
    assert parsed.problems[0] == "1 id is not a Spotify track id: not-an-id."
    assert "bogus" in parsed.problems[1]


def test_missing_parameters_give_an_empty_selection():
    parsed = parse_share(None, None)
    assert parsed.seed_ids == ()
    assert parsed.weights == {}
    assert parsed.problems == ()
    assert parsed.examined == 0


def test_too_many_seeds_are_cut_and_said():
    ids = [track_id(n) for n in range(MAX_SHARED_SEEDS + 5)]
    parsed = parse_share(",".join(ids))
    assert list(parsed.seed_ids) == ids[:MAX_SHARED_SEEDS]
    assert parsed.problems == (
        f"Only the first {MAX_SHARED_SEEDS} of the link's {MAX_SHARED_SEEDS + 5} tracks are used.",
    )


def test_catalog_membership_is_checked_before_the_first_50_are_kept():
    unknown = [track_id(n) for n in range(60)]
    known = [track_id(n) for n in range(100, 103)]
    parsed = parse_share(",".join([*unknown, *known]), known=set(known))
    assert list(parsed.seed_ids) == known
    assert parsed.problems == (
        "60 tracks of the link are not in the catalog and were left out: "
        f"{unknown[0]}, {unknown[1]}, {unknown[2]} and 57 more.",
    )


def test_problems_are_one_sentence_per_kind():
    bad = [f"bad-{n}" for n in range(1, 13)]
    parsed = parse_share(",".join(bad), "x:1,y:2,energy:99", known=set())
    assert parsed.problems == (
        "12 ids are not Spotify track ids: bad-1, bad-2, bad-3 and 9 more.",
        "None of the link's tracks can be used; pick seeds on Home instead.",
        "3 weights ignored: x:1 (unknown weight 'x'), y:2 (unknown weight 'y'), "
        f"energy:99 (weight energy=99.0 is outside {WEIGHT_MIN:g}-{WEIGHT_MAX:g}).",
    )


def test_a_huge_link_is_read_only_up_to_the_caps():
    ids = [track_id(n) for n in range(100_000)]
    parsed = parse_share(",".join(ids), ",".join(["energy:1"] * 10_000))
    assert parsed.seed_ids == tuple(ids[:MAX_SHARED_SEEDS])
    assert parsed.examined <= MAX_SEED_PIECES + 100
    assert any("only the first 1,000 pieces" in problem for problem in parsed.problems)
    one_piece = parse_share("x" * (10 * MAX_SEEDS_CHARS))
    assert one_piece.examined <= 1
    assert one_piece.seed_ids == ()


def test_duplicates_cost_nothing_and_count_once():
    parsed = parse_share(",".join([track_id(1)] * 500 + [track_id(2)]))
    assert parsed.seed_ids == (track_id(1), track_id(2))
    assert parsed.problems == ()


def test_summarise_names_the_first_three():
    assert summarise(["a", "b"]) == "a, b"
    assert summarise(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"


def test_share_url_replaces_an_existing_query():
    url = share_url("http://127.0.0.1:8501/recommendations?x=1#top", [track_id(1)], None)
    parts = urlsplit(url)
    assert parts.path == "/recommendations"
    assert parse_qs(parts.query) == {"seeds": [track_id(1)]}


def test_share_query_needs_a_seed():
    with pytest.raises(ValueError, match="at least one seed"):
        share_query([])


# -- any query string ---------------------------------------------------------------------------
_KNOWN: Final = frozenset(track_id(n) for n in range(5))
_NASTY: Final = (
    "[click](https://attacker.example/)",
    "![pixel](https://attacker.example/p.png)",
    '<img src="https://attacker.example/p.png">',
    "<script>alert(1)</script>",
    "**bold** _it_ ~~s~~ `code` $x^2$ :red[hi] www.attacker.example a@attacker.example",
    "energy:2",
    "energy=0.5; valence:9",
    "spotify:track:" + track_id(1),
    "https://open.spotify.com/track/" + track_id(2),
    track_id(3),
    track_id(777),
    "\u202e\u0000\ufeff",
    "",
    " ",
)
_PIECE = hyp.one_of(hyp.sampled_from(_NASTY), hyp.text(max_size=40))


@hyp.composite
def share_link_queries(draw: hyp.DrawFn) -> str:
    """A share link's query string: pieces of anything, up to 10^5 of them per parameter."""
    params = []
    for name in ("seeds", "weights", "not"):
        if draw(hyp.booleans()):
            pieces = draw(hyp.lists(_PIECE, min_size=1, max_size=20))
            count = draw(hyp.sampled_from([1, 3, 60, 3_000, 100_000]))
            repeated = (pieces * (count // len(pieces) + 1))[:count]
            params.append((name, ",".join(repeated)))
    if draw(hyp.booleans()):
        names = draw(hyp.lists(_PIECE, min_size=1, max_size=5))
        count = draw(hyp.sampled_from([1, 60, 10_000]))
        params += [("not_artist", names[n % len(names)]) for n in range(count)]
    return urlencode(params)


@settings(deadline=None, max_examples=60)
@given(share_link_queries())
def test_any_share_query_is_read_within_the_caps_and_shown_inert(query: str) -> None:
    # Streamlit reads the address the same way: the last value of each parameter.
    params = dict(parse_qsl(query, keep_blank_values=True))
    parsed = parse_share(
        params.get("seeds"),
        params.get("weights"),
        not_tracks=params.get("not"),
        not_artists=[value for name, value in parse_qsl(query) if name == "not_artist"],
        known=_KNOWN,
    )
    assert parsed.examined <= 2 * MAX_SEED_PIECES + MAX_WEIGHT_PIECES + MAX_ARTIST_PIECES
    assert len(parsed.seed_ids) <= MAX_SHARED_SEEDS
    assert set(parsed.seed_ids) <= _KNOWN
    assert len(parsed.excluded_ids) <= MAX_SHARED_SEEDS
    assert len(parsed.excluded_artists) <= MAX_SHARED_SEEDS
    assert len(parsed.problems) <= 12
    shown = [plain(problem) for problem in parsed.problems]
    assert all(unescaped_markup(text) == [] for text in shown)
    assert all("https://" not in text and "<" not in text.replace("\\<", "") for text in shown)


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
    assert parsed.problems == (
        "2 ids are not Spotify track ids: x, y.",
        "2 ids of the left-out tracks are not Spotify track ids: bad-1, bad-2.",
        f"Only the first {MAX_SHARED_SEEDS} of the link's {MAX_SHARED_SEEDS + 3} left-out "
        "tracks are used.",
        "1 left-out artist name longer than 200 characters was ignored.",
        f"Only the first {MAX_SHARED_SEEDS} of the link's {MAX_SHARED_SEEDS + 1} left-out "
        "artists are used.",
    )


def test_unknown_left_out_tracks_are_said_once():
    parsed = parse_share(
        track_id(1), not_tracks=f"{track_id(2)},{track_id(3)}", known={track_id(1), track_id(2)}
    )
    assert parsed.excluded_ids == (track_id(2),)
    assert parsed.problems == (
        f"1 left-out track of the link is not in the catalog and was left out: {track_id(3)}.",
    )


# -- list options in the address ----------------------------------------------------------
def test_list_options_round_trip_and_defaults_stay_out_of_the_link():
    from recommender.seeds.share import parse_options

    ids = ["4uLU6hMCjMI75M1A2tKUQC"]
    options = {
        "discover": True,
        "per_seed": 3,
        "limit": 40,
        "max_per_artist": 2,
        "popularity_range": (10, 90),
        "exclude_explicit": True,
    }
    query = share_query(ids, {}, options=options)
    assert query == (
        f"seeds={ids[0]}&discover=1&per_seed=3&limit=40&per_artist=2&popularity=10-90&no_explicit=1"
    )
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    parsed, problems = parse_options(params)
    assert problems == []
    assert parsed == options
    defaults = {"discover": False, "per_seed": 5, "popularity_range": (0, 100)}
    assert share_query(ids, {}, options=defaults) == f"seeds={ids[0]}"


def test_bad_list_options_are_named_and_the_good_ones_kept():
    from recommender.seeds.share import parse_options

    parsed, problems = parse_options(
        {
            "per_seed": "0",
            "limit": "9999",
            "per_artist": "two",
            "popularity": "80-20",
            "discover": "1",
            "no_explicit": "x" * 5000,
        }
    )
    assert parsed == {"discover": True}
    (problem,) = problems
    assert problem.startswith("5 list options ignored: per_seed=0, limit=9999, per_artist=two")
    assert "and 2 more" in problem
    assert len(problem) < 200


def test_parse_share_carries_the_options_and_their_problems():
    selection = parse_share(
        "4uLU6hMCjMI75M1A2tKUQC", None, options={"discover": "1", "limit": "-3"}
    )
    assert selection.options == {"discover": True}
    assert any("limit=-3" in problem for problem in selection.problems)
