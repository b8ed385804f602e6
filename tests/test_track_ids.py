"""TrackIds: the compact id array the model and the search look rows up in."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from recommender.engine.track_ids import TrackIds


def test_rows_and_ids_round_trip_on_sorted_ids():
    ids = TrackIds.of(pl.Series(["0abc", "1def", "Zed", "zz"]))
    assert len(ids) == 4
    assert [ids[row] for row in range(4)] == ["0abc", "1def", "Zed", "zz"]
    assert [ids.find(t) for t in ("0abc", "1def", "Zed", "zz")] == [0, 1, 2, 3]
    assert ids[-1] == "zz"
    assert ids[1:3] == ["1def", "Zed"]
    assert list(ids) == ["0abc", "1def", "Zed", "zz"]


def test_unsorted_ids_are_found_by_their_own_row():
    ids = TrackIds.of(["c", "a", "b"])
    assert [ids.find(t) for t in ("a", "b", "c")] == [1, 2, 0]
    assert ids.rows["c"] == 0
    assert list(ids.find_all(["b", "nope", "c"])) == [2, -1, 0]


def test_missing_ids_are_minus_one_or_key_errors():
    ids = TrackIds.of(["a", "b"])
    assert ids.find("c") == -1
    assert ids.find("") == -1
    assert ids.find("a\x00") == -1  # would otherwise read as "a" from fixed-width bytes
    assert "c" not in ids
    assert 42 not in ids
    assert ids.rows.get("c", -1) == -1
    with pytest.raises(KeyError, match="'c'"):
        ids.rows["c"]


def test_non_ascii_ids_read_back():
    ids = TrackIds.of(["démo-1", "plain"])
    assert ids[0] == "démo-1"
    assert ids.find("démo-1") == 0


def test_duplicate_and_nul_ids_are_refused():
    with pytest.raises(ValueError, match="not distinct"):
        TrackIds.of(["b", "a", "b"])
    with pytest.raises(ValueError, match="NUL"):
        TrackIds.of(["a\x00"])
    with pytest.raises(ValueError, match="1-D bytes array"):
        TrackIds(np.array([1, 2]))


def test_costs_a_fixed_width_byte_string_per_track():
    ids = TrackIds.of([f"{i:022d}" for i in range(1000)])
    assert ids.encoded.nbytes == 22 * 1000
