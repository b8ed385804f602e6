import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import track_uri, track_url
from recommender.seeds.search import SearchIndex, surprise_pick, surprise_seeds, tokens
from tests.factories import make_catalog, track_id

ROWS = [
    {"name": "Halo", "artists": ["Beyoncé"], "popularity": 77},
    {"name": "Halo", "artists": ["Beyoncé"], "popularity": 30},  # a second copy of the same
    {"name": "Halogen Lights", "artists": ["Someone Else"], "popularity": 90},
    {"name": "Crazy in Love", "artists": ["Beyoncé", "JAY-Z"], "popularity": 80},
    {"name": "Hallo Welt", "artists": ["Die Band"], "popularity": 10},
    {"name": "Don't Stop Me Now", "artists": ["Queen"], "popularity": 83},
    {"name": "Bohemian Rhapsody", "artists": ["Queen"], "popularity": None},
    {"name": "Água de Beber", "artists": ["Astrud Gilberto"], "popularity": 40},
    {"name": "Beyoncesque", "artists": ["Tribute Band"], "popularity": 99},
]


@pytest.fixture(scope="module")
def index():
    return SearchIndex.build(make_catalog(ROWS))


def names(hits):
    return [(h.name, h.artists[0]) for h in hits]


def test_tokens_fold_case_accents_and_apostrophes():
    assert tokens("Don't STOP – Beyoncé") == ["dont", "stop", "beyonce"]


def test_token_prefixes_across_title_and_artist(index):
    hits = index.search("beyo hal")
    assert names(hits) == [("Halo", "Beyoncé")]
    assert hits[0].kind == "prefix"


def test_exact_ranks_above_prefix_despite_popularity(index):
    hits = index.search("halo")
    assert names(hits)[:2] == [("Halo", "Beyoncé"), ("Halogen Lights", "Someone Else")]
    assert [h.kind for h in hits[:2]] == ["exact", "prefix"]


def test_same_title_and_artists_shown_once_as_its_most_popular_copy(index):
    halos = [h for h in index.search("halo beyonce") if h.name == "Halo"]
    assert [h.track_id for h in halos] == [track_id(0)]


def test_popularity_breaks_ties_and_unknown_popularity_ranks_last(index):
    hits = index.search("queen")
    assert names(hits) == [("Don't Stop Me Now", "Queen"), ("Bohemian Rhapsody", "Queen")]
    assert hits[1].popularity is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("beyonse", ("Halo", "Beyoncé")),  # substitution
        ("beyocne halo", ("Halo", "Beyoncé")),  # neighbouring letters swapped
        ("bohemian rapsody", ("Bohemian Rhapsody", "Queen")),  # a letter missing
        ("quueen bohem", ("Bohemian Rhapsody", "Queen")),  # a letter too many
        ("rhapsdo", ("Bohemian Rhapsody", "Queen")),  # typo inside a prefix being typed
        ("veyonce", ("Halo", "Beyoncé")),  # first letter replaced
        ("eyonce halo", ("Halo", "Beyoncé")),  # first letter dropped
        ("ebyonce", ("Halo", "Beyoncé")),  # first two letters swapped
        ("xbeyonce", ("Halo", "Beyoncé")),  # a letter added in front
    ],
)
def test_one_typo_is_forgiven_in_tokens_of_four_or_more(index, query, expected):
    hits = index.search(query)
    assert expected in names(hits)
    assert all(h.kind == "fuzzy" for h in hits if (h.name, h.artists[0]) == expected)


def test_a_typo_in_a_whole_word_ranks_above_a_typo_in_a_prefix(index):
    hits = index.search("beyonse")
    assert names(hits) == [
        ("Crazy in Love", "Beyoncé"),
        ("Halo", "Beyoncé"),
        ("Beyoncesque", "Tribute Band"),
    ]
    assert hits[0].score > hits[1].score > hits[2].score
    assert {h.kind for h in hits} == {"fuzzy"}


def test_short_tokens_get_no_typo_tolerance(index):
    assert index.search("jat") == []  # one edit from "jay", but only three letters


def test_two_typos_are_not_forgiven(index):
    assert index.search("bayonse") == []


