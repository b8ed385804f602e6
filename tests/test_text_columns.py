"""The column-wise text work gives exactly what the per-track ``text`` functions give.

``reference_text_columns`` is the per-track code the engine used before (one ``text`` call per
track); the engine's column-wise codes, multi-hots and vocabularies must equal it, on edge cases
that reach the Python fallback and on the whole reference catalog.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.engine.model import train
from recommender.text import artist_names, base_title, fold, primary_artist, song_key
from recommender.text_columns import base_title_column, credit_names, fold_column
from tests.factories import make_catalog


def _codes(keys: list[str]) -> np.ndarray:
    seen: dict[str, int] = {}
    return np.array([seen.setdefault(key, len(seen)) for key in keys], dtype=np.int32)


def _one_hot(rows: list[list[str]], vocabulary: list[str]) -> tuple[list[list[int]], list[float]]:
    index = {label: i for i, label in enumerate(vocabulary)}
    cols = [sorted({index[label] for label in labels}) for labels in rows]
    return cols, [1.0 / math.sqrt(len(c)) for c in cols for _ in c]


def reference_text_columns(tracks: pl.DataFrame) -> dict[str, object]:
    """The engine's text columns as computed per track before (main at 0c4f11c + issue 13)."""
    track_artists = [tuple(a or ()) for a in tracks["artists"].to_list()]
    artist_rows = [artist_names(credit) for credit in track_artists]
    genre_rows = [
        list(dict.fromkeys(label for label in (fold(g) for g in genres or ()) if label))
        for genres in tracks["genres"].to_list()
    ]
    names = tracks["name"].fill_null("").to_list()
    artist_vocabulary = sorted({name for row in artist_rows for name in row})
    genre_vocabulary = sorted({label for row in genre_rows for label in row})
    return {
        "song_codes": _codes([song_key(n, a) for n, a in zip(names, track_artists, strict=True)]),
        "primary_codes": _codes([primary_artist(credit) for credit in track_artists]),
        "artist_vocabulary": artist_vocabulary,
        "genre_vocabulary": genre_vocabulary,
        "artists": _one_hot(artist_rows, artist_vocabulary),
        "genres": _one_hot(genre_rows, genre_vocabulary),
    }


def _rows_of(matrix) -> tuple[list[list[int]], list[float]]:
    cols = [matrix.indices[a:b].tolist() for a, b in itertools.pairwise(matrix.indptr)]
    return cols, matrix.data.tolist()


def assert_same_as_reference(catalog) -> None:
    expected = reference_text_columns(catalog.tracks)
    model = train(catalog)
    np.testing.assert_array_equal(model.song_codes, expected["song_codes"])
    np.testing.assert_array_equal(model.primary_codes, expected["primary_codes"])
    assert model.artist_vocabulary == expected["artist_vocabulary"]
    assert model.genre_vocabulary == expected["genre_vocabulary"]
    for name in ("artists", "genres"):
        cols, data = _rows_of(getattr(model, name))
        expected_cols, expected_data = expected[name]
        assert cols == expected_cols, name
        np.testing.assert_allclose(data, expected_data, rtol=1e-6)


# Values that take each path: printable ASCII (polars) and everything else (Python fallback).
EDGE_TITLES = [
    "Halo",
    "  Halo  ",
    "HALO - Live at Wembley - 2008",
    "Halo (Remix) [Live]",
    "Beyoncé (Live)",
    "ÉCLAT - Radio Edit",
    "Straße",
    "tab\there",
    "unit\x1fseparator",
    "(only brackets)",
    " - ",
    "",
    None,
    "Ｆｕｌｌｗｉｄｔｈ",
    "ﬁnal ligature",
]
EDGE_CREDITS = [
    ["Beyoncé"],
    ["Beyonce feat. Jay-Z"],
    ["A, B", "b & C"],
    ["Tyler, The Creator"],
    ["DJ X x MC Y", "dj x"],
    ["A FEATURING B", "A;B"],
    ["  ", "Solo"],
    [", lead comma"],
    ["Sigur Rós", "sigur ros"],
    ["K\u212aelvin x B"],
    ["Café\u00a0Tacvba & Friends"],
    [],
    None,
]


