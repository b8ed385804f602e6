"""Tuning: a coordinate search of the weights on the tuning half of the playlists.

:func:`run_tuning` is the ``tune`` command's core; it never looks at the held-out half while
searching, and scores the winner on both halves afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, get_args

import numpy as np

from recommender.domain import PROFILE_FEATURES, Catalog
from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    WEIGHT_NAMES,
    format_weights,
)
from recommender.engine.model import TrackModel
from recommender.evaluation import metrics
from recommender.evaluation.list_figures import (
    RECALL,
    distinct_artists,
    playlist_scores,
    source_mix,
)
from recommender.evaluation.protocol import (
    DEFAULT_RANDOM_STATE,
    HIT_PREDICTOR,
    KAGGLE,
    LIST_LENGTH,
    TIDYTUESDAY,
    PlaylistCase,
    TrackTable,
    halves,
    not_tidytuesday,
    only_source,
    sample,
)
from recommender.evaluation.results import (
    CandidatePool,
    Comparison,
    HalfFigures,
    TuningResult,
    TuningRow,
)
from recommender.evaluation.scoring import MIN_DISTINCT_ARTISTS, SOURCE_SPECIFIC
from recommender.evaluation.systems import (
    ORIGINAL,
    OURS,
    EngineSystem,
    System,
    original_design_weights,
    run_system,
)

SystemFactory = Callable[[Mapping[str, float]], System]
# What a search maximises, from the cases and the lists it got (higher is better).
Objective = Callable[[Sequence[PlaylistCase], Sequence[Sequence[str]]], float]
TUNING_GRID: Final = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
# The weights most likely to matter go first, so a short budget is spent on them.
SEARCH_ORDER: Final = (
    "artist",
    "genre",
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
# "Sounds like" is the product: the search may lower but never switch off what the radar shows.
SOUND_FLOOR: Final = 0.5


@dataclass(frozen=True, slots=True)
class Trial:
    """One weight setting tried on the tuning playlists."""

    weights: dict[str, float]
    recall: float
    distinct_artists: float
    # Keeps the search's minimum of distinct artists per ten and of recall@50.
    admissible: bool
    score: float  # the objective (recall@50 unless the search was given another)


def score_trial(
    make_system: SystemFactory,
    weights: Mapping[str, float],
    cases: Sequence[PlaylistCase],
    table: TrackTable,
    skip: frozenset[str],
    limits: tuple[float, float],
    objective: Objective | None,
) -> Trial:
    """Run ``weights`` over ``cases`` and score the lists against ``limits``."""
    min_artists, min_recall = limits
    system = make_system(dict(weights))
    lists = run_system(system, [case.seeds for case in cases], k=LIST_LENGTH, skip=skip)
    recall = float(playlist_scores(cases, lists)[RECALL].mean())
    artists = distinct_artists(lists, table)
    return Trial(
        weights=dict(weights),
        recall=recall,
        distinct_artists=artists,
        admissible=artists >= min_artists and recall >= min_recall,
        score=recall if objective is None else objective(cases, lists),
    )


def _better(candidate: Trial, best: Trial) -> bool:
    if candidate.admissible != best.admissible:
        return candidate.admissible
    if not candidate.admissible:
        # Neither keeps the limits: the one nearer the recall floor leads towards them.
        return candidate.recall > best.recall + 1e-9
    return candidate.score > best.score + 1e-9


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
    min_artists: float = MIN_DISTINCT_ARTISTS,
    min_recall: float = 0.0,
    objective: Objective | None = None,
) -> tuple[Trial, list[Trial]]:
    """Coordinate search: one weight at a time over ``grid``, keeping a change that helps.

    The objective is mean recall@50 on ``cases`` (candidates minus ``skip``), or
    ``objective`` when given, among settings that keep at least ``min_artists`` distinct
    artists per ten and a mean recall@50 of at least ``min_recall``; while no setting keeps
    them, higher recall leads. A weight never goes below its entry in ``floors``. Passes repeat
    until a pass changes nothing or ``clock()`` passes ``deadline`` (the search then stops
    after the current trial).

    Returns:
        The best trial and every trial in the order tried.
    """
    limits = (min_artists, min_recall)
    best = score_trial(make_system, start, cases, table, skip, limits, objective)
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
                trial = score_trial(
                    make_system,
                    {**best.weights, name: value},
                    cases,
                    table,
                    skip,
                    limits,
                    objective,
                )
                history.append(trial)
                if _better(trial, best):
                    best, improved = trial, True
    return best, history


def _half_figures(
    system: System, cases: Sequence[PlaylistCase], table: TrackTable, skip: frozenset[str]
) -> tuple[HalfFigures, np.ndarray]:
    lists = run_system(system, [case.seeds for case in cases], k=LIST_LENGTH, skip=skip)
    recall = playlist_scores(cases, lists)[RECALL]
    figures = HalfFigures(
        recall=float(recall.mean()), distinct_artists_per_10=distinct_artists(lists, table)
    )
    return figures, recall


def run_tuning(
    catalog: Catalog,
    model: TrackModel,
    *,
    budget_seconds: float,
    random_state: int = DEFAULT_RANDOM_STATE,
    clock: Callable[[], float] = time.monotonic,
    resamples: int = metrics.DEFAULT_RESAMPLES,
) -> TuningResult:
    """Coordinate-search the weights on the tuning half; report tuning and held-out halves.

    ``catalog`` should be ``leak_free_genres`` of the shipped catalog (``model`` trained on
    it), so the genre weight is searched too without reading the playlists' own labels. The
    search scores up to 120 playlists of the tuning half with candidates limited to
    TidyTuesday tracks, with the engine's default artist rule, keeps at least eight distinct
    artists per ten and every radar feature at ``SOUND_FLOOR`` or more. The original design,
    the current defaults and the winner are then scored on both halves, with all candidates
    and with TidyTuesday candidates, plus paired-bootstrap recall@50 differences on the
    held-out half. ``budget_seconds`` bounds the search only.
    """
    table = TrackTable.from_catalog(catalog)
    tuning_half, held_out_half = halves(catalog, random_state=random_state)
    search_cases = sample(tuning_half, TUNING_PLAYLISTS, random_state=random_state, salt="tune")
    tidy_only = not_tidytuesday(table)

    def make(weights: Mapping[str, float]) -> EngineSystem:
        return EngineSystem("candidate", model, catalog, dict(weights))

    start = dict(DEFAULT_WEIGHTS)
    best, history = coordinate_search(
        make,
        start,
        names=sorted(WEIGHT_NAMES, key=SEARCH_ORDER.index),
        cases=search_cases,
        table=table,
        deadline=clock() + budget_seconds,
        clock=clock,
        floors=dict.fromkeys(PROFILE_FEATURES, SOUND_FLOOR),
        skip=tidy_only,
    )
    systems: dict[str, System] = {
        ORIGINAL: EngineSystem(
            ORIGINAL,
            model,
            catalog,
            original_design_weights(catalog),
            per_seed=1,
            artists_per_block=None,
            seed_artists_per_block=None,
            one_recording=False,
        ),
        OURS: make(start),
        "tuned": make(best.weights),
    }
    skips: dict[CandidatePool, frozenset[str]] = {"all": frozenset(), "tidytuesday_only": tidy_only}
    rows = []
    held_out_recall: dict[tuple[str, CandidatePool], np.ndarray] = {}
    for name, system in systems.items():
        figures: dict[CandidatePool, tuple[HalfFigures, HalfFigures]] = {}
        for pool in get_args(CandidatePool):
            on_tuning, _ = _half_figures(system, tuning_half, table, skips[pool])
            on_held_out, held_out_recall[name, pool] = _half_figures(
                system, held_out_half, table, skips[pool]
            )
            figures[pool] = (on_tuning, on_held_out)
        rows.append(
            TuningRow(
                name=name,
                tuning_half_all=figures["all"][0],
                held_out_half_all=figures["all"][1],
                tuning_half_tidytuesday_only=figures["tidytuesday_only"][0],
                held_out_half_tidytuesday_only=figures["tidytuesday_only"][1],
            )
        )
    comparisons = []
    for pool in get_args(CandidatePool):
        for first, second in (("tuned", OURS), ("tuned", ORIGINAL), (OURS, ORIGINAL)):
            diff = metrics.paired_bootstrap_difference(
                held_out_recall[first, pool],
                held_out_recall[second, pool],
                random_state=random_state,
                resamples=resamples,
            )
            comparisons.append(
                Comparison(
                    system=first,
                    baseline=second,
                    subset=f"held-out half, {pool} candidates",
                    metric=RECALL,
                    mean=diff.mean,
                    low=diff.low,
                    high=diff.high,
                    excludes_zero=diff.excludes_zero(),
                )
            )
    return TuningResult(
        random_state=random_state,
        budget_seconds=budget_seconds,
        trials=len(history),
        search_playlists=len(search_cases),
        tuning_playlists=len(tuning_half),
        held_out_playlists=len(held_out_half),
        best_weights=best.weights,
        best_weights_text=format_weights(best.weights),
        rows=tuple(rows),
        comparisons=tuple(comparisons),
    )


# The fields only some sources have, swept against the source mix (the rest stays as shipped).
SOURCE_SWEEP: Final = (
    {"year": 1.0, "genre": 0.75},
    {"year": 1.0, "genre": 0.5},
    {"year": 0.75, "genre": 0.5},
    {"year": 0.5, "genre": 0.75},
    {"year": 0.5, "genre": 0.5},
    {"year": 0.5, "genre": 0.25},
    {"year": 0.25, "genre": 0.5},
)
SWEEP_PLAYLISTS: Final = 40
SWEEP_SEEDS: Final = 100
MAX_SOURCE_GAP: Final = 0.10


@dataclass(frozen=True, slots=True)
class SweepPoint:
    """One setting of the source-specific weights, on the tuning half only."""

    changes: dict[str, float]
    recall: float  # TidyTuesday-only candidates, tuning-half sample
    distinct_artists: float
    source_gap: float  # largest |share shipped - share common fields|, any seed source


def sweep_source_weights(
    catalog: Catalog,
    model: TrackModel,
    *,
    random_state: int = DEFAULT_RANDOM_STATE,
    grid: Sequence[Mapping[str, float]] = SOURCE_SWEEP,
) -> list[SweepPoint]:
    """Recall, artists per 10 and the source-mix gap for each setting of ``grid``.

    Everything is measured on the tuning half (40 playlists) and on 100 Kaggle-only and 100
    Hit-Predictor-only seeds drawn apart from the evaluation's; ``catalog`` should be
    ``leak_free_genres`` of the shipped one. Pick the best recall whose gap stays under
    ``MAX_SOURCE_GAP`` and whose lists keep 8 artists per 10.
    """
    table = TrackTable.from_catalog(catalog)
    tuning_half, _ = halves(catalog, random_state=random_state)
    cases = sample(tuning_half, SWEEP_PLAYLISTS, random_state=random_state, salt="sweep")
    tidy_only = not_tidytuesday(table)
    groups: dict[str, list[tuple[str, ...]]] = {TIDYTUESDAY: [case.seeds for case in cases]}
    for source in (KAGGLE, HIT_PREDICTOR):
        rows = sample(
            only_source(table, source),
            SWEEP_SEEDS,
            random_state=random_state,
            salt=f"sweep-{source}",
        )
        groups[source] = [(str(table.ids[row]),) for row in rows]

    def mixes(weights: Mapping[str, float]) -> dict[str, dict[str, float]]:
        system = EngineSystem("sweep", model, catalog, dict(weights))
        return {name: source_mix(system, seeds, table) for name, seeds in groups.items()}

    common = mixes({**DEFAULT_WEIGHTS, **dict.fromkeys(SOURCE_SPECIFIC, 0.0)})
    points = []
    for changes in grid:
        weights = {**DEFAULT_WEIGHTS, **changes}
        mix = mixes(weights)
        figures, _ = _half_figures(
            EngineSystem("sweep", model, catalog, weights), cases, table, tidy_only
        )
        gap = max(abs(mix[g][s] - common[g][s]) for g in mix for s in mix[g])
        points.append(
            SweepPoint(
                changes=dict(changes),
                recall=figures.recall,
                distinct_artists=figures.distinct_artists_per_10,
                source_gap=gap,
            )
        )
    return points


# The held-out half is another sample of playlists: a preset that only just clears 3x "most
# popular" on the tuning half can miss it there, so the search asks for half as much again.
