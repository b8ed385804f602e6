"""Weighted nearest-neighbour recommendations with explanations and diversity controls.

Distance between a seed ``s`` and a candidate ``c`` (squared, weights ``w``)::

    d² = Σ_dense w_f² (x_s,f − x_c,f)²  +  w_artist² (2 − 2 a_s·a_c)  +  w_genre² (2 − 2 g_s·g_c)

over standardised features (``features.encode_dense``) and L2-normalised artist/genre rows.
A feature the *seed* lacks costs every candidate the same ``2 w_f²`` (the expected squared
difference of two random tracks), so it never changes which tracks that seed picks while
keeping distances comparable between seeds. A feature the *candidate* lacks costs it the
expected difference to a random track, never less than a known match.

The query is an exact brute-force search, as scikit-learn's
``NearestNeighbors(algorithm="brute")`` does it: one matrix product over the stored
standardised matrix (times per-seed coefficients ``−2 w² x_s``), the candidates' weighted
norms, and a partial sort. Weights only
enter the coefficients, so a weight change refits nothing.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl
import scipy.sparse as sp

from recommender.domain import AudioProfile, Catalog, parse_track_id
from recommender.engine.features import (
    DENSE_WEIGHTS,
    SCALED_FEATURES,
    WEIGHT_NAMES,
    WeightVector,
    dense_column_weights,
    encode_dense,
    raw_features,
)
from recommender.engine.model import TrackModel
from recommender.text import artist_names

DEFAULT_PER_SEED: Final = 5
MAX_DEFAULT_LIMIT: Final = 50
# Expected squared difference between two random tracks on one standardised feature (and on a
# unit-circle or L2-normalised block): what an unknown seed-side value costs every candidate.
UNKNOWN_COST: Final = 2.0
_ARTIST = WEIGHT_NAMES.index("artist")
_GENRE = WEIGHT_NAMES.index("genre")


@dataclass(frozen=True, slots=True)
class RecommendOptions:
    """What to return and what to leave out (see the README, "How recommendations work")."""

    per_seed: int = DEFAULT_PER_SEED
    limit: int | None = None  # default min(50, per_seed * len(seeds))
    max_per_artist: int | None = None
    discover: bool = False  # exclude the seeds' artists
    popularity_range: tuple[int, int] | None = None
    exclude_explicit: bool = False  # removes only tracks KNOWN to be explicit
    skip_ids: frozenset[str] = frozenset()
    # Artist names as shown ("not this artist"); every track crediting one is left out.
    exclude_artists: frozenset[str] = frozenset()


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


@dataclass(frozen=True, slots=True)
class _Seeds:
    """Seed rows in the model's encoding; ``rows`` is the catalog row or -1 (profile seed)."""

    ids: list[str]
    rows: np.ndarray
    dense: np.ndarray
    known: np.ndarray
    artists: sp.csr_matrix
    genres: sp.csr_matrix


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


def _profile_row(model: TrackModel, profile: AudioProfile) -> tuple[np.ndarray, np.ndarray]:
    """Encode a profile (raw feature means, e.g. from Spotify tracks) like a catalog track."""
    values = profile.features
    columns = {name: [values.get(name)] for name in SCALED_FEATURES if name not in {"duration"}}
    columns["duration_ms"] = [values.get("duration_ms")]
    key = values.get("key")
    columns["key"] = [None if key is None else round(key)]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.Float64))
    raw, key_class = raw_features(frame)
    dense, known = encode_dense(raw, key_class, model.scaler)
    return dense[0].astype(np.float64), known[0]


def _resolve_seeds(
    model: TrackModel, seed_ids: Sequence[str], seed_vectors: Mapping[str, AudioProfile] | None
) -> _Seeds:
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
    return _Seeds(
        ids=ids,
        rows=positions,
        dense=np.vstack(dense),
        known=np.vstack(known),
        artists=_block_rows(model.artists, positions),
        genres=_block_rows(model.genres, positions),
    )


def _block_rows(block: sp.csr_matrix, positions: np.ndarray) -> sp.csr_matrix:
    """Rows of a sparse block for the seeds; profile seeds (-1) get an empty row."""
    rows = block[np.maximum(positions, 0)]
    if (positions < 0).any():
        rows = (sp.diags((positions >= 0).astype(np.float32)) @ rows).tocsr()
        rows.eliminate_zeros()
    return rows


