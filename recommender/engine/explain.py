"""Why each recommendation was picked: per-weight shares of its distance, and a similarity.

The query (``engine.recommend``) picks ``(candidate, seed)`` pairs on float32 distances; this
module recomputes each pick's per-weight terms exactly (float64) and builds the results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommender.domain import Catalog
from recommender.engine.features import (
    DENSE_WEIGHTS,
    WEIGHT_NAMES,
    WeightVector,
    dense_column_weights,
)
from recommender.engine.model import TrackModel
from recommender.engine.seed_rows import ARTIST, GENRE, UNKNOWN_COST, SeedRows, seed_coefficients


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One recommended track, the seed it answers and why it was picked."""

    track_id: str
    name: str
    artists: tuple[str, ...]
    album: str | None
    popularity: int | None
    seed_track_id: str
    distance: float
    similarity: float  # 0-100
    contributions: dict[str, float]  # weight name -> share of squared distance, sums to 1


def similarity_of(squared_distance: np.ndarray | float, weights: WeightVector) -> np.ndarray:
    """Similarity 0-100: ``100 * exp(-d² / Σw²)``.

    Monotone in the distance and fixed by the weights alone, so it is comparable across
    queries with the same weights. Two random tracks differ by about ``2 Σw²``, so they score
    about 14; an identical track scores 100.
    """
    scale = float(weights.squared.sum())
    d2 = np.asarray(squared_distance, dtype=np.float64)
    if scale == 0.0:
        return np.full_like(d2, 100.0)
    return 100.0 * np.exp(-d2 / scale)


def top_reasons(contributions: Mapping[str, float], *, n: int = 2) -> str:
    """Say which features a result is closest and furthest on ("close on energy, valence").

    The furthest feature is added ("; furthest on tempo") when more than ``n`` features count.
    """
    if not contributions:
        return ""
    ranked = sorted(contributions, key=lambda name: (contributions[name], name))
    text = "close on " + ", ".join(name.replace("_", " ") for name in ranked[:n])
    if len(ranked) > n:
        text += f"; furthest on {ranked[-1].replace('_', ' ')}"
    return text


def explain(
    model: TrackModel,
    catalog: Catalog,
    seeds: SeedRows,
    weights: WeightVector,
    picks: list[tuple[int, int]],
) -> list[Recommendation]:
    """Exact (float64) per-weight terms for each pick, then the result objects."""
    if not picks:
        return []
    candidates = np.array([c for c, _ in picks], dtype=np.intp)
    seed_of = np.array([s for _, s in picks], dtype=np.intp)
    column_weights, _ = seed_coefficients(seeds, weights)
    difference = seeds.dense[seed_of] - model.dense[candidates].astype(np.float64)
    per_column = column_weights[seed_of] * difference**2
    owners = dense_column_weights()
    terms = np.zeros((len(picks), len(WEIGHT_NAMES)))
    for column, owner in enumerate(owners):
        terms[:, owner] += per_column[:, column]
    # Which weights speak for each pick: on, and known for its seed.
    active = np.zeros((len(picks), len(WEIGHT_NAMES)), dtype=bool)
    seed_known = seeds.known[seed_of]
    for j, name in enumerate(DENSE_WEIGHTS):
        active[:, WEIGHT_NAMES.index(name)] = seed_known[:, j]
    for block, model_block, index in (
        (seeds.artists, model.artists, ARTIST),
        (seeds.genres, model.genres, GENRE),
    ):
        seed_rows = block[seed_of]
        overlap = np.asarray(seed_rows.multiply(model_block[candidates]).sum(axis=1)).ravel()
        has_label = np.diff(seed_rows.indptr) > 0
        terms[:, index] = np.where(has_label, weights.squared[index] * (2.0 - 2.0 * overlap), 0.0)
        active[:, index] = has_label
    active &= weights.values[None, :] > 0
    terms = np.clip(terms, 0.0, None) * active
    # Features the seed lacks cost every candidate the same constant (see engine.seed_rows).
    dense_w2 = weights.squared[[WEIGHT_NAMES.index(name) for name in DENSE_WEIGHTS]]
    unknown = UNKNOWN_COST * ((~seed_known).astype(np.float64) @ dense_w2)
    for block, index in ((seeds.artists, ARTIST), (seeds.genres, GENRE)):
        lacks = np.diff(block[seed_of].indptr) == 0
        unknown += lacks * UNKNOWN_COST * weights.squared[index]
    squared = terms.sum(axis=1) + unknown
    similarity = similarity_of(squared, weights)
    columns = {
        name: catalog.tracks.get_column(name).gather(candidates).to_list()
        for name in ("track_id", "name", "artists", "album", "popularity")
    }
    results = []
    for i in range(len(picks)):
        row = {name: values[i] for name, values in columns.items()}
        results.append(
            Recommendation(
                track_id=row["track_id"],
                name=row["name"] or "",
                artists=tuple(row["artists"] or ()),
                album=row["album"],
                popularity=row["popularity"],
                seed_track_id=seeds.ids[seed_of[i]],
                distance=math.sqrt(max(float(squared[i]), 0.0)),
                similarity=float(similarity[i]),
                contributions=_shares(terms[i], active[i]),
            )
        )
    return sorted(results, key=lambda r: (r.distance, r.track_id))


def _shares(terms: np.ndarray, active: np.ndarray) -> dict[str, float]:
    """Each active weight's share of the candidate-dependent squared distance (sums to 1)."""
    names = [name for name, on in zip(WEIGHT_NAMES, active, strict=True) if on]
    total = float(terms.sum())
    if not names:
        return {}
    if total <= 0.0:
        # Identical on every active feature: each explains the (zero) distance equally.
        return dict.fromkeys(names, 1.0 / len(names))
    return {name: float(terms[i]) / total for i, name in enumerate(WEIGHT_NAMES) if active[i]}
