"""The systems the evaluation compares: the baselines and the shipped engine.

Every system answers the same question, "given these seeds, which ``k`` tracks next?", through
the :class:`System` protocol. Ours is the shipped ``recommend()`` called unchanged with a set of
weights and options; the baselines (random, most popular, the seed project's recipe in plain
numpy) answer without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import numpy as np
import polars as pl

from recommender.domain import UNIT_FEATURES, Catalog
from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    DISCOVER_PRESETS,
    PRESETS,
    SCALED_FEATURES,
    WEIGHT_NAMES,
    fit_scaler,
    raw_features,
    resolve_weights,
)
from recommender.engine.model import TrackModel, train
from recommender.engine.recommend import (
    ARTISTS_PER_BLOCK,
    SEED_ARTISTS_PER_BLOCK,
    RecommendOptions,
    recommend,
)
from recommender.evaluation.protocol import LEAK_FREE, TrackTable, genre_labelled, stable_seed
from recommender.evaluation.results import SystemConfig, SystemKind

OURS: Final = "shipped defaults"
ORIGINAL: Final = "original design"
ORIGINAL_PLAIN: Final = "original design (plain numpy)"
POPULAR: Final = "most popular"
PRESET_PREFIX: Final = "preset: "
# The shipped weights over a model whose every track has a genre (``genre_signal``).
FILLED: Final = "shipped defaults, genres filled"


class System(Protocol):
    """Anything that continues a seed list: returns up to ``k`` track ids, never a seed."""

    name: str

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """The ``k`` best track ids for ``seeds``, excluding the seeds and ``skip``."""
        ...


class _AllowedMask:
    """Which catalog rows a query may return; the skip-set mask is built once per skip set."""

    def __init__(self, table: TrackTable) -> None:
        self._table = table
        self._skip: frozenset[str] | None = None
        self._allowed = np.ones(len(table.ids), dtype=bool)

    def __call__(self, seeds: Sequence[str], skip: frozenset[str]) -> np.ndarray:
        # The TidyTuesday-only variant skips ~47k ids: build that mask once, not per query.
        if skip is not self._skip:
            self._allowed = np.fromiter((i not in skip for i in self._table.ids), dtype=bool)
            self._skip = skip
        allowed = self._allowed.copy()
        allowed[[self._table.position[s] for s in seeds if s in self._table.position]] = False
        return allowed


class RandomSystem:
    """Baseline: ``k`` catalog tracks drawn uniformly, seeded by the random state and the seeds."""

    def __init__(self, table: TrackTable, *, random_state: int) -> None:
        self.name = "random"
        self._table = table
        self._random_state = random_state
        self._allowed = _AllowedMask(table)

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """Uniform draw without replacement from the allowed tracks."""
        pool = np.flatnonzero(self._allowed(seeds, skip))
        rng = np.random.default_rng([self._random_state, stable_seed(*seeds)])
        picks = rng.choice(pool, size=min(k, pool.size), replace=False)
        return [str(self._table.ids[i]) for i in picks]


class PopularSystem:
    """Baseline: the most popular tracks (unknown popularity last, ties by track id)."""

    def __init__(self, table: TrackTable) -> None:
        self.name = POPULAR
        popularity = np.nan_to_num(table.popularity, nan=-1.0)
        ranking = np.lexsort((table.ids.astype(str), -popularity))
        self._ranked = [str(table.ids[i]) for i in ranking]

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """The first ``k`` of the fixed popularity ranking that are neither seeds nor skipped."""
        excluded = set(seeds)
        picks: list[str] = []
        for track_id in self._ranked:
            if track_id in excluded or track_id in skip:
                continue
            picks.append(track_id)
            if len(picks) == k:
                break
        return picks


# The seed project's columns: the unit features and mode stay raw, the rest is standardised.
_SEED_RAW_COLUMNS: Final = (*UNIT_FEATURES, "mode")
_SEED_SCALED_COLUMNS: Final = (
    "loudness",
    "tempo",
    "key",
    "duration_ms",
    "time_signature",
    "popularity",
)


class SeedRecipeSystem:
    """The seed project's recipe written out in plain numpy, outside our engine (a baseline).

    Unit features and mode raw, the other columns standardised (unknown values imputed with
    the column mean, so 0 after scaling), a one-hot of the primary artist at weight 1 (two
    tracks by different artists are sqrt(2) apart on it), Euclidean distance. Each seed's
    nearest neighbour comes first (ordered by distance); the list is then topped up with the
    tracks nearest to any seed. No same-song exclusion: the seed project had none.
    """

    def __init__(self, catalog: Catalog, table: TrackTable) -> None:
        self.name = ORIGINAL_PLAIN
        tracks = catalog.tracks
        raw = tracks.select(pl.col(c).cast(pl.Float64) for c in _SEED_RAW_COLUMNS).to_numpy()
        scaled = tracks.select(pl.col(c).cast(pl.Float64) for c in _SEED_SCALED_COLUMNS)
        standardised = scaled.select(
            ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).fill_null(0.0)
            for c in _SEED_SCALED_COLUMNS
        ).to_numpy()
        matrix = np.nan_to_num(np.hstack([raw, standardised]), nan=0.0)
        raw_means = np.nanmean(raw, axis=0)
        matrix[:, : raw.shape[1]] = np.where(np.isnan(raw), raw_means, raw)
        self._matrix = matrix.astype(np.float32)
        self._norms = (self._matrix**2).sum(axis=1)
        by_artist: dict[str, list[int]] = {}
        for row, artist in enumerate(table.artist):
            by_artist.setdefault(artist, []).append(row)
        groups = {artist: np.array(rows) for artist, rows in by_artist.items()}
        self._same_artist = [groups[artist] for artist in table.artist]
        self._table = table
        self._allowed = _AllowedMask(table)

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """Each seed's nearest neighbour, then the nearest to any seed, up to ``k``."""
        rows = self._table.rows(seeds)
        squared = self._matrix[rows] @ self._matrix.T
        squared *= -2.0
        squared += self._norms[None, :]
        squared += (self._norms[rows] + 2.0)[:, None]
        for i, row in enumerate(rows):
            squared[i, self._same_artist[row]] -= 2.0  # the artist one-hot matches
        squared[:, np.flatnonzero(~self._allowed(seeds, skip))] = np.inf
        nearest = squared.argmin(axis=1)
        first = dict.fromkeys(nearest[np.argsort(squared.min(axis=1), kind="stable")].tolist())
        closest = squared.min(axis=0)
        depth = min(k + len(first), closest.size - 1)
        pool = np.argpartition(closest, depth)[: depth + 1]
        rest = pool[np.lexsort((pool, closest[pool]))].tolist()
        picks = [i for i in [*first, *rest] if np.isfinite(closest[i])]
        return [str(self._table.ids[i]) for i in dict.fromkeys(picks)][:k]


