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

from recommender.domain import AudioProfile, Catalog
from recommender.engine.explain import Recommendation, explain
from recommender.engine.features import WeightVector
from recommender.engine.model import TrackModel
from recommender.engine.seed_rows import ARTIST, GENRE, SeedRows, resolve_seeds, seed_coefficients
from recommender.text import artist_names

DEFAULT_PER_SEED: Final = 5
MAX_DEFAULT_LIMIT: Final = 50


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


def _distances(
    model: TrackModel, seeds: SeedRows, weights: WeightVector
) -> tuple[np.ndarray, np.ndarray]:
    """Squared weighted distances, seeds x tracks (float32), less a per-seed offset.

    The offset (the seed's own norm and its constant costs) does not change any seed's
    ranking, so it is returned apart and added only where seeds are compared: one pass fewer
    over the whole matrix.
    """
    column_weights, constant = seed_coefficients(seeds, weights)
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
        (seeds.artists, model.artists_t, ARTIST),
        (seeds.genres, model.genres_t, GENRE),
    ):
        w2 = weights.squared[index]
        if w2 == 0.0 or block.nnz == 0:
            continue
        cross = (block @ block_t).tocoo()
        distances[cross.row, cross.col] -= np.float32(2.0 * w2) * cross.data
    return distances, offsets


def _allowed(model: TrackModel, seeds: SeedRows, options: RecommendOptions) -> np.ndarray:
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
    seeds = resolve_seeds(model, seed_ids, seed_vectors)
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
    return explain(model, catalog, seeds, weight_vector, picks)
