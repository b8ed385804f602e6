"""Offline evaluation: playlist continuation, genre agreement and beyond-accuracy figures.

Every system answers the same question, "given these seeds, which ``k`` tracks next?", through
the :class:`System` protocol. Ours is the shipped ``recommend()`` called unchanged with a set of
weights and options; the baselines (random, most popular, the seed project's recipe in plain
numpy) answer without it. ``evaluate`` and ``tune`` are the command-line entry points.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import numpy as np
import polars as pl

from recommender.domain import PROFILE_FEATURES, UNIT_FEATURES, Catalog
from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    PRESETS,
    SCALED_FEATURES,
    WEIGHT_NAMES,
    fit_scaler,
    format_weights,
    raw_features,
)
from recommender.engine.model import TrackModel, train
from recommender.engine.recommend import RecommendOptions, recommend
from recommender.evaluation import metrics
from recommender.text import primary_artist

K: Final = 50
TOP: Final = 10
MIN_PLAYLIST_TRACKS: Final = 20
DEFAULT_RANDOM_STATE: Final = 20200121
# The Kaggle source name in the catalog's ``sources`` lists: its 114 genre labels are the
# genre task's ground truth. (TidyTuesday tracks are recognised by playlist membership.)
KAGGLE: Final = "kaggle"


class System(Protocol):
    """Anything that continues a seed list: returns up to ``k`` track ids, never a seed."""

    name: str

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """The ``k`` best track ids for ``seeds``, excluding the seeds and ``skip``."""
        ...


def _stable_seed(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode())


@dataclass(frozen=True, slots=True)
class PlaylistCase:
    """One playlist split into the seeds a system sees and the tracks it should find."""

    playlist_id: str
    seeds: tuple[str, ...]
    hidden: frozenset[str]


def playlist_cases(
    catalog: Catalog, *, random_state: int, min_tracks: int = MIN_PLAYLIST_TRACKS
) -> list[PlaylistCase]:
    """Split each playlist with at least ``min_tracks`` catalog tracks into seeds and hidden halves.

    Each playlist's split depends only on ``random_state`` and its id, so taking a subset of the
    playlists never changes the split of the others. Seeds get the smaller half of an odd count.
    """
    known = catalog.tracks.select("track_id")
    members = (
        catalog.playlists.select("playlist_id", "track_id")
        .unique()
        .join(known, on="track_id", how="semi")
        .sort("playlist_id", "track_id")
    )
    cases = []
    for (playlist_id,), group in members.group_by("playlist_id", maintain_order=True):
        ids = group["track_id"].to_list()
        if len(ids) < min_tracks:
            continue
        rng = np.random.default_rng([random_state, _stable_seed(str(playlist_id))])
        order = rng.permutation(len(ids))
        half = len(ids) // 2
        cases.append(
            PlaylistCase(
                playlist_id=str(playlist_id),
                seeds=tuple(ids[i] for i in order[:half]),
                hidden=frozenset(ids[i] for i in order[half:]),
            )
        )
    return cases


def split_halves(
    cases: Sequence[PlaylistCase], *, random_state: int
) -> tuple[list[PlaylistCase], list[PlaylistCase]]:
    """Divide the playlists into a tuning half and a held-out half (seeded, order-independent)."""
    ordered = sorted(cases, key=lambda case: case.playlist_id)
    rng = np.random.default_rng([random_state, _stable_seed("halves")])
    order = rng.permutation(len(ordered))
    half = len(ordered) // 2
    train = sorted((ordered[i] for i in order[:half]), key=lambda case: case.playlist_id)
    test = sorted((ordered[i] for i in order[half:]), key=lambda case: case.playlist_id)
    return train, test


@dataclass(frozen=True)
class TrackTable:
    """Per-track arrays the metrics need, indexed by track id.

    ``profile`` holds the nine profile features z-scored over the catalog: one fixed space for
    intra-list diversity, independent of any system's weights.
    """

    ids: np.ndarray
    position: dict[str, int]
    artist: list[str]
    popularity: np.ndarray
    profile: np.ndarray
    sources: list[frozenset[str]]
    genres: list[frozenset[str]]
    tidytuesday: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> TrackTable:
        """Build the arrays once per catalog."""
        tracks = catalog.tracks
        ids = tracks["track_id"].to_numpy()
        features = tracks.select(
            ((pl.col(name) - pl.col(name).mean()) / pl.col(name).std()).fill_null(0.0).fill_nan(0.0)
            for name in PROFILE_FEATURES
        ).to_numpy()
        in_playlists = set(catalog.playlists["track_id"].to_list())
        return cls(
            ids=ids,
            position={track_id: i for i, track_id in enumerate(ids)},
            artist=[primary_artist(names or []) for names in tracks["artists"].to_list()],
            popularity=tracks["popularity"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            profile=np.asarray(features, dtype=float),
            sources=[frozenset(s or ()) for s in tracks["sources"].to_list()],
            genres=[frozenset(g or ()) for g in tracks["genres"].to_list()],
            tidytuesday=frozenset(in_playlists & set(ids.tolist())),
        )

    def rows(self, track_ids: Iterable[str]) -> list[int]:
        """Row positions of ``track_ids``; unknown ids raise, naming the id."""
        rows = []
        for track_id in track_ids:
            if track_id not in self.position:
                msg = f"system returned track id {track_id!r}, which is not in the catalog"
                raise ValueError(msg)
            rows.append(self.position[track_id])
        return rows

    def popularity_of(self, track_ids: Iterable[str]) -> list[float | None]:
        """Known popularity values (None where missing)."""
        values = self.popularity[self.rows(track_ids)]
        return [None if math.isnan(v) else float(v) for v in values]


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
        rng = np.random.default_rng([self._random_state, _stable_seed(*seeds)])
        picks = rng.choice(pool, size=min(k, pool.size), replace=False)
        return [str(self._table.ids[i]) for i in picks]


class PopularSystem:
    """Baseline: the most popular tracks (unknown popularity last, ties by track id)."""

    def __init__(self, table: TrackTable) -> None:
        self.name = "most popular"
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
        scaled = scaled.select(
            ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).fill_null(0.0)
            for c in _SEED_SCALED_COLUMNS
        ).to_numpy()
        matrix = np.nan_to_num(np.hstack([raw, scaled]), nan=0.0)
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
    nearest first and then tops the list up with the next nearest tracks.
    """

    name: str
    model: TrackModel
    catalog: Catalog
    weights: Mapping[str, float]
    per_seed: int = 5
    _ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._ids = frozenset(self.model.track_ids)

    def on(self, catalog: Catalog, model: TrackModel) -> EngineSystem:
        """The same weights and options over another catalog and its model."""
        return EngineSystem(self.name, model, catalog, self.weights, per_seed=self.per_seed)

    def recommend(self, seeds: Sequence[str], *, k: int, skip: frozenset[str]) -> list[str]:
        """Up to ``k`` track ids from the engine."""
        # Only ids the model knows can be skipped; passing the rest would cost a lookup each.
        options = RecommendOptions(per_seed=self.per_seed, limit=k, skip_ids=skip & self._ids)
        found = recommend(self.model, self.catalog, seeds, weights=self.weights, options=options)
        return [item.track_id for item in found]


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


