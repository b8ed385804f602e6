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