def test_edge_cases_match_the_per_track_functions():
    rows = [
        {
            "name": title,
            "artists": EDGE_CREDITS[i % len(EDGE_CREDITS)],
            "genres": [["Pop"], ["pop ", "Rock"], [], None, ["Électro", "electro"]][i % 5],
        }
        for i, title in enumerate(EDGE_TITLES * 3)
    ]
    assert_same_as_reference(make_catalog(rows))


def test_column_functions_equal_the_text_functions_value_by_value():
    titles = pl.Series(EDGE_TITLES)
    assert base_title_column(titles).to_list() == [base_title(t or "") for t in EDGE_TITLES]
    present = [t for t in EDGE_TITLES if t is not None]
    assert fold_column(pl.Series(present)).to_list() == [fold(t) for t in present]
    credits = sorted({c for row in EDGE_CREDITS for c in row or ()})
    table = credit_names(pl.Series(credits)).sort("credit")
    assert table["names"].to_list() == [artist_names([c]) for c in table["credit"]]
    assert table["primary"].to_list() == [primary_artist(c) for c in table["credit"]]


_PIECES = [*"abcXYZ ,;&()[]-.'é\tß\u0301", " feat. ", " x ", " - ", " FEATURING "]
_text = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@settings(max_examples=60, deadline=None)
@given(titles=st.lists(_text, min_size=1, max_size=12), credits=st.lists(_text, max_size=12))
def test_random_text_matches_the_per_track_functions(titles, credits):
    rows = [
        {"name": title, "artists": [credits[i % len(credits)]] if credits else [], "genres": []}
        for i, title in enumerate(titles)
    ]
    assert_same_as_reference(make_catalog(rows))


@pytest.mark.slow
def test_reference_catalog_codes_match_the_per_track_functions(reference_catalog):
    assert_same_as_reference(reference_catalog)


@pytest.mark.slow
def test_reference_catalog_artist_count_matches_count_artists(reference_catalog):
    from recommender.data.read import artist_count
    from tests.factories import count_artists

    tracks = reference_catalog.tracks
    expected = count_artists(tracks["artists"].explode().unique().to_list())
    assert artist_count(tracks) == expected


def reference_search_postings(tracks: pl.DataFrame) -> tuple[list[str], list[int], list[int]]:
    """The search index's vocabulary, offsets and postings as built per track before."""
    from recommender.seeds.search import tokens

    token_rows: dict[str, list[int]] = {}
    names = [name or "" for name in tracks["name"].to_list()]
    artists = [tuple(a or ()) for a in tracks["artists"].to_list()]
    for row, (name, credited) in enumerate(zip(names, artists, strict=True)):
        for token in set(tokens(" ".join((name, *credited)))):
            token_rows.setdefault(token, []).append(row)
    vocabulary = sorted(token_rows)
    offsets = [0]
    for token in vocabulary:
        offsets.append(offsets[-1] + len(token_rows[token]))
    return vocabulary, offsets, [row for token in vocabulary for row in token_rows[token]]


def assert_same_search_index(catalog) -> None:
    from recommender.seeds.search import SearchIndex

    index = SearchIndex.build(catalog)
    vocabulary, offsets, postings = reference_search_postings(catalog.tracks)
    assert index.vocabulary == vocabulary
    assert index.offsets.tolist() == offsets
    assert index.postings.tolist() == postings


def test_search_index_matches_the_per_track_build_on_edge_cases():
    rows = [
        {"name": title, "artists": EDGE_CREDITS[i % len(EDGE_CREDITS)]}
        for i, title in enumerate([*EDGE_TITLES, "Don't Stop – Beyoncé", "rock`n roll", "A_B"])
    ]
    assert_same_search_index(make_catalog(rows))


@pytest.mark.slow
def test_reference_catalog_search_index_matches_the_per_track_build(reference_catalog):
    assert_same_search_index(reference_catalog)