@dataclass
class EngineSystem:
    """The shipped ``recommend()``, called unchanged with fixed weights and options.

    ``limit`` is the list length asked for; the engine fills each seed's ``per_seed`` quota
    nearest first and then tops the list up with the next nearest tracks. ``artists_per_block``
    and ``discover`` are the engine's options of the same name (the shipped defaults: 8, off).
    """

    name: str
    model: TrackModel
    catalog: Catalog
    weights: Mapping[str, float]
    per_seed: int = 5
    discover: bool = False
    artists_per_block: int | None = ARTISTS_PER_BLOCK
    seed_artists_per_block: int | None = SEED_ARTISTS_PER_BLOCK
    one_recording: bool = True
    _ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = frozenset(self.model.track_ids)

    @property
    def leak_free(self) -> bool:
        """Whether the genres carry no TidyTuesday playlist label (``leak_free_genres``)."""
        return self.catalog.fingerprint.endswith(LEAK_FREE)

    def over_pool(
        self, catalog: Catalog, model: TrackModel, *, weights: Mapping[str, float] | None = None
    ) -> EngineSystem:
        """The same options (and weights unless given) over another candidate pool."""
        return EngineSystem(
            self.name,
            model,
            catalog,
            self.weights if weights is None else weights,
            per_seed=self.per_seed,
            discover=self.discover,
            artists_per_block=self.artists_per_block,
            seed_artists_per_block=self.seed_artists_per_block,
            one_recording=self.one_recording,
        )

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """Up to ``k`` track ids from the engine."""
        # Only ids the model knows can be skipped; passing the rest would cost a lookup each.
        options = RecommendOptions(
            per_seed=self.per_seed,
            limit=k,
            skip_ids=skip & self._ids,
            discover=self.discover,
            artists_per_block=self.artists_per_block,
            seed_artists_per_block=self.seed_artists_per_block,
            one_recording=self.one_recording,
        )
        found = recommend(self.model, self.catalog, seeds, weights=self.weights, options=options)
        return [item.track_id for item in found]

    def config(self) -> SystemConfig:
        """Every non-zero weight and the options, so a row says exactly what it scored."""
        resolved = resolve_weights(self.weights)
        return SystemConfig(
            weights=", ".join(
                f"{name} {resolved[name]:g}" for name in WEIGHT_NAMES if resolved[name] > 0
            ),
            per_seed=self.per_seed,
            discover=self.discover,
            artists_per_block=self.artists_per_block,
            seed_artists_per_block=self.seed_artists_per_block,
            one_recording=self.one_recording,
            genres=(
                ("leak-free" if self.leak_free else "with playlist labels")
                + (", filled" if self.model.schema.get("genres") == "filled" else "")
                if resolved["genre"] > 0
                else "off"
            ),
        )


@dataclass(frozen=True, slots=True)
class Contender:
    """A system in the table, with its kind and how it was configured.

    ``genre_system`` is the genre task's twin (our engine over the labelled tracks only); None
    means the genre task asks ``system`` itself.
    """

    system: System
    kind: SystemKind
    config: SystemConfig = field(default_factory=SystemConfig)
    genre_system: System | None = None