def playlist_scores(
    cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]], *, k: int = K
) -> dict[str, np.ndarray]:
    """Per-playlist recall@k, precision@10, NDCG@k and R-precision, in case order."""
    return {
        f"recall@{k}": np.array(
            [metrics.recall_at_k(r, c.hidden, k) for c, r in zip(cases, lists, strict=True)]
        ),
        f"precision@{TOP}": np.array(
            [metrics.precision_at_k(r, c.hidden, TOP) for c, r in zip(cases, lists, strict=True)]
        ),
        f"ndcg@{k}": np.array(
            [metrics.ndcg_at_k(r, c.hidden, k) for c, r in zip(cases, lists, strict=True)]
        ),
        "r_precision": np.array(
            [metrics.r_precision(r, c.hidden) for c, r in zip(cases, lists, strict=True)]
        ),
    }


def beyond_accuracy(
    seed_lists: Sequence[Sequence[str]],
    lists: Sequence[Sequence[str]],
    table: TrackTable,
    *,
    k: int = K,
) -> dict[str, float]:
    """Distinct artists per 10, intra-list diversity, coverage, popularity bias, short lists."""
    distinct, diversity, bias = [], [], []
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        rows = table.rows(ranked)
        distinct.append(metrics.distinct_per([table.artist[i] for i in rows], n=TOP))
        diversity.append(metrics.intra_list_diversity(table.profile[rows]))
        bias.append(
            metrics.popularity_bias(table.popularity_of(ranked), table.popularity_of(seeds))
        )
    known_bias = [value for value in bias if not math.isnan(value)]
    return {
        "distinct_artists_per_10": float(np.mean(distinct)),
        "intra_list_diversity": float(np.mean(diversity)),
        "coverage": metrics.coverage(lists, catalog_size=len(table.ids)),
        "popularity_bias": float(np.mean(known_bias)) if known_bias else math.nan,
        "short_lists": sum(1 for ranked in lists if len(ranked) < k),
    }