def _parse_or_keep(value: str) -> str:
    try:
        return parse_track_id(value)
    except ValueError:
        return value.strip()


def _seed_coefficients(seeds: _Seeds, weights: WeightVector) -> tuple[np.ndarray, np.ndarray]:
    """Per-seed squared weights per dense column, and each seed's constant distance.

    A column's weight is 0 where the seed lacks the feature; the constant is that feature's
    unknown cost plus the sparse blocks' ``2 w²`` (their cross terms are subtracted later).
    """
    owners = dense_column_weights()
    dense_index = np.array([DENSE_WEIGHTS.index(WEIGHT_NAMES[o]) for o in owners])
    column_weights = weights.squared[owners][None, :] * seeds.known[:, dense_index]
    dense_w2 = weights.squared[[WEIGHT_NAMES.index(name) for name in DENSE_WEIGHTS]]
    unknown = (~seeds.known).astype(np.float64) @ dense_w2
    sparse_w2 = weights.squared[_ARTIST] + weights.squared[_GENRE]
    constant = UNKNOWN_COST * (unknown + sparse_w2)
    return column_weights, constant


def _distances(
    model: TrackModel, seeds: _Seeds, weights: WeightVector
) -> tuple[np.ndarray, np.ndarray]:
    """Squared weighted distances, seeds x tracks (float32), less a per-seed offset.

    The offset (the seed's own norm and its constant costs) does not change any seed's
    ranking, so it is returned apart and added only where seeds are compared: one pass fewer
    over the whole matrix.
    """
    column_weights, constant = _seed_coefficients(seeds, weights)
    # d² = Σ W x_c² − 2 Σ W x_s x_c + Σ W x_s²: the cross term is one matrix product; the
    # candidate norms are shared by every seed with the same known-feature pattern.
    distances = (-2.0 * seeds.dense * column_weights).astype(np.float32) @ model.dense.T
    patterns, group = np.unique(column_weights, axis=0, return_inverse=True)
    norms = patterns.astype(np.float32) @ model.dense_squared.T
    for row, pattern in enumerate(group.ravel()):
        # In place, row by row: a masked "+=" would copy the matrix.
        distances[row] += norms[pattern]
    offsets = (column_weights * seeds.dense**2).sum(axis=1) + constant
    for block, block_t, index in (
        (seeds.artists, model.artists_t, _ARTIST),
        (seeds.genres, model.genres_t, _GENRE),
    ):
        w2 = weights.squared[index]
        if w2 == 0.0 or block.nnz == 0:
            continue
        cross = (block @ block_t).tocoo()
        distances[cross.row, cross.col] -= np.float32(2.0 * w2) * cross.data
    return distances, offsets


def _allowed(model: TrackModel, seeds: _Seeds, options: RecommendOptions) -> np.ndarray:
    """Candidates that survive the hard filters (seeds and their songs always excluded)."""
    allowed = np.ones(model.n_tracks, dtype=bool)
    catalog_rows = seeds.rows[seeds.rows >= 0]
    allowed[catalog_rows] = False
    allowed &= ~np.isin(model.song_codes, model.song_codes[catalog_rows])
    skip = [model.index[t] for t in options.skip_ids if t in model.index]
    allowed[skip] = False
    excluded = _artist_columns(model, options.exclude_artists)
    if excluded.size:
        allowed[model.artists_t[excluded].indices] = False
    if options.discover and seeds.artists.nnz:
        seed_artists = np.unique(seeds.artists.indices)
        allowed[model.artists_t[seed_artists].indices] = False
    if options.popularity_range is not None:
        low, high = options.popularity_range
        # Unknown popularity is kept: the filter removes only tracks known to be outside.
        outside = (model.popularity < low) | (model.popularity > high)
        allowed &= ~outside
    if options.exclude_explicit:
        allowed &= model.explicit != 1
    return allowed


def _artist_columns(model: TrackModel, names: frozenset[str]) -> np.ndarray:
    """Artist-block columns of ``names``, folded and split like the model's own credits.

    A name the catalog does not know matches nothing (it cannot be recommended anyway).
    """
    vocabulary = model.artist_vocabulary  # sorted when the model was trained
    columns = []
    for folded in {part for name in names for part in artist_names([name])}:
        at = bisect.bisect_left(vocabulary, folded)
        if at < len(vocabulary) and vocabulary[at] == folded:
            columns.append(at)
    return np.array(sorted(columns), dtype=np.intp)


