"""Weighted nearest-neighbour recommendations with explanations and diversity controls.

Distance between a seed ``s`` and a candidate ``c`` (squared, weights ``w``) is a *partial*
(Gower-style) distance: only the features both tracks know are compared, and the sum is
normalised by the weight actually compared::

    d² = Σ_all w_f²  ·  Σ_both-known w_f² δ_f(s, c)  /  Σ_both-known w_f²

with ``δ_f = (x_s,f − x_c,f)²`` over standardised features (``features.encode_dense``) and
``δ = 2 − 2 a_s·a_c`` on the L2-normalised artist and genre rows. A numeric field that only
some sources have (TidyTuesday's year, popularity, metre) therefore neither rewards nor
punishes a candidate for coming from a source: without it the candidate is judged on what it
shares with the seed. Labels are the exception: a candidate without genres is compared as
sharing none (two random tracks almost never share one), because skipping the genre would
favour the one source without genres (docs/decisions/0005-partial-distance.md). Two random tracks
sit about ``2 Σw²`` apart, as before, so similarities stay comparable. When nothing is
compared the candidate costs that random-pair value.

The query is an exact brute-force search, as scikit-learn's
``NearestNeighbors(algorithm="brute")`` does it: matrix products over the stored
standardised matrix, its square and the known-feature flags (times per-seed coefficients),
then a partial sort. Weights only enter the coefficients, so a weight change refits nothing.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import scipy.sparse as sp

from recommender.domain import AudioProfile, Catalog
from recommender.engine.explain import Recommendation, explain
from recommender.engine.features import WeightVector
from recommender.engine.list_builder import BLOCK, SEED_ARTIST_BLOCK, ListBuilder, ListRules
from recommender.engine.model import TrackModel
from recommender.engine.recording import RecordingKey, recording_lookup
from recommender.engine.seed_rows import (
    UNKNOWN_COST,
    SeedRows,
    resolve_seeds,
    seed_known,
    value_coefficients,
)
from recommender.text import artist_names

DEFAULT_PER_SEED: Final = 5
MAX_DEFAULT_LIMIT: Final = 50
# Distinct primary artists each block of 10 keeps: docs/decisions/0002-artist-rule.md.
ARTISTS_PER_BLOCK: Final = 8
# Tracks crediting a seed's artist in each block of 20: docs/decisions/0006-seed-artist-room.md.
SEED_ARTISTS_PER_BLOCK: Final = 5
# Tracks per block of a query (``_Distances``): 50 seeds' distances to a block are 6.5 MB.
QUERY_BLOCK: Final = 1 << 15


@dataclass(frozen=True, slots=True)
class RecommendOptions:
    """What to return and what to leave out (docs/engine.md, "What comes back")."""

    per_seed: int = DEFAULT_PER_SEED
    limit: int | None = None  # None: min(50, per_seed * len(seeds)); otherwise at least 1
    max_per_artist: int | None = None
    # Every block of 10 (1-10, 11-20, ...) holds at least this many distinct primary artists
    # whenever the candidates allow; None switches the rule off (pure distance order).
    artists_per_block: int | None = ARTISTS_PER_BLOCK
    # Of every block of 20, at most this many tracks may credit one of the seeds' artists
    # (any credited artist); None: no cap. Discover leaves them out entirely.
    seed_artists_per_block: int | None = SEED_ARTISTS_PER_BLOCK
    # Leave out a track that is the same recording as a seed or an earlier result.
    one_recording: bool = True
    discover: bool = False  # exclude the seeds' artists
    popularity_range: tuple[int, int] | None = None
    exclude_explicit: bool = False  # removes only tracks KNOWN to be explicit
    skip_ids: frozenset[str] = frozenset()
    # Artist names as shown ("not this artist"); every track crediting one is left out.
    exclude_artists: frozenset[str] = frozenset()


class _Distances:
    """Squared partial distances (see the module doc) of the seeds to any catalog columns.

    With ``k`` the known flags and ``x`` 0 where unknown, the compared sum splits into
    matrix products: ``Σ w² k_s k_c x_s²``, ``−2 Σ w² k_s x_s x_c``, ``Σ w² k_s x_c²`` and the
    sparse blocks' ``w² k_s k_c (2 − 2 a_s·a_c)``; the compared weight is ``Σ w² k_s k_c``.
    The products are made a block of tracks at a time (:meth:`block`) or for chosen tracks
    (:meth:`columns`), never for seeds x catalog at once: at a million tracks and 50 seeds
    that matrix alone is 270 MB, and the product twice that.
    """

    def __init__(self, model: TrackModel, seeds: SeedRows, weights: WeightVector) -> None:
        layout = model.layout
        self.n_seeds = len(seeds.ids)
        self.n_tracks = model.n_tracks
        self._query_t = model.query_t
        total = float(weights.squared.sum())
        self._total = np.float32(total)
        self._unknown = np.float32(UNKNOWN_COST * total)
        w2 = weights.squared[layout.compared_index]
        compared_w2 = (seed_known(seeds) * w2[None, :]).astype(np.float32)
        column_w2 = value_coefficients(layout, seeds, weights)
        values = seeds.dense
        # The seed's own squared value per feature, paid only where the candidate knows it too.
        seed_side = np.zeros(compared_w2.shape, dtype=np.float64)
        np.add.at(seed_side.T, layout.value_compared_index, (column_w2 * values**2).T)
        # |a_s|² + |a_c|² of the normalised label rows.
        labels = layout.label_compared
        seed_side[:, labels] = 2.0 * compared_w2[:, labels]
        # The compared sums are one product over every row of ``query_t``; the compared
        # weights need only its compared rows (a third of the multiplications).
        numerator = np.zeros((self.n_seeds, layout.n_query_rows), dtype=np.float32)
        numerator[:, layout.compared_rows] = seed_side
        numerator[:, layout.value_rows] = -2.0 * values * column_w2
        numerator[:, layout.square_rows] = column_w2
        self._numerator = numerator
        self._denominator = compared_w2
        self._compared_rows = layout.compared_rows
        # The label blocks' cross products, by column, so a block of tracks is a slice.
        self._cross: list[tuple[sp.csc_matrix, np.float32]] = []
        for block, block_t, index in (
            (seeds.artists, model.artists_t, layout.weight("artist")),
            (seeds.genres, model.genres_t, layout.weight("genre")),
        ):
            if weights.squared[index] == 0.0 or block.nnz == 0:
                continue
            cross = sp.csc_matrix(block @ block_t)
            cross.sort_indices()
            self._cross.append((cross, np.float32(2.0 * weights.squared[index])))

    def block(self, start: int, stop: int) -> np.ndarray:
        """Distances to tracks ``start:stop``, seeds x tracks, float32."""
        # A column slice keeps rows contiguous, so each product is one BLAS call without a copy.
        block = self._query_t[:, start:stop]
        products = (self._numerator @ block, self._denominator @ block[self._compared_rows])
        crosses = []
        for cross, factor in self._cross:
            lo, hi = cross.indptr[start], cross.indptr[stop]
            columns = np.repeat(
                np.arange(stop - start, dtype=np.intp), np.diff(cross.indptr[start : stop + 1])
            )
            crosses.append((cross.indices[lo:hi], columns, cross.data[lo:hi], factor))
        return self._finish(*products, crosses)

    def columns(self, columns: np.ndarray) -> np.ndarray:
        """Distances to the tracks ``columns`` (in that order), seeds x tracks, float32."""
        chosen = self._query_t[:, columns]
        products = (self._numerator @ chosen, self._denominator @ chosen[self._compared_rows])
        crosses = []
        for cross, factor in self._cross:
            part = cross[:, columns].tocoo()
            crosses.append((part.row, part.col, part.data, factor))
        return self._finish(*products, crosses)

    def _finish(
        self,
        numerator: np.ndarray,
        denominator: np.ndarray,
        crosses: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.float32]],
    ) -> np.ndarray:
        for rows, columns, data, factor in crosses:
            numerator[rows, columns] -= factor * data
        # In place, one pass each: a query runs these over every catalog track.
        np.maximum(numerator, 0.0, out=numerator)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(numerator, denominator, out=numerator)
        numerator *= self._total
        # Nothing compared (no weight on anything both tracks know) is rare: look first.
        if denominator.size and denominator.min() <= 0.0:
            np.copyto(numerator, self._unknown, where=denominator <= 0.0)
        return np.asarray(numerator, dtype=np.float32)


def _allowed(model: TrackModel, seeds: SeedRows, options: RecommendOptions) -> np.ndarray:
    """Candidates that survive the hard filters (seeds and their songs always excluded)."""
    allowed = np.ones(model.n_tracks, dtype=bool)
    catalog_rows = seeds.rows[seeds.rows >= 0]
    allowed[catalog_rows] = False
    allowed &= ~np.isin(model.song_codes, model.song_codes[catalog_rows])
    skip = [model.index[t] for t in options.skip_ids if t in model.index]
    allowed[skip] = False
    excluded = _excluded_artist_columns(model, options.exclude_artists)
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


def _excluded_artist_columns(model: TrackModel, names: frozenset[str]) -> np.ndarray:
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


@dataclass(frozen=True, slots=True)
class _ListContext:
    """What the list rules need to know about the seeds, worked out once per query."""

    seed_artist_rows: np.ndarray | None
    recording_of: Callable[[int], RecordingKey] | None
    seed_recordings: tuple[RecordingKey, ...]


def _list_context(
    model: TrackModel, catalog: Catalog, seeds: SeedRows, options: RecommendOptions
) -> _ListContext:
    seed_artist_rows = None
    if options.seed_artists_per_block is not None and seeds.artists.nnz:
        seed_artist_rows = np.zeros(model.n_tracks, dtype=bool)
        seed_artist_rows[model.artists_t[np.unique(seeds.artists.indices)].indices] = True
    if not options.one_recording:
        return _ListContext(seed_artist_rows, None, ())
    recording_of = recording_lookup(catalog.tracks)
    seed_recordings = tuple(recording_of(int(row)) for row in seeds.rows if row >= 0)
    return _ListContext(seed_artist_rows, recording_of, seed_recordings)


def _greedy(
    model: TrackModel,
    order: np.ndarray,
    assigned: np.ndarray,
    *,
    options: RecommendOptions,
    limit: int,
    strict: bool,
    context: _ListContext,
) -> list[int]:
    """Positions into ``order``/``assigned`` that make the list, in list order (ListBuilder)."""
    rules = ListRules(
        per_seed=options.per_seed,
        max_per_artist=options.max_per_artist,
        artists_per_block=options.artists_per_block,
        seed_artists_per_block=options.seed_artists_per_block,
    )
    builder = ListBuilder(
        song_codes=model.song_codes,
        primary_codes=model.primary_codes,
        rules=rules,
        limit=limit,
        seed_artist_rows=context.seed_artist_rows,
        recording_of=context.recording_of,
        seed_recordings=context.seed_recordings,
    )
    return builder.build(order, assigned, strict=strict)


def _blocks(
    distances: _Distances, allowed: np.ndarray, width: int = QUERY_BLOCK
) -> Iterator[tuple[int, np.ndarray]]:
    """``(start, distances to tracks start:start+width)``, disallowed tracks at infinity."""
    for start in range(0, distances.n_tracks, width):
        stop = min(start + width, distances.n_tracks)
        block = distances.block(start, stop)
        block[:, ~allowed[start:stop]] = np.inf
        yield start, block


def _nearest_columns(blocks: Iterable[tuple[int, np.ndarray]], size: int) -> np.ndarray:
    """Union over seeds of each seed's ``size`` nearest columns (exact, ties aside).

    Each seed keeps its ``size`` best so far and their worst distance; a later block only
    hands over the entries at or under it, so after the first few blocks almost nothing is
    sorted.
    """
    kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    threshold: np.ndarray | None = None
    for start, block in blocks:
        n_seeds, width = block.shape
        if threshold is None:
            threshold = np.full(n_seeds, np.inf, dtype=np.float32)
        # Flat indices: a 1-D flatnonzero is much cheaper than a 2-D nonzero.
        flat = np.flatnonzero(block <= threshold[:, None])
        bounds = np.searchsorted(flat, np.arange(n_seeds + 1) * width)
        for row in np.flatnonzero(np.diff(bounds)).tolist():
            local = flat[bounds[row] : bounds[row + 1]] - row * width
            columns, values = local + start, block[row, local]
            if row in kept:
                columns = np.concatenate([kept[row][0], columns])
                values = np.concatenate([kept[row][1], values])
            if len(columns) > size:
                best = np.argpartition(values, size - 1)[:size]
                columns, values = columns[best], values[best]
                threshold[row] = values.max()
            kept[row] = (columns, values)
    if not kept:
        return np.empty(0, dtype=np.intp)
    return np.unique(np.concatenate([columns for columns, _ in kept.values()]))


def _select(
    model: TrackModel,
    distances: _Distances,
    allowed: np.ndarray,
    options: RecommendOptions,
    limit: int,
    context: _ListContext,
) -> list[tuple[int, int]]:
    """Pick ``(candidate row, seed index)`` pairs; the pool grows until it is big enough."""
    available = int(allowed.sum())
    if available == 0:
        return []
    pool_size = max(options.per_seed, math.ceil(limit / distances.n_seeds)) * 4 + 16
    while True:
        if pool_size >= available:
            pool = np.flatnonzero(allowed)
        else:
            pool = _nearest_columns(_blocks(distances, allowed), pool_size)
        columns = distances.columns(pool)
        assigned = columns.argmin(axis=0)
        best = columns[assigned, np.arange(len(pool))]
        ranking = np.argsort(best, kind="stable")
        everything = pool_size >= available
        picked = _greedy(
            model,
            pool[ranking],
            assigned[ranking],
            options=options,
            limit=limit,
            strict=not everything,
            context=context,
        )
        if len(picked) >= limit or everything:
            return [(int(pool[ranking[p]]), int(assigned[ranking[p]])) for p in picked]
        pool_size *= 4


def _check_options(options: RecommendOptions) -> None:
    if options.per_seed < 1:
        msg = f"per_seed must be at least 1, got {options.per_seed}"
        raise ValueError(msg)
    if options.limit is not None and options.limit < 1:
        msg = f"limit must be at least 1 (None: the default), got {options.limit}"
        raise ValueError(msg)
    room = options.seed_artists_per_block
    if room is not None and not 0 <= room <= SEED_ARTIST_BLOCK:
        msg = f"seed_artists_per_block must be 0-{SEED_ARTIST_BLOCK} (None: no cap), got {room}"
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
        Each result once, assigned to its closest seed, ordered by distance within each
        block of 10 (``artists_per_block``; in full when that is None). Seeds and
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
    weight_vector = WeightVector.of(weights, model.layout)
    seeds = resolve_seeds(model, seed_ids, seed_vectors)
    limit = (
        options.limit
        if options.limit is not None
        else min(MAX_DEFAULT_LIMIT, options.per_seed * len(seeds.ids))
    )
    if limit == 0:
        return []
    distances = _Distances(model, seeds, weight_vector)
    allowed = _allowed(model, seeds, options)
    context = _list_context(model, catalog, seeds, options)
    picks = _select(model, distances, allowed, options, limit, context)
    block_size = BLOCK if options.artists_per_block is not None else None
    return explain(model, catalog, seeds, weight_vector, picks, block_size=block_size)