def genre_labelled(table: TrackTable) -> list[int]:
    """Rows whose only source is Kaggle and that carry a genre.

    Tracks also in TidyTuesday are left out: their ``genres`` mix in the playlist genre, and
    some labels ("pop", "rock", "latin", "edm") are spelled alike in both datasets.
    """
    return [
        i
        for i, (sources, genres) in enumerate(zip(table.sources, table.genres, strict=True))
        if sources == {KAGGLE} and genres
    ]


def genre_agreement(
    system: System, seed_rows: Sequence[int], table: TrackTable, *, skip: frozenset[str]
) -> np.ndarray:
    """Per single-track seed: the share of its top 10 that share one of its genres."""
    seeds = [(str(table.ids[i]),) for i in seed_rows]
    lists = run_system(system, seeds, k=TOP, skip=skip)
    shares = []
    for row, ranked in zip(seed_rows, lists, strict=True):
        labels = table.genres[row]
        shares.append(sum(1 for i in table.rows(ranked) if table.genres[i] & labels) / TOP)
    return np.array(shares)


QUICK_PLAYLISTS: Final = 30
QUICK_GENRE_SEEDS: Final = 60
GENRE_SEEDS: Final = 300
MIN_DISTINCT_ARTISTS: Final = 6.0
OURS: Final = "our defaults"
ORIGINAL: Final = "original design"
ORIGINAL_PLAIN: Final = "original design (plain numpy)"


@dataclass(frozen=True, slots=True)
class Entry:
    """A system in the table, with what kind it is and how it was configured."""

    system: System
    kind: str  # "baseline" or "ours"
    config: Mapping[str, Any] = field(default_factory=dict)
    # The genre task's twin (our engine over the labelled tracks only); None: ``system`` itself.
    genre_system: System | None = None


def _sample(items: Sequence[Any], n: int | None, *, random_state: int, salt: str) -> list[Any]:
    if n is None or n >= len(items):
        return list(items)
    rng = np.random.default_rng([random_state, _stable_seed(salt)])
    return [items[i] for i in sorted(rng.choice(len(items), size=n, replace=False))]


def check_no_label_leak(entries: Sequence[Entry]) -> None:
    """Refuse systems that use the ``genre`` weight.

    The playlist task's ``genres`` hold the TidyTuesday playlist genre (the label of the very
    playlist being continued), and the genre task is scored on genres: neither may use it.

    Raises:
        ValueError: naming the system that does.
    """
    for entry in entries:
        weights = getattr(entry.system, "weights", None) or {}
        if weights.get("genre", 0.0) != 0.0:
            msg = (
                f"system {entry.system.name!r} uses genre weight {weights['genre']}: genre labels "
                "are what the evaluation scores (leakage); set it to 0"
            )
            raise ValueError(msg)


def _intervals(
    scores: Mapping[str, np.ndarray], *, random_state: int, resamples: int
) -> dict[str, dict[str, float]]:
    return {
        name: metrics.bootstrap_interval(
            values, random_state=random_state, resamples=resamples
        ).as_dict()
        for name, values in scores.items()
    }


@dataclass(frozen=True)
class Setup:
    """The fixed inputs of one evaluation run (derived once, shared by every system)."""

    table: TrackTable
    cases: list[PlaylistCase]
    held_out: list[int]
    tidytuesday_skip: frozenset[str]
    genre_rows: list[int]
    genre_skip: frozenset[str]


