"""Ranking and beyond-accuracy metrics, and bootstrap intervals, for the offline evaluation."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_LEVEL = 0.95


def _check_k(k: int) -> None:
    if k < 1:
        msg = f"k must be at least 1, got {k}"
        raise ValueError(msg)


def hits_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> int:
    """Count the relevant items among the first ``k`` of ``ranked``."""
    _check_k(k)
    return sum(1 for item in ranked[:k] if item in relevant)


def recall_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant items found in the first ``k`` (0 when nothing is relevant)."""
    if not relevant:
        return 0.0
    return hits_at_k(ranked, relevant, k) / len(relevant)


def precision_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the first ``k`` positions holding a relevant item; a short list counts its gaps."""
    return hits_at_k(ranked, relevant, k) / k


def ndcg_at_k(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Binary-relevance NDCG@k with the log2(rank + 1) discount.

    The ideal list puts ``min(len(relevant), k)`` relevant items first; 0 when nothing is relevant.
    """
    _check_k(k)
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 2) for rank, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg / ideal


def r_precision(ranked: Sequence[str], relevant: Collection[str]) -> float:
    """Precision at R = the number of relevant items; positions beyond a short list are misses."""
    if not relevant:
        return 0.0
    return hits_at_k(ranked, relevant, len(relevant)) / len(relevant)


def distinct_per(artists: Sequence[str], *, n: int = 10) -> int:
    """Distinct (already folded) primary artists among the first ``n`` recommendations."""
    _check_k(n)
    return len(set(artists[:n]))


def intra_list_diversity(vectors: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs of rows (0 for fewer than two rows)."""
    matrix = np.asarray(vectors, dtype=float)
    rows = matrix.shape[0]
    if rows < 2:
        return 0.0
    squared = (matrix**2).sum(axis=1)
    gram = matrix @ matrix.T
    distances = np.sqrt(np.clip(squared[:, None] + squared[None, :] - 2.0 * gram, 0.0, None))
    upper = np.triu_indices(rows, k=1)
    return float(distances[upper].mean())


def coverage(lists: Sequence[Sequence[str]], *, catalog_size: int) -> float:
    """Share of the catalog that appears in at least one list."""
    if catalog_size < 1:
        msg = f"catalog_size must be positive, got {catalog_size}"
        raise ValueError(msg)
    return len({item for items in lists for item in items}) / catalog_size


def popularity_bias(recommended: Sequence[float | None], seeds: Sequence[float | None]) -> float:
    """Mean popularity of the recommendations minus that of the seeds, unknown values ignored.

    Returns NaN when either side has no known popularity.
    """
    known_recs = [value for value in recommended if value is not None]
    known_seeds = [value for value in seeds if value is not None]
    if not known_recs or not known_seeds:
        return math.nan
    return float(np.mean(known_recs) - np.mean(known_seeds))


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean with its percentile-bootstrap confidence interval."""

    mean: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0

    def as_dict(self) -> dict[str, float]:
        """Plain numbers for JSON."""
        return {"mean": self.mean, "low": self.low, "high": self.high}


def _resample_indices(n: int, *, random_state: int, resamples: int) -> np.ndarray:
    rng = np.random.default_rng(random_state)
    return rng.integers(0, n, size=(resamples, n))


def _percentile_interval(means: np.ndarray, center: float, level: float) -> Interval:
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return Interval(mean=center, low=float(low), high=float(high))


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    *,
    random_state: int,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
) -> Interval:
    """Percentile bootstrap interval of the mean of per-unit values, units drawn with replacement.

    Raises:
        ValueError: when ``values`` is empty.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        msg = "bootstrap_interval needs at least one value"
        raise ValueError(msg)
    indices = _resample_indices(data.size, random_state=random_state, resamples=resamples)
    return _percentile_interval(data[indices].mean(axis=1), float(data.mean()), level)


def paired_bootstrap_difference(
    first: Sequence[float] | np.ndarray,
    second: Sequence[float] | np.ndarray,
    *,
    random_state: int,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = DEFAULT_LEVEL,
) -> Interval:
    """Bootstrap interval of mean(first - second), resampling the same units for both.

    Pairing keeps the per-playlist difficulty out of the interval: both systems are scored on the
    same resampled playlists.

    Raises:
        ValueError: when the sequences are empty or differ in length.
    """
    a = np.asarray(first, dtype=float)
    b = np.asarray(second, dtype=float)
    if a.shape != b.shape or a.size == 0:
        msg = f"paired bootstrap needs two equal, non-empty sequences, got {a.size} and {b.size}"
        raise ValueError(msg)
    return bootstrap_interval(a - b, random_state=random_state, resamples=resamples, level=level)
