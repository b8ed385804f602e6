import csv
import io

import polars as pl
import pytest

from recommender.present.export import neutralise_cell, rows_to_csv, table_to_csv


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_like_text_is_prefixed(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Hello", "I Don't Care", " =spaced", "", 42, -3.5, None, True])
def test_other_values_pass_unchanged(value):
    assert neutralise_cell(value) == value


def test_csv_round_trip_keeps_commas_quotes_and_accents():
    rows = [
        {"title": 'Say "Hi", Beyoncé', "artists": ["A", "B"], "similarity": 91.5},
        {"title": "=cmd|' /C calc'!A0", "artists": ["@evil"], "similarity": None},
    ]
    parsed = _read(rows_to_csv(["title", "artists", "similarity"], rows))
    assert parsed[0] == ["title", "artists", "similarity"]
    assert parsed[1] == ['Say "Hi", Beyoncé', "A, B", "91.5"]
    assert parsed[2] == ["'=cmd|' /C calc'!A0", "'@evil", ""]


def test_joined_list_starting_with_a_formula_char_is_neutralised():
    parsed = _read(rows_to_csv(["artists"], [{"artists": ["-minus", "B"]}]))
    assert parsed[1] == ["'-minus, B"]


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="row 1 lacks column\\(s\\) artists"):
        rows_to_csv(["title", "artists"], [{"title": "a", "artists": "b"}, {"title": "c"}])


def test_table_to_csv_writes_every_row():
    table = pl.DataFrame({"title": ["a", "+b", "c"], "similarity": [1.0, 2.0, 3.0]})
    parsed = _read(table_to_csv(table))
    assert [row[0] for row in parsed] == ["title", "a", "'+b", "c"]
    assert len(parsed) == table.height + 1


def test_recommendation_table_matches_the_engine_results():
    from recommender.engine.explain import Recommendation, top_reasons
    from recommender.present.export import TABLE_COLUMNS, recommendation_table

    contributions = {"energy": 0.1, "valence": 0.2, "tempo": 0.7}
    recs = [
        Recommendation(
            track_id="T" + "1" * 21,
            name="=Song",
            artists=("A", "B"),
            album=None,
            popularity=None,
            seed_track_id="S" + "1" * 21,
            distance=0.5,
            similarity=87.46,
            contributions=contributions,
        )
    ]
    table = recommendation_table(recs, seed_names={"S" + "1" * 21: "Seed — X"})
    assert table.columns == list(TABLE_COLUMNS)
    row = table.row(0, named=True)
    assert row["artists"] == "A, B"
    assert row["answers seed"] == "Seed — X"
    assert row["similarity"] == 87.5
    assert row["why"] == top_reasons(contributions)
    assert row["spotify"] == "https://open.spotify.com/track/" + "T" + "1" * 21
    assert _read(table_to_csv(table))[1][0] == "'=Song"


# -- taking the list to Spotify ----------------------------------------------------------------
def _exportify_catalog():
    from tests.factories import make_catalog

    return make_catalog(
        [
            {"name": "First", "artists": ["Ann", "Bob"], "album": "One", "year": 1999},
            {"name": "Second", "artists": ["Cat"], "album": None, "year": None},
            {"name": "=Third", "artists": ["Dan"], "album": "Three", "year": 2020},
        ]
    )


def test_the_exportify_columns_follow_the_table_in_its_order():
    from recommender.present.export import EXPORTIFY_EXPORT_COLUMNS, with_exportify_columns

    catalog = _exportify_catalog()
    ids = catalog.tracks["track_id"].to_list()
    table = pl.DataFrame({"title": ["x", "y", "z"], "track_id": [ids[2], ids[0], ids[1]]})
    out = with_exportify_columns(table, catalog.tracks, synthetic=False)
    assert out.columns == ["title", "track_id", *EXPORTIFY_EXPORT_COLUMNS]
    assert out["Track URI"].to_list() == [f"spotify:track:{i}" for i in (ids[2], ids[0], ids[1])]
    assert out["Track Name"].to_list() == ["=Third", "First", "Second"]
    assert out["Artist Name(s)"].to_list() == ["Dan", "Ann, Bob", "Cat"]
    assert out["Album Release Date"].to_list() == ["2020", "1999", None]
    # Spreadsheet safety still applies to the added text.
    assert "'=Third" in table_to_csv(out).decode("utf-8")


def test_the_exportify_columns_are_the_same_from_a_catalog_sorted_by_id():
    """A stored catalog is flagged sorted and its rows bisected; the columns must not change."""
    from recommender.present.export import with_exportify_columns

    tracks = _exportify_catalog().tracks
    ids = tracks["track_id"].to_list()
    table = pl.DataFrame({"track_id": [ids[2], "0" * 22, ids[0], ids[2]]})
    flagged = tracks.sort("track_id")
    assert flagged["track_id"].flags["SORTED_ASC"]
    assert not tracks["track_id"].flags["SORTED_ASC"]
    joined = with_exportify_columns(table, tracks, synthetic=False)
    assert with_exportify_columns(table, flagged, synthetic=False).equals(joined)
    assert joined["Track Name"].to_list() == ["=Third", None, "First", "=Third"]


def test_demo_tracks_get_no_track_uri_and_no_link():
    from recommender.present.export import spotify_track_links, with_exportify_columns

    catalog = _exportify_catalog()
    ids = catalog.tracks["track_id"].to_list()
    table = pl.DataFrame({"track_id": ids})
    assert (
        with_exportify_columns(table, catalog.tracks, synthetic=True)["Track URI"].null_count() == 3
    )
    assert spotify_track_links(ids, synthetic=True) == []


def test_spotify_links_are_what_spotify_copies_once_each_real_ids_only():
    from recommender.present.export import spotify_track_links

    catalog = _exportify_catalog()
    ids = catalog.tracks["track_id"].to_list()
    links = spotify_track_links([ids[1], "not-an-id", ids[0], ids[1]], synthetic=False)
    assert links == [
        f"https://open.spotify.com/track/{ids[1]}",
        f"https://open.spotify.com/track/{ids[0]}",
    ]


def test_the_exported_csv_reads_back_as_an_exportify_playlist_in_order():
    from recommender.present.export import with_exportify_columns
    from recommender.seeds.history import import_history

    catalog = _exportify_catalog()
    ids = catalog.tracks["track_id"].to_list()
    order = [ids[1], ids[2], ids[0]]
    table = pl.DataFrame({"title": ["a", "b", "c"], "track_id": order})
    data = table_to_csv(with_exportify_columns(table, catalog.tracks, synthetic=False))
    result = import_history([("recommendations.csv", data)], catalog=catalog)
    assert not result.problems
    (summary,) = result.files
    assert summary.kind == "Exportify playlist"
    assert summary.counted == 3
    assert [m.track_id for m in result.matches] == order
    assert all(m.how == "by_id" for m in result.matches)


def test_a_row_more_similar_than_the_one_above_says_the_artist_rules_moved_it():
    from recommender.present.listing import MOVED_DOWN, order_notes

    notes = order_notes([90.0, 88.0, 88.02, 91.0, 80.0])
    assert notes == ["", "", "", MOVED_DOWN, ""]
    assert order_notes([]) == []