def prepare(
    catalog: Catalog, *, random_state: int, quick: bool, table: TrackTable | None = None
) -> Setup:
    """Split the playlists, pick the genre seeds and the candidate restrictions."""
    table = table or TrackTable.from_catalog(catalog)
    cases = playlist_cases(catalog, random_state=random_state)
    cases = _sample(
        cases, QUICK_PLAYLISTS if quick else None, random_state=random_state, salt="quick"
    )
    _, held = split_halves(cases, random_state=random_state)
    held_ids = {case.playlist_id for case in held}
    labelled = genre_labelled(table)
    labelled_ids = {str(table.ids[i]) for i in labelled}
    genre_rows = _sample(
        labelled,
        QUICK_GENRE_SEEDS if quick else GENRE_SEEDS,
        random_state=random_state,
        salt="genre",
    )
    all_ids = [str(i) for i in table.ids]
    return Setup(
        table=table,
        cases=cases,
        held_out=[i for i, case in enumerate(cases) if case.playlist_id in held_ids],
        tidytuesday_skip=frozenset(i for i in all_ids if i not in table.tidytuesday),
        genre_rows=genre_rows,
        genre_skip=frozenset(i for i in all_ids if i not in labelled_ids),
    )


def _score_entry(
    entry: Entry, setup: Setup, *, random_state: int, resamples: int
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    seeds = [case.seeds for case in setup.cases]
    lists = run_system(entry.system, seeds, k=K, skip=frozenset())
    scores = playlist_scores(setup.cases, lists)
    # Held-out half only: every skipped id costs the engine a lookup per query (47k here).
    held_cases = [setup.cases[i] for i in setup.held_out]
    tt_lists = run_system(
        entry.system, [c.seeds for c in held_cases], k=K, skip=setup.tidytuesday_skip
    )
    tt_scores = playlist_scores(held_cases, tt_lists)
    held = {name: values[setup.held_out] for name, values in scores.items()}
    shares = genre_agreement(
        entry.genre_system or entry.system, setup.genre_rows, setup.table, skip=setup.genre_skip
    )
    row = {
        "name": entry.system.name,
        "kind": entry.kind,
        "config": dict(entry.config),
        "playlists": _intervals(scores, random_state=random_state, resamples=resamples),
        "held_out_tidytuesday_only": _intervals(
            tt_scores, random_state=random_state, resamples=resamples
        ),
        "held_out": _intervals(held, random_state=random_state, resamples=resamples),
        "genre_agreement@10": metrics.bootstrap_interval(
            shares, random_state=random_state, resamples=resamples
        ).as_dict(),
        "beyond": beyond_accuracy(seeds, lists, setup.table),
    }
    return row, scores


def _comparisons(
    entries: Sequence[Entry],
    per_case: Mapping[str, Mapping[str, np.ndarray]],
    setup: Setup,
    *,
    random_state: int,
    resamples: int,
) -> list[dict[str, Any]]:
    """Paired-bootstrap recall@50 differences of each of our systems against both originals."""
    metric = f"recall@{K}"
    subsets = {"held-out half": setup.held_out, "all playlists": list(range(len(setup.cases)))}
    found = []
    for baseline in (ORIGINAL, ORIGINAL_PLAIN):
        if baseline not in per_case:
            continue
        for entry in (e for e in entries if e.kind == "ours"):
            for subset, index in subsets.items():
                if not index:
                    continue
                diff = metrics.paired_bootstrap_difference(
                    per_case[entry.system.name][metric][index],
                    per_case[baseline][metric][index],
                    random_state=random_state,
                    resamples=resamples,
                )
                found.append(
                    {
                        "system": entry.system.name,
                        "baseline": baseline,
                        "subset": subset,
                        "metric": metric,
                        **diff.as_dict(),
                        "excludes_zero": diff.excludes_zero(),
                    }
                )
    return found


def _verdict(rows: Sequence[Mapping[str, Any]], comparisons: Sequence[Mapping[str, Any]]) -> dict:
    ours = next((row for row in rows if row["name"] == OURS), None)
    held = next(
        (
            c
            for c in comparisons
            if c["system"] == OURS and c["baseline"] == ORIGINAL and c["subset"] == "held-out half"
        ),
        None,
    )
    if ours is None or held is None:
        return {"checked": False}
    artists = ours["beyond"]["distinct_artists_per_10"]
    return {
        "checked": True,
        "defaults_beat_original_on_held_out": bool(held["low"] > 0),
        "recall@50_gain": held["mean"],
        "recall@50_gain_interval": [held["low"], held["high"]],
        "distinct_artists_per_10": artists,
        "enough_artists": bool(artists >= MIN_DISTINCT_ARTISTS),
    }


def evaluate_systems(
    catalog: Catalog,
    entries: Sequence[Entry],
    *,
    random_state: int = DEFAULT_RANDOM_STATE,
    quick: bool = False,
    resamples: int = metrics.DEFAULT_RESAMPLES,
    table: TrackTable | None = None,
) -> dict[str, Any]:
    """Score every system on the same playlists and genre seeds; aggregate numbers only.

    Args:
        catalog: the candidate pool with its TidyTuesday playlist membership.
        entries: the systems, in table order.
        random_state: fixes the splits, the samples, the random baseline and the bootstrap.
        quick: a subset (30 playlists, 60 genre seeds) for tests and smoke runs.
        resamples: bootstrap resamples per interval.
        table: the catalog's ``TrackTable`` when the caller already built it.

    Returns:
        A JSON-ready dict: ``protocol``, ``systems`` (one row each), ``comparisons`` (paired
        recall@50 differences against the original design) and ``verdict``.

    Raises:
        ValueError: when a system uses the genre weight or returns an invalid list, or when
            no playlist qualifies.
    """
    check_no_label_leak(entries)
    setup = prepare(catalog, random_state=random_state, quick=quick, table=table)
    if not setup.cases:
        msg = (
            f"no playlist has {MIN_PLAYLIST_TRACKS} or more catalog tracks "
            f"({catalog.playlists.height} playlist rows): nothing to evaluate"
        )
        raise ValueError(msg)
    rows, per_case = [], {}
    for entry in entries:
        row, scores = _score_entry(entry, setup, random_state=random_state, resamples=resamples)
        rows.append(row)
        per_case[entry.system.name] = scores
    comparisons = _comparisons(
        entries, per_case, setup, random_state=random_state, resamples=resamples
    )
    return {
        "protocol": _protocol(catalog, setup, random_state=random_state, quick=quick),
        "systems": rows,
        "comparisons": comparisons,
        "verdict": _verdict(rows, comparisons),
    }


def _protocol(catalog: Catalog, setup: Setup, *, random_state: int, quick: bool) -> dict:
    return {
        "random_state": random_state,
        "quick": quick,
        "k": K,
        "catalog_tracks": len(setup.table.ids),
        "catalog_fingerprint": catalog.fingerprint,
        "playlists": len(setup.cases),
        "held_out_playlists": len(setup.held_out),
        "min_playlist_tracks": MIN_PLAYLIST_TRACKS,
        "mean_seeds": float(np.mean([len(c.seeds) for c in setup.cases])),
        "mean_hidden": float(np.mean([len(c.hidden) for c in setup.cases])),
        "tidytuesday_candidates": len(setup.table.ids) - len(setup.tidytuesday_skip),
        "genre_seeds": len(setup.genre_rows),
        "genre_candidates": len(setup.table.ids) - len(setup.genre_skip),
        "bootstrap": "percentile, 95%, playlists (or genre seeds) resampled with replacement",
        "leakage": (
            "genre weight 0 in every task: the catalog's genres hold the TidyTuesday playlist "
            "genre (the label of the playlist being continued) and the genre task scores genres"
        ),
    }


_COLUMNS: Final = (
    ("recall@50 [95% CI]", 22),
    ("P@10", 6),
    ("NDCG@50", 7),
    ("R-prec", 6),
    ("held-out R@50", 13),
    ("held-out TT-only R@50", 21),
    ("genre@10", 8),
    ("artists/10", 10),
    ("ILD", 5),
    ("cover", 6),
    ("pop.bias", 8),
)


def _cells(row: Mapping[str, Any]) -> list[str]:
    playlists = row["playlists"]
    recall = playlists["recall@50"]
    beyond = row["beyond"]
    return [
        f"{recall['mean']:.3f} [{recall['low']:.3f}, {recall['high']:.3f}]",
        f"{playlists['precision@10']['mean']:.3f}",
        f"{playlists['ndcg@50']['mean']:.3f}",
        f"{playlists['r_precision']['mean']:.3f}",
        f"{row['held_out']['recall@50']['mean']:.3f}",
        f"{row['held_out_tidytuesday_only']['recall@50']['mean']:.3f}",
        f"{row['genre_agreement@10']['mean']:.3f}",
        f"{beyond['distinct_artists_per_10']:.1f}",
        f"{beyond['intra_list_diversity']:.2f}",
        f"{beyond['coverage']:.3f}",
        f"{beyond['popularity_bias']:+.1f}",
    ]


def table_cells(result: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The systems table as (header, rows of formatted cells), for any renderer."""
    header = ["system", *(title for title, _ in _COLUMNS)]
    return header, [[str(row["name"]), *_cells(row)] for row in result["systems"]]


def format_table(result: Mapping[str, Any], *, markdown: bool = False) -> str:
    """The systems as a text table (or a Markdown table for the README)."""
    names = [row["name"] for row in result["systems"]]
    width = max([len("system"), *map(len, names)])
    header, body = table_cells(result)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines)
    widths = [width, *(max(w, len(t)) for t, w in _COLUMNS)]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )
        for cells in [header, *body]
    )


def format_summary(result: Mapping[str, Any]) -> str:
    """One line: how many playlists and seeds the result rests on, and its random state."""
    protocol = result["protocol"]
    return (
        f"{protocol['playlists']} playlists ({protocol['held_out_playlists']} held out), "
        f"{protocol['mean_seeds']:.1f} seeds and {protocol['mean_hidden']:.1f} hidden on average; "
        f"{protocol['genre_seeds']} genre seeds; random state {protocol['random_state']}"
        + (" (quick subset)" if protocol["quick"] else "")
    )


def format_comparisons(result: Mapping[str, Any]) -> list[str]:
    """The paired held-out differences, one line each, then the leakage guard."""
    lines = [
        f"{comp['system']} - {comp['baseline']}, {comp['metric']} on the {comp['subset']}: "
        f"{comp['mean']:+.4f} [{comp['low']:+.4f}, {comp['high']:+.4f}]"
        + (" (excludes 0)" if comp["excludes_zero"] else " (includes 0)")
        for comp in result["comparisons"]
        if comp["subset"] == "held-out half"
    ]
    lines.append(f"leakage guard: {result['protocol']['leakage']}")
    return lines


def format_report(result: Mapping[str, Any]) -> str:
    """The table plus the protocol summary, the comparisons and the verdict, for a terminal."""
    lines = [format_summary(result), "", format_table(result), "", *format_comparisons(result)]
    return "\n".join(lines)


SystemFactory = Callable[[Mapping[str, float]], System]
TUNING_GRID: Final = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
# The weights most likely to matter go first, so a short budget is spent on them.
_SEARCH_ORDER: Final = (
    "artist",
    "popularity",
    "year",
    "energy",
    "danceability",
    "acousticness",
    "valence",
    "loudness",
    "speechiness",
    "instrumentalness",
    "tempo",
    "liveness",
    "duration",
    "key",
    "mode",
    "time_signature",
)
TUNING_PLAYLISTS: Final = 120


@dataclass(frozen=True, slots=True)
class Trial:
    """One weight setting tried on the tuning playlists."""

    weights: dict[str, float]
    recall: float
    distinct_artists: float

    @property
    def admissible(self) -> bool:
        """Keeps at least six distinct artists per ten recommendations."""
        return self.distinct_artists >= MIN_DISTINCT_ARTISTS


def _trial(
    make_system: SystemFactory,
    weights: Mapping[str, float],
    cases: Sequence[PlaylistCase],
    table: TrackTable,
    skip: frozenset[str],
) -> Trial:
    system = make_system(dict(weights))
    seeds = [case.seeds for case in cases]
    lists = run_system(system, seeds, k=K, skip=skip)
    recall = float(playlist_scores(cases, lists)[f"recall@{K}"].mean())
    artists = float(
        np.mean([metrics.distinct_per([table.artist[i] for i in table.rows(r)]) for r in lists])
    )
    return Trial(weights=dict(weights), recall=recall, distinct_artists=artists)


def _better(candidate: Trial, best: Trial) -> bool:
    if candidate.admissible != best.admissible:
        return candidate.admissible
    return candidate.recall > best.recall + 1e-9


def coordinate_search(
    make_system: SystemFactory,
    start: Mapping[str, float],
    *,
    names: Sequence[str],
    cases: Sequence[PlaylistCase],
    table: TrackTable,
    deadline: float,
    clock: Callable[[], float],
    grid: Sequence[float] = TUNING_GRID,
    floors: Mapping[str, float] | None = None,
    skip: frozenset[str] = frozenset(),
) -> tuple[Trial, list[Trial]]:
    """Coordinate search: one weight at a time over ``grid``, keeping a change that helps.

    The objective is mean recall@50 on ``cases`` (candidates minus ``skip``) among settings
    that keep at least six distinct artists per ten; a weight never goes below its entry in
    ``floors``. Passes repeat until a pass changes nothing or ``clock()`` passes ``deadline``
    (the search then stops after the current trial).

    Returns:
        The best trial and every trial in the order tried.
    """
    best = _trial(make_system, start, cases, table, skip)
    history = [best]
    improved = True
    while improved and clock() < deadline:
        improved = False
        for name in names:
            for value in (v for v in grid if v >= (floors or {}).get(name, 0.0)):
                if clock() >= deadline:
                    return best, history
                if value == best.weights.get(name):
                    continue
                trial = _trial(make_system, {**best.weights, name: value}, cases, table, skip)
                history.append(trial)
                if _better(trial, best):
                    best, improved = trial, True
    return best, history


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


def default_entries(
    catalog: Catalog, model: TrackModel, table: TrackTable, *, random_state: int
) -> list[Entry]:
    """The table's systems: random, most popular, original design, our defaults, each preset.

    The original design appears twice: through our engine (weights that undo the scaling of
    the unit features, one neighbour per seed, topped up by the engine) and written out in
    plain numpy, which also keeps the seed's linear key and duration and its mean imputation.
    """

    def engine(name: str, weights: Mapping[str, float], **options: Any) -> EngineSystem:
        return EngineSystem(name, model, catalog, without_genre(weights), **options)

    def config(system: EngineSystem) -> dict[str, Any]:
        return {
            "weights": format_weights(system.weights) or "defaults",
            "per_seed": system.per_seed,
        }

    labelled = labelled_catalog(catalog, table)
    labelled_model = train(labelled, now=model.trained_at)
    original = engine(ORIGINAL, original_design_weights(catalog), per_seed=1)
    ours = [engine(OURS, DEFAULT_WEIGHTS)]
    ours += [engine(f"preset: {name}", weights) for name, weights in PRESETS.items()]
    return [
        Entry(RandomSystem(table, random_state=random_state), "baseline"),
        Entry(PopularSystem(table), "baseline"),
        Entry(original, "baseline", config(original), original.on(labelled, labelled_model)),
        Entry(SeedRecipeSystem(catalog, table), "baseline", {"weights": "seed recipe, plain"}),
        *(
            Entry(system, "ours", config(system), system.on(labelled, labelled_model))
            for system in ours
        ),
    ]


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


def _half_figures(
    system: System, cases: Sequence[PlaylistCase], table: TrackTable, skip: frozenset[str]
) -> tuple[dict[str, float], np.ndarray]:
    seeds = [case.seeds for case in cases]
    lists = run_system(system, seeds, k=K, skip=skip)
    recall = playlist_scores(cases, lists)[f"recall@{K}"]
    beyond = beyond_accuracy(seeds, lists, table)
    figures = {
        "recall@50": float(recall.mean()),
        "distinct_artists_per_10": beyond["distinct_artists_per_10"],
    }
    return figures, recall


# "Sounds like" is the product: the search may lower but never switch off what the radar shows.
SOUND_FLOOR: Final = 0.5


def run_tuning(
    catalog: Catalog,
    model: TrackModel,
    *,
    budget_seconds: float,
    random_state: int = DEFAULT_RANDOM_STATE,
    clock: Callable[[], float] = time.monotonic,
    resamples: int = metrics.DEFAULT_RESAMPLES,
) -> dict[str, Any]:
    """Coordinate-search the weights on the tuning half; report tuning and held-out halves.

    The search scores up to 120 playlists of the tuning half with candidates limited to
    TidyTuesday tracks, so a feature that is known only in TidyTuesday (year, for one) cannot
    win by pointing at the playlists' source. It keeps at least six distinct artists per ten
    and every radar feature at ``SOUND_FLOOR`` or more. The original design, the current
    defaults and the winner are then scored on both halves, with all candidates and with
    TidyTuesday candidates, plus paired-bootstrap recall@50 differences on the held-out half.
    ``budget_seconds`` bounds the search only.
    """
    table = TrackTable.from_catalog(catalog)
    train_half, test_half = split_halves(
        playlist_cases(catalog, random_state=random_state), random_state=random_state
    )
    search_cases = _sample(train_half, TUNING_PLAYLISTS, random_state=random_state, salt="tune")
    tidy_only = frozenset(str(i) for i in table.ids if i not in table.tidytuesday)

    def make(weights: Mapping[str, float]) -> EngineSystem:
        return EngineSystem("candidate", model, catalog, without_genre(weights))

    start = without_genre(DEFAULT_WEIGHTS)
    best, history = coordinate_search(
        make,
        start,
        names=sorted((name for name in WEIGHT_NAMES if name != "genre"), key=_SEARCH_ORDER.index),
        cases=search_cases,
        table=table,
        deadline=clock() + budget_seconds,
        clock=clock,
        floors=dict.fromkeys(PROFILE_FEATURES, SOUND_FLOOR),
        skip=tidy_only,
    )
    systems = {
        ORIGINAL: EngineSystem(
            ORIGINAL, model, catalog, original_design_weights(catalog), per_seed=1
        ),
        OURS: make(start),
        "tuned": make(best.weights),
    }
    rows, held = [], {}
    for name, system in systems.items():
        row: dict[str, Any] = {"name": name}
        for label, skip in (("all", frozenset()), ("tidytuesday_only", tidy_only)):
            row[f"tuning_half_{label}"], _ = _half_figures(system, train_half, table, skip)
            row[f"held_out_half_{label}"], held[name, label] = _half_figures(
                system, test_half, table, skip
            )
        rows.append(row)
    comparisons = [
        {
            "system": first,
            "baseline": second,
            "subset": f"held-out half, {label} candidates",
            **metrics.paired_bootstrap_difference(
                held[first, label],
                held[second, label],
                random_state=random_state,
                resamples=resamples,
            ).as_dict(),
        }
        for label in ("all", "tidytuesday_only")
        for first, second in (("tuned", OURS), ("tuned", ORIGINAL), (OURS, ORIGINAL))
    ]
    return {
        "random_state": random_state,
        "budget_seconds": budget_seconds,
        "trials": len(history),
        "search_playlists": len(search_cases),
        "tuning_playlists": len(train_half),
        "held_out_playlists": len(test_half),
        "best_weights": best.weights,
        "best_weights_text": format_weights(best.weights),
        "rows": rows,
        "comparisons": comparisons,
    }


def format_tuning(result: Mapping[str, Any]) -> str:
    """The tuning result as text: both halves side by side, then the paired differences."""
    lines = [
        f"{result['trials']} weight settings tried on {result['search_playlists']} playlists "
        f"of the tuning half; best: {result['best_weights_text'] or 'the defaults'}",
        "",
        f"{'system':<16} {'candidates':<16} {'tuning R@50':>11} {'artists/10':>10}   "
        f"{'held-out R@50':>13} {'artists/10':>10}",
    ]
    for row in result["rows"]:
        for label in ("all", "tidytuesday_only"):
            train_half, test_half = row[f"tuning_half_{label}"], row[f"held_out_half_{label}"]
            lines.append(
                f"{row['name']:<16} {label:<16} {train_half['recall@50']:>11.4f} "
                f"{train_half['distinct_artists_per_10']:>10.2f}   "
                f"{test_half['recall@50']:>13.4f} {test_half['distinct_artists_per_10']:>10.2f}"
            )
    lines.append("")
    for comp in result["comparisons"]:
        lines.append(
            f"{comp['system']} - {comp['baseline']}, recall@50 on the {comp['subset']}: "
            f"{comp['mean']:+.4f} [{comp['low']:+.4f}, {comp['high']:+.4f}]"
        )
    return "\n".join(lines)
