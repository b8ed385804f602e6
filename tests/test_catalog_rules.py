"""The valid-range table: every rule drops and counts its rows; >5% bad rows refuse the file."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from recommender.data.detect import CatalogError
from recommender.data.read import (
    EXPLICIT_REASON,
    TRACK_ID_REASON,
    VALID_RANGES,
    ValidRange,
    build_catalog,
)
from tests.catalog_samples import (
    KAGGLE_HEADER,
    MILLION_HEADER,
    TIDY_HEADER,
    kaggle_row,
    made_id,
    million_row,
    tidy_row,
    write_csv,
)

GOOD_ROWS = 40
THIS_YEAR = dt.datetime.now(dt.UTC).year


def _high(rule: ValidRange) -> float:
    return THIS_YEAR if rule.high is None else rule.high


def _write_with(tmp_path, column: str, value: object, *, good: int = GOOD_ROWS):
    """A file of ``good`` valid rows plus one row whose ``column`` holds ``value``."""
    if column == "year":
        rows = [million_row(i) for i in range(good)] + [million_row(good, year=value)]
        return write_csv(tmp_path / "tracks_features.csv", MILLION_HEADER, rows)
    rows = [kaggle_row(i) for i in range(good)] + [kaggle_row(good, **{column: value})]
    return write_csv(tmp_path / "dataset.csv", KAGGLE_HEADER, rows)


def _dropped(catalog) -> dict[str, int]:
    (reasons,) = catalog.report["dropped_rows"].values()
    return reasons


def _out_of_range_values(rule: ValidRange) -> list[float]:
    step = 1 if rule.whole else 0.01
    return [rule.low - step, _high(rule) + step]


@pytest.mark.parametrize(
    ("column", "value"),
    [(r.column, v) for r in VALID_RANGES for v in _out_of_range_values(r)],
)
def test_out_of_range_row_is_dropped_and_counted(tmp_path, column, value):
    catalog = build_catalog([_write_with(tmp_path, column, value)])

    assert catalog.tracks.height == GOOD_ROWS
    assert made_id(GOOD_ROWS) not in catalog.tracks.get_column("track_id").to_list()
    reasons = _dropped(catalog)
    assert sum(reasons.values()) == 1
    (reason,) = reasons
    assert reason.startswith(f"{column} outside ")


@pytest.mark.parametrize(
    ("column", "value"),
    [(r.column, v) for r in VALID_RANGES for v in (r.low, _high(r))],
)
def test_range_bounds_are_inclusive(tmp_path, column, value):
    catalog = build_catalog([_write_with(tmp_path, column, value)])
    assert catalog.tracks.height == GOOD_ROWS + 1
    assert _dropped(catalog) == {}


@pytest.mark.parametrize("column", [r.column for r in VALID_RANGES if r.required])
def test_missing_required_value_is_dropped(tmp_path, column):
    catalog = build_catalog([_write_with(tmp_path, column, None)])
    assert catalog.tracks.height == GOOD_ROWS
    assert _dropped(catalog) == {f"missing {column}": 1}


@pytest.mark.parametrize("column", [r.column for r in VALID_RANGES if not r.required])
def test_missing_optional_value_stays_null(tmp_path, column):
    catalog = build_catalog([_write_with(tmp_path, column, None)])
    assert catalog.tracks.height == GOOD_ROWS + 1
    kept = catalog.tracks.filter(pl.col("track_id") == made_id(GOOD_ROWS))
    assert kept.get_column(column).to_list() == [None]


@pytest.mark.parametrize("column", [r.column for r in VALID_RANGES])
def test_text_in_a_number_column_is_dropped(tmp_path, column):
    catalog = build_catalog([_write_with(tmp_path, column, "loud")])
    assert _dropped(catalog) == {f"{column} not a number": 1}


@pytest.mark.parametrize("column", [r.column for r in VALID_RANGES if r.whole])
def test_fraction_in_a_whole_number_column_is_dropped(tmp_path, column):
    value = 0.5 if column != "year" else 1999.5
    if column == "duration_ms":
        value = 1000.5
    catalog = build_catalog([_write_with(tmp_path, column, value)])
    assert _dropped(catalog) == {f"{column} not a whole number": 1}


@pytest.mark.parametrize("bad_id", ["short", "4ChVFOiAIPwnKLgWGUcEr!", "", "x" * 23])
def test_malformed_track_id_is_dropped(tmp_path, bad_id):
    catalog = build_catalog([_write_with(tmp_path, "track_id", bad_id)])
    assert _dropped(catalog) == {TRACK_ID_REASON: 1}


def test_unreadable_explicit_flag_is_dropped(tmp_path):
    catalog = build_catalog([_write_with(tmp_path, "explicit", "maybe")])
    assert _dropped(catalog) == {EXPLICIT_REASON: 1}


def test_real_edge_values_are_kept(tmp_path):
    # Tempo 0 (silence), time signature 0 and 1, and loudness above 0 dB all occur in real data.
    rows = [
        kaggle_row(0, tempo=0),
        kaggle_row(1, time_signature=0),
        kaggle_row(2, time_signature=1),
        kaggle_row(3, loudness=1.275),
        kaggle_row(4, key=-1),
    ]
    catalog = build_catalog([write_csv(tmp_path / "k.csv", KAGGLE_HEADER, rows)])
    assert catalog.tracks.height == 5


def test_more_than_five_percent_bad_rows_refuses_the_file(tmp_path):
    rows = [kaggle_row(i) for i in range(19)]
    rows += [kaggle_row(19, danceability=1.5), kaggle_row(20, danceability=-0.2)]
    path = write_csv(tmp_path / "mostly_fine.csv", KAGGLE_HEADER, rows)

    with pytest.raises(CatalogError) as caught:
        build_catalog([path])
    message = str(caught.value)
    assert str(path.resolve()) in message
    assert "danceability" in message
    assert "2 of 21 rows" in message


def test_exactly_five_percent_bad_rows_is_accepted(tmp_path):
    rows = [kaggle_row(i) for i in range(19)] + [kaggle_row(19, energy=2)]
    catalog = build_catalog([write_csv(tmp_path / "k.csv", KAGGLE_HEADER, rows)])
    assert catalog.tracks.height == 19
    assert sum(_dropped(catalog).values()) == 1


def test_refusal_counts_each_reason(tmp_path):
    rows = [tidy_row(i) for i in range(10)]
    rows += [tidy_row(10 + i, tempo=400) for i in range(3)]
    rows += [tidy_row(20, track_id="bad")]
    path = write_csv(tmp_path / "songs.csv", TIDY_HEADER, rows)
    with pytest.raises(CatalogError, match=r"tempo outside 0…250 BPM: 3.*track_id[^:]*: 1"):
        build_catalog([path])


def test_reference_data_drops_only_the_broken_kaggle_row(dev_copies, reference_catalog):
    dropped = {
        name: reasons
        for name, reasons in reference_catalog.report["dropped_rows"].items()
        if reasons
    }
    [(kaggle, _)] = dev_copies.tables("kaggle")
    assert dropped == {kaggle: {"duration_ms outside 1…10,800,000": 1}}


def test_valid_range_table_is_the_one_issue_2_states():
    # Issue 2, "Valid ranges": a change to the table must be a deliberate change to this list.
    unit = [(name, 0, 1, True) for name in ("danceability", "energy", "speechiness")]
    unit += [(n, 0, 1, True) for n in ("acousticness", "instrumentalness", "liveness", "valence")]
    stated = {
        *unit,
        ("key", -1, 11, True),
        ("mode", 0, 1, True),
        ("loudness", -60, 5, True),
        ("tempo", 0, 250, True),
        ("time_signature", 0, 7, False),
        ("duration_ms", 1, 10_800_000, True),
        ("popularity", 0, 100, False),
        ("year", 1900, THIS_YEAR, False),
    }
    assert {(r.column, r.low, _high(r), r.required) for r in VALID_RANGES} == stated
    assert len(VALID_RANGES) == len(stated)