def _greedy(
    model: TrackModel,
    order: np.ndarray,
    assigned: np.ndarray,
    *,
    options: RecommendOptions,
    limit: int,
) -> list[int]:
    """Walk candidates nearest first: each seed's quota, then top up to ``limit``.

    Only the nearest version of a song is kept, and at most ``max_per_artist`` tracks per
    primary artist. Returns positions into ``order``/``assigned``.
    """
    per_seed = Counter[int]()
    per_artist = Counter[int]()
    songs: set[int] = set()
    picked: list[int] = []
    taken = np.zeros(len(order), dtype=bool)
    for use_quota in (True, False):
        for position in range(len(order)):
            if len(picked) >= limit:
                return picked
            if taken[position]:
                continue
            candidate, seed = order[position], assigned[position]
            song = int(model.song_codes[candidate])
            artist = int(model.primary_codes[candidate])
            if song in songs:
                continue
            if options.max_per_artist is not None and per_artist[artist] >= options.max_per_artist:
                continue
            if use_quota and per_seed[seed] >= options.per_seed:
                continue
            taken[position] = True
            songs.add(song)
            per_artist[artist] += 1
            per_seed[seed] += 1
            picked.append(position)
    return picked


def _nearest_columns(distances: np.ndarray, size: int) -> np.ndarray:
    """Union over rows of each row's ``size`` smallest columns (exact, ties aside).

    A strided sample's ``size``-th smallest value bounds the full row's from above, so only
    the few columns under it need a partial sort: about 8x less work than sorting every row.
    """
    n_seeds, n_tracks = distances.shape
    stride = 8
    threshold = None
    if n_tracks >= 4 * stride * size:
        sample = distances[:, ::stride]
        threshold = np.partition(sample, size - 1, axis=1)[:, size - 1]
    if threshold is None or not np.isfinite(threshold).all():
        # Small catalogs, or rows with too few allowed tracks in the sample: sort in full,
        # a few rows at a time (argpartition returns an int64 index per track and row).
        return np.unique(
            np.concatenate(
                [
                    np.argpartition(distances[start : start + 8], size - 1, axis=1)[
                        :, :size
                    ].ravel()
                    for start in range(0, n_seeds, 8)
                ]
            )
        )
    # Flat indices: a 1-D flatnonzero is much cheaper than a 2-D nonzero.
    flat = np.flatnonzero(distances <= threshold[:, None])
    bounds = np.searchsorted(flat, np.arange(n_seeds + 1) * n_tracks)
    nearest = []
    for row in range(n_seeds):
        candidates = flat[bounds[row] : bounds[row + 1]] - row * n_tracks
        if len(candidates) > size:
            order = np.argpartition(distances[row, candidates], size - 1)[:size]
            candidates = candidates[order]
        nearest.append(candidates)
    return np.unique(np.concatenate(nearest))


def _select(
    model: TrackModel,
    distances: np.ndarray,
    offsets: np.ndarray,
    allowed: np.ndarray,
    options: RecommendOptions,
    limit: int,
) -> list[tuple[int, int]]:
    """Pick ``(candidate row, seed index)`` pairs; the pool grows until it is big enough."""
    n_seeds = distances.shape[0]
    distances[:, ~allowed] = np.inf
    available = int(allowed.sum())
    if available == 0:
        return []
    pool_size = max(options.per_seed, math.ceil(limit / n_seeds)) * 4 + 16
    while True:
        if pool_size >= available:
            pool = np.flatnonzero(allowed)
        else:
            pool = _nearest_columns(distances, pool_size)
        columns = distances[:, pool] + offsets[:, None]
        assigned = columns.argmin(axis=0)
        best = columns[assigned, np.arange(len(pool))]
        ranking = np.argsort(best, kind="stable")
        picked = _greedy(
            model,
            pool[ranking],
            assigned[ranking],
            options=options,
            limit=limit,
        )
        if len(picked) >= limit or pool_size >= available:
            return [(int(pool[ranking[p]]), int(assigned[ranking[p]])) for p in picked]
        pool_size *= 4


