"""Why each recommendation was picked: per-weight shares of its distance, and a similarity.

The shares and the distance follow the partial distance of ``engine.recommend``: only the
features the seed and the candidate both know (labels always, for a seed that has them).

The query (``engine.recommend``) picks ``(candidate, seed)`` pairs on float32 distances; this
module recomputes each pick's per-weight terms exactly (float64) and builds the results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from recommender.domain import Catalog
from recommender.engine.features import WeightVector
from recommender.engine.model import TrackModel
from recommender.engine.seed_rows import (
    UNKNOWN_COST,
    SeedRows,
    seed_known,
    value_coefficients,
)


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
    *,
    block_size: int | None = None,
) -> list[Recommendation]:
    """Exact (float64) per-weight terms for each pick, then the result objects.

    ``picks`` come in list order; the results are ordered by distance within each block of
    ``block_size`` in that order (a track that waited for a later block stays there), in
    full when None.
    """
    if not picks:
        return []
    candidates = np.array([c for c, _ in picks], dtype=np.intp)
    seed_of = np.array([s for _, s in picks], dtype=np.intp)
    layout = model.layout
    names = layout.weight_names
    column_w2 = value_coefficients(layout, seeds, weights)
    # Which features speak for each pick: weighted, and known to the seed and the candidate.
    both = seed_known(seeds)[seed_of] & model.compared[candidates].astype(bool)
    active = np.zeros((len(picks), len(names)), dtype=bool)
    active[:, layout.compared_index] = both
    active &= weights.values[None, :] > 0
    difference = seeds.dense[seed_of] - model.dense[candidates].astype(np.float64)
    per_column = column_w2[seed_of] * difference**2
    terms = np.zeros((len(picks), len(names)))
    for column, owner in enumerate(layout.value_owner_index):
        terms[:, owner] += per_column[:, column]
    for block, model_block, index in (
        (seeds.artists, model.artists, layout.weight("artist")),
        (seeds.genres, model.genres, layout.weight("genre")),
    ):
        overlap = np.asarray(block[seed_of].multiply(model_block[candidates]).sum(axis=1)).ravel()
        terms[:, index] = weights.squared[index] * (2.0 - 2.0 * overlap)
    terms = np.clip(terms, 0.0, None) * active
    # The partial distance (module doc): compared terms over compared weight, times Σw².
    total = float(weights.squared.sum())
    compared = (active * weights.squared[None, :]).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        squared = np.where(compared > 0, total * terms.sum(axis=1) / compared, UNKNOWN_COST * total)
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
                contributions=_shares(names, terms[i], active[i]),
            )
        )
    size = block_size or len(results) + 1
    slot = {r.track_id: i // size for i, r in enumerate(results)}
    return sorted(results, key=lambda r: (slot[r.track_id], r.distance, r.track_id))


def _shares(
    weight_names: tuple[str, ...], terms: np.ndarray, active: np.ndarray
) -> dict[str, float]:
    """Each active weight's share of the candidate-dependent squared distance (sums to 1)."""
    names = [name for name, on in zip(weight_names, active, strict=True) if on]
    total = float(terms.sum())
    if not names:
        return {}
    if total <= 0.0:
        # Identical on every active feature: each explains the (zero) distance equally.
        return dict.fromkeys(names, 1.0 / len(names))
    return {name: float(terms[i]) / total for i, name in enumerate(weight_names) if active[i]}
