"""The query layout: which encoded column holds what, named once.

Every slice and count of the engine's matrices comes from here (``features.LAYOUT`` is the
one built from the feature constants). Two orders matter:

- the **value columns** of ``TrackModel.dense`` and ``SeedRows.dense``: one standardised
  column per scaled feature, then two (a point on a circle) per circular feature;
- the **compared features** of ``TrackModel.compared`` and ``seed_rows.seed_known``: every
  dense feature once (scaled, then circular), then the label blocks (artist, genre).

``TrackModel.query_t`` stacks the compared flags, the value columns and their squares, in
that order (``compared_rows``, ``value_rows``, ``square_rows``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# A circular feature (the key on the circle of fifths) is a point on the unit circle.
CIRCLE_COLUMNS = 2


@dataclass(frozen=True, slots=True)
class QueryLayout:
    """The encoded columns, built from the feature names; everything else is derived."""

    weight_names: tuple[str, ...]  # the order of ``WeightVector`` and the sliders
    defaults: Mapping[str, float]  # the shipped weights (one per name)
    scaled: tuple[str, ...]  # one standardised value column each
    circular: tuple[str, ...]  # CIRCLE_COLUMNS value columns each
    labels: tuple[str, ...]  # L2-normalised sparse blocks, compared last
    value_owner_index: np.ndarray = field(init=False, repr=False, compare=False)
    value_compared_index: np.ndarray = field(init=False, repr=False, compare=False)
    compared_index: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        named = [*self.scaled, *self.circular, *self.labels]
        unknown = sorted(set(named) - set(self.weight_names))
        if unknown or len(set(named)) != len(named):
            msg = f"layout features {named} must be distinct weight names (unknown: {unknown})"
            raise ValueError(msg)
        missing = sorted(set(self.weight_names) - set(self.defaults))
        if missing:
            msg = f"layout weights {missing} have no default"
            raise ValueError(msg)
        owners = self.value_owners
        compared = self.compared_features
        # Frozen: derived arrays are set once, here.
        object.__setattr__(
            self,
            "value_owner_index",
            np.array([self.weight_names.index(n) for n in owners], dtype=np.intp),
        )
        object.__setattr__(
            self,
            "value_compared_index",
            np.array([compared.index(n) for n in owners], dtype=np.intp),
        )
        object.__setattr__(
            self,
            "compared_index",
            np.array([self.weight_names.index(n) for n in compared], dtype=np.intp),
        )

    @property
    def dense_features(self) -> tuple[str, ...]:
        """The features of the dense block, one ``known`` flag each (scaled, then circular)."""
        return (*self.scaled, *self.circular)

    @property
    def compared_features(self) -> tuple[str, ...]:
        """The features a partial distance compares, in ``TrackModel.compared`` order."""
        return (*self.dense_features, *self.labels)

    @property
    def value_owners(self) -> tuple[str, ...]:
        """For each value column, the feature it encodes."""
        return (*self.scaled, *(n for n in self.circular for _ in range(CIRCLE_COLUMNS)))

    @property
    def n_values(self) -> int:
        """Number of value columns (the width of ``dense``)."""
        return len(self.value_owners)

    @property
    def n_compared(self) -> int:
        """Number of compared features."""
        return len(self.compared_features)

    @property
    def scaled_columns(self) -> slice:
        """The standardised value columns."""
        return slice(0, len(self.scaled))

    def circle_columns(self, name: str) -> slice:
        """The two value columns of circular feature ``name``."""
        start = len(self.scaled) + CIRCLE_COLUMNS * self.circular.index(name)
        return slice(start, start + CIRCLE_COLUMNS)

    @property
    def label_compared(self) -> slice:
        """The label features among the compared ones."""
        return slice(len(self.dense_features), self.n_compared)

    @property
    def compared_rows(self) -> slice:
        """Rows of ``query_t`` holding the compared flags."""
        return slice(0, self.n_compared)

    @property
    def value_rows(self) -> slice:
        """Rows of ``query_t`` holding the value columns."""
        return slice(self.n_compared, self.n_compared + self.n_values)

    @property
    def square_rows(self) -> slice:
        """Rows of ``query_t`` holding the squared value columns."""
        return slice(self.n_compared + self.n_values, self.n_compared + 2 * self.n_values)

    @property
    def n_query_rows(self) -> int:
        """Height of ``query_t``."""
        return self.n_compared + 2 * self.n_values

    def weight(self, name: str) -> int:
        """Index of weight ``name`` in ``weight_names``."""
        return self.weight_names.index(name)