def _explain(
    model: TrackModel,
    catalog: Catalog,
    seeds: _Seeds,
    weights: WeightVector,
    picks: list[tuple[int, int]],
) -> list[Recommendation]:
    """Exact (float64) per-weight terms for each pick, then the result objects."""
    if not picks:
        return []
    candidates = np.array([c for c, _ in picks], dtype=np.intp)
    seed_of = np.array([s for _, s in picks], dtype=np.intp)
    column_weights, _ = _seed_coefficients(seeds, weights)
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
        (seeds.artists, model.artists, _ARTIST),
        (seeds.genres, model.genres, _GENRE),
    ):
        seed_rows = block[seed_of]
        overlap = np.asarray(seed_rows.multiply(model_block[candidates]).sum(axis=1)).ravel()
        has_label = np.diff(seed_rows.indptr) > 0
        terms[:, index] = np.where(has_label, weights.squared[index] * (2.0 - 2.0 * overlap), 0.0)
        active[:, index] = has_label
    active &= weights.values[None, :] > 0
    terms = np.clip(terms, 0.0, None) * active
    # Features the seed lacks cost every candidate the same constant (see the module doc).
    dense_w2 = weights.squared[[WEIGHT_NAMES.index(name) for name in DENSE_WEIGHTS]]
    unknown = UNKNOWN_COST * ((~seed_known).astype(np.float64) @ dense_w2)
    for block, index in ((seeds.artists, _ARTIST), (seeds.genres, _GENRE)):
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


def _check_options(options: RecommendOptions) -> None:
    if options.per_seed < 1:
        msg = f"per_seed must be at least 1, got {options.per_seed}"
        raise ValueError(msg)
    if options.limit is not None and options.limit < 0:
        msg = f"limit must not be negative, got {options.limit}"
        raise ValueError(msg)
    if options.max_per_artist is not None and options.max_per_artist < 1:
        msg = f"max_per_artist must be at least 1, got {options.max_per_artist}"
        raise ValueError(msg)
    if options.popularity_range is not None:
        low, high = options.popularity_range
        if low > high:
            msg = f"popularity_range {options.popularity_range} has its bounds reversed"
            raise ValueError(msg)


def recommend(
    model: TrackModel,
    catalog: Catalog,
    seed_ids: Sequence[str],
    *,
    weights: Mapping[str, float] | None = None,
    options: RecommendOptions = RecommendOptions(),
    seed_vectors: Mapping[str, AudioProfile] | None = None,
) -> list[Recommendation]:
    """Recommend catalog tracks that sound like the seeds, nearest first.

    Args:
        model: the fitted model for ``catalog`` (same fingerprint).
        catalog: supplies names, artists and albums of the results.
        seed_ids: catalog track ids (or ``spotify:track:`` URIs / open.spotify links).
        weights: weight name -> 0-3; names left out keep their defaults.
        options: counts, filters and diversity controls.
        seed_vectors: audio profiles for seeds that are not in the catalog.

    Returns:
        Each result once, assigned to its closest seed, ordered by distance. Seeds and
        every version of a seed's song are never returned, and of several versions of one
        song only the closest is.

    Raises:
        ValueError: on an unknown seed id or weight name, bad options, or a model trained on
            another catalog.
    """
    if model.catalog_fingerprint != catalog.fingerprint or model.n_tracks != catalog.tracks.height:
        msg = (
            f"model was trained on catalog {model.catalog_fingerprint!r} "
            f"({model.n_tracks} tracks), not on {catalog.fingerprint!r} "
            f"({catalog.tracks.height} tracks); retrain it"
        )
        raise ValueError(msg)
    _check_options(options)
    weight_vector = WeightVector.of(weights)
    seeds = _resolve_seeds(model, seed_ids, seed_vectors)
    limit = (
        options.limit
        if options.limit is not None
        else min(MAX_DEFAULT_LIMIT, options.per_seed * len(seeds.ids))
    )
    if limit == 0:
        return []
    distances, offsets = _distances(model, seeds, weight_vector)
    allowed = _allowed(model, seeds, options)
    picks = _select(model, distances, offsets, allowed, options, limit)
    return _explain(model, catalog, seeds, weight_vector, picks)