def test_fuzzy_ranks_below_exact_and_prefix(index):
    hits = index.search("hallo")
    kinds = [h.kind for h in hits]
    assert kinds[0] == "exact"
    assert names(hits)[0] == ("Hallo Welt", "Die Band")
    assert kinds == sorted(kinds, key=["exact", "prefix", "fuzzy"].index)
    assert ("Halo", "Beyoncé") in names(hits)


def test_accents_fold_both_ways(index):
    assert names(index.search("agua")) == [("Água de Beber", "Astrud Gilberto")]
    assert names(index.search("ÁGUA")) == [("Água de Beber", "Astrud Gilberto")]


def test_pasted_id_uri_or_link_finds_the_track(index):
    for form in (track_id(3), track_uri(track_id(3)), track_url(track_id(3))):
        assert names(index.search(form)) == [("Crazy in Love", "Beyoncé")]


@pytest.mark.parametrize("query", ["", "   ", "–!?", "zzzzzz"])
def test_nothing_to_find_gives_no_hits(index, query):
    assert index.search(query) == []


@settings(derandomize=True, deadline=None, max_examples=300)
@given(
    query=st.text(max_size=40)
    | st.sampled_from(["beyo hal", "quen", "a b c d e f g h i j k l m n"])
)
def test_any_query_returns_ranked_hits_without_error(index, query):
    hits = index.search(query)
    assert len(hits) <= 20
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_pasted_paragraph_uses_its_first_words(index):
    assert names(index.search("queen " + "x " * 5000)) == []
    long_title = "one two three four five six seven eight nine ten eleven twelve"
    catalog = make_catalog([{"name": long_title, "artists": ["Band"]}])
    hits = SearchIndex.build(catalog).search(long_title + " thirteen")
    assert names(hits) == [(long_title, "Band")]


def test_limit_is_honoured(index):
    assert len(index.search("d")) == 3
    assert len(index.search("d", limit=2)) == 2
    assert index.search("halo", limit=0) == []


def surprise_catalog():
    rows = [
        {"name": f"Song {i}", "artists": [f"Artist {i % 4}"], "genres": ["rock"]} for i in range(8)
    ]
    rows += [
        {"name": f"Tune {i}", "artists": [f"Singer {i}"], "genres": ["jazz"]} for i in range(3)
    ]
    return make_catalog(rows)


def test_surprise_takes_one_coherent_group_with_distinct_artists_first():
    catalog = surprise_catalog()
    pick = surprise_pick(catalog, rng=np.random.default_rng(1), n=5)
    genres = catalog.tracks.filter(catalog.tracks["track_id"].is_in(pick.track_ids))["genres"]
    assert len(pick.track_ids) == len(set(pick.track_ids)) == 5
    assert {g for gs in genres.to_list() for g in gs} == {"rock"}  # jazz has too few tracks
    assert pick.label == "genre “rock”"
    artists = catalog.tracks.filter(catalog.tracks["track_id"].is_in(pick.track_ids[:4]))
    assert artists["artists"].list.first().n_unique() == 4


def test_surprise_uses_tidytuesday_playlists():
    catalog = make_catalog(
        [{"name": f"Song {i}", "artists": [f"A{i}"], "genres": []} for i in range(6)],
        playlists=[
            {"track_id": track_id(i), "playlist_id": "p1", "playlist_name": " Chill "}
            for i in range(6)
        ],
    )
    pick = surprise_pick(catalog, rng=np.random.default_rng(0), n=5)
    assert pick.label == "TidyTuesday playlist “Chill”"
    assert set(pick.track_ids) <= {track_id(i) for i in range(6)}


def test_surprise_differs_from_call_to_call_and_avoids_the_current_seeds():
    catalog = surprise_catalog()
    rng = np.random.default_rng(7)
    picks = [frozenset(surprise_seeds(catalog, rng=rng)) for _ in range(5)]
    assert len(set(picks)) > 1
    current = surprise_seeds(catalog, rng=rng)
    for _ in range(20):
        assert set(surprise_seeds(catalog, rng=rng, avoid=current)) != set(current)


def test_surprise_without_a_big_enough_group_says_so():
    with pytest.raises(ValueError, match="holds 5 tracks"):
        surprise_seeds(make_catalog([{"name": "x", "artists": ["y"]}]), rng=np.random.default_rng())