# The seed project's recipe standardised only the features outside 0-1 and left the seven
# unit features and mode raw. The engine standardises everything and multiplies coordinates
# by the weights, so weight = the feature's catalog standard deviation gives back raw units.
_ORIGINAL_RAW: Final = (*UNIT_FEATURES, "mode")
_ORIGINAL_STANDARDISED: Final = (
    "loudness",
    "tempo",
    "key",
    "duration",
    "time_signature",
    "popularity",
)


def original_design_weights(catalog: Catalog) -> dict[str, float]:
    """The seed project's recipe as engine weights: raw unit features, equal weights, artist 1.

    Year and genre are 0 (the seed's dataset had no year; genre is the scored label).
    """
    raw, _ = raw_features(catalog.tracks)
    scale = fit_scaler(raw).scale_
    weights = dict.fromkeys(WEIGHT_NAMES, 0.0)
    for name in _ORIGINAL_RAW:
        weights[name] = round(float(scale[SCALED_FEATURES.index(name)]), 4)
    for name in _ORIGINAL_STANDARDISED:
        weights[name] = 1.0
    weights["artist"] = 1.0
    return weights


def without_genre(weights: Mapping[str, float]) -> dict[str, float]:
    """``weights`` with the genre weight at 0 (the leakage guard of every task)."""
    return {**weights, "genre": 0.0}


def labelled_catalog(catalog: Catalog, table: TrackTable) -> Catalog:
    """The genre task's candidate pool: only the Kaggle-labelled tracks (``genre_labelled``).

    Our engine runs the genre task on a model trained (by the same ``train()``) on this pool:
    restricting the full model through ``skip_ids`` would pass ~66k ids with every query.
    """
    rows = genre_labelled(table)
    return Catalog(
        tracks=catalog.tracks[rows],
        playlists=catalog.playlists.clear(),
        fingerprint=f"{catalog.fingerprint}-genre-labelled",
    )


def default_contenders(
    catalog: Catalog,
    model: TrackModel,
    table: TrackTable,
    *,
    random_state: int,
    filled_genres: bool = True,
) -> list[Contender]:
    """The table's systems: baselines, both original designs, shipped defaults, each preset.

    ``filled_genres`` adds the shipped weights over a model trained with ``genres="filled"``
    on the same catalog (the genre signal's contender: every track labelled, so a genre no
    longer marks the source that has labels).

    ``catalog`` should be ``leak_free_genres`` of the shipped catalog (and ``model`` trained on
    it): our systems keep their genre weight on the playlist tasks. The original design
    appears twice: through our engine (weights that undo the scaling of the unit features,
    one neighbour per seed, no artist rule, topped up by the engine) and written out in plain
    numpy, which also keeps the seed's linear key and duration and its mean imputation. The
    genre task scores genres, so every engine system answers it with its genre weight at 0.
    """
    labelled = labelled_catalog(catalog, table)
    labelled_model = train(labelled, now=model.trained_at)

    def contender(system: EngineSystem, kind: SystemKind) -> Contender:
        twin = system.over_pool(labelled, labelled_model, weights=without_genre(system.weights))
        return Contender(system, kind, system.config(), twin)

    original = EngineSystem(
        ORIGINAL,
        model,
        catalog,
        original_design_weights(catalog),
        per_seed=1,
        artists_per_block=None,
        seed_artists_per_block=None,
        one_recording=False,
    )
    ours = [EngineSystem(OURS, model, catalog, DEFAULT_WEIGHTS)]
    if filled_genres:
        filled = train(catalog, now=model.trained_at, genres="filled")
        ours.append(EngineSystem(FILLED, filled, catalog, DEFAULT_WEIGHTS))
    ours += [
        EngineSystem(
            f"{PRESET_PREFIX}{name}", model, catalog, weights, discover=name in DISCOVER_PRESETS
        )
        for name, weights in PRESETS.items()
    ]
    return [
        Contender(RandomSystem(table, random_state=random_state), "baseline"),
        Contender(PopularSystem(table), "baseline"),
        contender(original, "baseline"),
        Contender(
            SeedRecipeSystem(catalog, table), "baseline", SystemConfig(weights="seed recipe, plain")
        ),
        *(contender(system, "ours") for system in ours),
    ]


def run_system(
    system: System, seed_lists: Sequence[Sequence[str]], *, k: int, skip: frozenset[str]
) -> list[list[str]]:
    """Ask ``system`` for every seed list and check what comes back.

    Raises:
        ValueError: when a list returns a seed, a skipped track, a duplicate or more than ``k``
            tracks: an evaluation that scored such a list would flatter a broken system.
    """
    lists = []
    for seeds in seed_lists:
        ranked = system.recommend(seeds, k=k, skip=skip)
        problem = None
        if len(ranked) > k:
            problem = f"{len(ranked)} tracks for k={k}"
        elif len(set(ranked)) != len(ranked):
            problem = "a track twice"
        elif not set(ranked).isdisjoint(seeds):
            problem = "one of its own seeds"
        elif not set(ranked).isdisjoint(skip):
            problem = "a track outside the candidate set"
        if problem:
            msg = f"system {system.name!r} returned {problem} (seeds {list(seeds)[:3]}...)"
            raise ValueError(msg)
        lists.append(list(ranked))
    return lists
