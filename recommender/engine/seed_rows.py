"""Seeds in the model's encoding, and what each weight costs per seed.

Shared by the query (``engine.recommend``) and the explanations (``engine.explain``): both
need the seeds' standardised rows, which features each seed knows and the per-seed squared
weights. A feature the *seed* lacks is never compared (``engine.recommend``'s partial
distance), so it never changes which tracks that seed picks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl
import scipy.sparse as sp

from recommender.domain import AudioProfile, parse_track_id
from recommender.engine.features import WeightVector, encode_dense, raw_features
from recommender.engine.layout import QueryLayout
from recommender.engine.model import TrackModel

# Expected squared difference between two random tracks on one standardised feature (and on a
# unit-circle or L2-normalised block): a pair that compares nothing sits this far apart.
UNKNOWN_COST: Final = 2.0


@dataclass(frozen=True, slots=True)
class SeedRows:
    """Seed rows in the model's encoding; ``rows`` is the catalog row or -1 (profile seed)."""

    ids: list[str]
    rows: np.ndarray
    dense: np.ndarray
    known: np.ndarray
    artists: sp.csr_matrix
    genres: sp.csr_matrix


def _profile_row(model: TrackModel, profile: AudioProfile) -> tuple[np.ndarray, np.ndarray]:
    """Encode a profile (raw feature means, e.g. from Spotify tracks) like a catalog track."""
    values = profile.features
    layout = model.layout
    columns = {name: [values.get(name)] for name in layout.scaled if name not in {"duration"}}
    columns["duration_ms"] = [values.get("duration_ms")]
    key = values.get("key")
    columns["key"] = [None if key is None else round(key)]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Float64))
    raw, key_class = raw_features(frame, layout)
    dense, known = encode_dense(raw, key_class, model.scaler, layout)
    return dense[0].astype(np.float64), known[0]


def resolve_seeds(
    model: TrackModel, seed_ids: Sequence[str], seed_vectors: Mapping[str, AudioProfile] | None
) -> SeedRows:
    """Look every seed up in the model (id, URI or link), else in ``seed_vectors``."""
    ids: list[str] = []
    for value in seed_ids:
        seed = value if value in model.index else _parse_or_keep(value)
        if seed not in ids:
            ids.append(seed)
    if not ids:
        msg = "no seed tracks given"
        raise ValueError(msg)
    rows, dense, known = [], [], []
    for seed in ids:
        row = model.index.get(seed, -1)
        if row >= 0:
            dense.append(model.dense[row].astype(np.float64))
            known.append(model.known[row])
        elif seed_vectors and seed in seed_vectors:
            vector, flags = _profile_row(model, seed_vectors[seed])
            dense.append(vector)
            known.append(flags)
        else:
            msg = (
                f"unknown seed track id {seed!r}: not among the catalog's "
                f"{model.n_tracks} tracks and no audio profile was given for it"
            )
            raise ValueError(msg)
        rows.append(row)
    positions = np.array(rows, dtype=np.intp)
    return SeedRows(
        ids=ids,
        rows=positions,
        dense=np.vstack(dense),
        known=np.vstack(known),
        artists=_block_rows(model.artists, positions),
        genres=_block_rows(model.genres, positions),
    )


def _block_rows(block: sp.csr_matrix, positions: np.ndarray) -> sp.csr_matrix:
    """Rows of a sparse block for the seeds; profile seeds (-1) get an empty row."""
    rows: sp.csr_matrix = block[np.maximum(positions, 0)]
    if (positions < 0).any():
        rows = (sp.diags((positions >= 0).astype(np.float32)) @ rows).tocsr()
        rows.eliminate_zeros()
    return rows


def _parse_or_keep(value: str) -> str:
    try:
        return parse_track_id(value)
    except ValueError:
        return value.strip()


def seed_known(seeds: SeedRows) -> np.ndarray:
    """Which features each seed knows, in ``layout.compared_features`` order (bool)."""
    return np.column_stack(
        [seeds.known, np.diff(seeds.artists.indptr) > 0, np.diff(seeds.genres.indptr) > 0]
    )


def value_coefficients(layout: QueryLayout, seeds: SeedRows, weights: WeightVector) -> np.ndarray:
    """Per seed and value column (``layout.value_owners``), ``w²`` where the seed knows it."""
    coefficients: np.ndarray = (
        weights.squared[layout.value_owner_index][None, :]
        * seeds.known[:, layout.value_compared_index]
    )
    return coefficients
