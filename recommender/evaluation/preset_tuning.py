"""``tune --preset``: search one preset's weights for its own aim, on the tuning half only.

The aims are ``aims.PRESET_AIMS``; the search is ``tuning.coordinate_search`` with a floor on
recall@50, so a preset cannot win its aim by giving up real playlist tracks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from recommender.domain import PROFILE_FEATURES, Catalog
from recommender.engine.features import (
    DEFAULT_WEIGHTS,
    DISCOVER_PRESETS,
    PRESETS,
    WEIGHT_NAMES,
    format_weights,
)
from recommender.engine.model import TrackModel
from recommender.evaluation.aim_measures import mood_gap, sound_distance
from recommender.evaluation.aims import POPULAR_FACTOR, PRESET_AIMS
from recommender.evaluation.list_figures import RECALL, new_artist_recall, playlist_scores
from recommender.evaluation.protocol import (
    DEFAULT_RANDOM_STATE,
    LIST_LENGTH,
    PlaylistCase,
    TrackTable,
    halves,
    sample,
)
from recommender.evaluation.scoring import MIN_DISTINCT_ARTISTS
from recommender.evaluation.systems import EngineSystem, PopularSystem, run_system
from recommender.evaluation.tuning import (
    SEARCH_ORDER,
    SOUND_FLOOR,
    TUNING_PLAYLISTS,
    Objective,
    Trial,
    coordinate_search,
    score_trial,
)

# The floor's margin over 3x "most popular" on the tuning half: "most popular" scores higher
# on the held-out half, and a margin of 1.5 left "Sound alike" at 2.7x there (decision 0007).
PRESET_FLOOR_MARGIN: Final = 2.0


@dataclass(frozen=True, slots=True)
class PresetTuning:
    """A preset's weights searched on its own aim, on the tuning half only."""

    preset: str
    aim: str
    playlists: int
    trials: int
    floor_recall: float  # PRESET_FLOOR_MARGIN x 3x "most popular" on these playlists (0: none)
    defaults: Trial  # the shipped defaults (with the preset's discover option), for reference
    start: Trial
    best: Trial

    def text(self) -> str:
        """The search's outcome in a few lines (what ``tune --preset`` prints)."""
        lines = [
            f"preset {self.preset!r}, aim: {self.aim} ({self.trials} trials, "
            f"{self.playlists} tuning-half playlists, all candidates)",
            f"recall@50 floor (3x most popular, x{PRESET_FLOOR_MARGIN:g} margin): "
            f"{self.floor_recall:.4f}",
        ]
        for label, row in (
            ("defaults", self.defaults),
            ("start", self.start),
            ("best", self.best),
        ):
            lines.append(
                f"{label}: aim score {row.score:+.4f} (higher is better), recall@50 "
                f"{row.recall:.4f}, artists/10 {row.distinct_artists:.2f}, "
                f"{'keeps' if row.admissible else 'misses'} the limits"
            )
        lines.append(f"best weights: {format_weights(self.best.weights)}")
        return "\n".join(lines)


def _aim_objective(metric: str, table: TrackTable) -> Objective:
    def objective(cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]]) -> float:
        seeds = [case.seeds for case in cases]
        if metric == "new_artists":
            return float(new_artist_recall(cases, lists, table).mean())
        if metric == "mood_gap":
            return -float(mood_gap(seeds, lists, table).mean())
        return -float(sound_distance(seeds, lists, table).mean())

    return objective


def tune_preset(
    catalog: Catalog,
    model: TrackModel,
    *,
    preset: str,
    budget_seconds: float,
    random_state: int = DEFAULT_RANDOM_STATE,
    clock: Callable[[], float] = time.monotonic,
) -> PresetTuning:
    """Coordinate-search one preset's weights for its own aim (``aims.PRESET_AIMS``).

    The search starts from the preset's current weights, scores 120 playlists of the tuning
    half with all candidates (the preset's criterion reads that pool), keeps 8 artists per 10,
    every radar feature at ``SOUND_FLOOR`` or more and, except for "Discover new artists"
    (whose own aim is a recall), a recall@50 of at least ``PRESET_FLOOR_MARGIN`` times 3x
    "most popular"'s on the same playlists. Lower-is-better aims are maximised as their negative.

    Raises:
        ValueError: when ``preset`` is not one of the engine's presets.
    """
    if preset not in PRESET_AIMS:
        msg = f"unknown preset {preset!r}; the presets are {', '.join(PRESET_AIMS)}"
        raise ValueError(msg)
    aim = PRESET_AIMS[preset]
    table = TrackTable.from_catalog(catalog)
    tuning_half, _ = halves(catalog, random_state=random_state)
    cases = sample(tuning_half, TUNING_PLAYLISTS, random_state=random_state, salt="tune")
    discover = preset in DISCOVER_PRESETS
    floor = 0.0
    if aim.metric != "new_artists":
        popular = run_system(
            PopularSystem(table), [case.seeds for case in cases], k=LIST_LENGTH, skip=frozenset()
        )
        floor = (
            PRESET_FLOOR_MARGIN
            * POPULAR_FACTOR
            * float(playlist_scores(cases, popular)[RECALL].mean())
        )

    def make(weights: Mapping[str, float]) -> EngineSystem:
        return EngineSystem("candidate", model, catalog, dict(weights), discover=discover)

    limits = (MIN_DISTINCT_ARTISTS, floor)
    objective = _aim_objective(aim.metric, table)
    defaults = score_trial(make, DEFAULT_WEIGHTS, cases, table, frozenset(), limits, objective)
    best, history = coordinate_search(
        make,
        dict(PRESETS[preset]),
        names=sorted(WEIGHT_NAMES, key=SEARCH_ORDER.index),
        cases=cases,
        table=table,
        deadline=clock() + budget_seconds,
        clock=clock,
        floors=dict.fromkeys(PROFILE_FEATURES, SOUND_FLOOR),
        min_recall=floor,
        objective=objective,
    )
    return PresetTuning(
        preset=preset,
        aim=aim.label,
        playlists=len(cases),
        trials=len(history),
        floor_recall=floor,
        defaults=defaults,
        start=history[0],
        best=best,
    )
