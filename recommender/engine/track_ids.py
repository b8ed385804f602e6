"""The catalog's track ids as one compact array, looked up by row and by id.

A Python list of a million ids plus a dict from id to row costs about 200 bytes per track;
this keeps the UTF-8 bytes in one fixed-width numpy array (about 22 bytes per track) and
finds rows by binary search. The catalog is sorted by track id, so the search needs no
second array; an unsorted input gets one (an argsort), so correctness never rests on that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import overload

import numpy as np
import polars as pl


def _encode(ids: Iterable[str]) -> np.ndarray:
    encoded = [track_id.encode() for track_id in ids]
    if any(b"\x00" in track_id for track_id in encoded):
        # Fixed-width bytes drop trailing NULs, so such an id would not read back.
        msg = "a track id contains a NUL character"
        raise ValueError(msg)
    return np.array(encoded, dtype=np.bytes_) if encoded else np.array([], dtype="S1")


class TrackIds(Sequence[str]):
    """Row -> track id (``ids[row]``), and id -> row through :attr:`rows`."""

    __slots__ = ("_order", "_sorted", "encoded", "rows")

    def __init__(self, encoded: np.ndarray) -> None:
        if encoded.ndim != 1 or encoded.dtype.kind != "S":
            msg = f"track ids must be a 1-D bytes array, got {encoded.dtype} {encoded.shape}"
            raise ValueError(msg)
        self.encoded = encoded
        ordered = bool(np.all(encoded[:-1] < encoded[1:])) if len(encoded) > 1 else True
        self._order: np.ndarray | None = None
        self._sorted = encoded
        if not ordered:
            order = np.argsort(encoded, kind="stable")
            self._sorted = encoded[order]
            if np.any(self._sorted[:-1] == self._sorted[1:]):
                msg = "track ids are not distinct"
                raise ValueError(msg)
            self._order = order
        self.rows = RowIndex(self)

    @classmethod
    def of(cls, ids: Iterable[str] | pl.Series) -> TrackIds:
        """From strings (a list, or a polars column)."""
        return cls(_encode(ids.to_list() if isinstance(ids, pl.Series) else ids))

    def __len__(self) -> int:
        return len(self.encoded)

    @overload
    def __getitem__(self, row: int) -> str: ...
    @overload
    def __getitem__(self, row: slice) -> list[str]: ...
    def __getitem__(self, row: int | slice) -> str | list[str]:
        if isinstance(row, slice):
            return [value.decode() for value in self.encoded[row].tolist()]
        return str(self.encoded[row].decode())

    def __iter__(self) -> Iterator[str]:
        return (value.decode() for value in self.encoded.tolist())

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and self.find(value) >= 0

    def find(self, track_id: str) -> int:
        """The row of ``track_id``, or -1 when the catalog does not hold it."""
        try:
            key = np.bytes_(track_id.encode())
        except (AttributeError, UnicodeEncodeError):
            return -1
        haystack = self._sorted
        at = int(np.searchsorted(haystack, key))
        if at >= len(haystack) or haystack[at] != key:
            return -1
        return at if self._order is None else int(self._order[at])

    def find_all(self, track_ids: Sequence[str]) -> np.ndarray:
        """Rows of ``track_ids`` (int64), -1 for each one the catalog does not hold."""
        return np.array([self.find(track_id) for track_id in track_ids], dtype=np.int64)


class RowIndex(Mapping[str, int]):
    """Id -> row, as a read-only mapping over a :class:`TrackIds` (no copy of the ids)."""

    __slots__ = ("_ids",)

    def __init__(self, ids: TrackIds) -> None:
        self._ids = ids

    def __getitem__(self, track_id: str) -> int:
        row = self._ids.find(track_id)
        if row < 0:
            raise KeyError(track_id)
        return row

    def __contains__(self, track_id: object) -> bool:
        return isinstance(track_id, str) and self._ids.find(track_id) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
