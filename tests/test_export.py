import csv
import io

import polars as pl
import pytest

from recommender.export import neutralise_cell, rows_to_csv, table_to_csv


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
