"""The genre signal's trial on the tuning half: each genre mode and weight, on both tasks.

An idea is kept only when it gains at least ``MIN_GAIN`` recall@50 on the tuning half; this is
where that is read. The shipped weights throughout; only the genre mode of the model
(``genre_signal``) and the genre weight change. Source shares are the mean share of a list
(as on the 5-seed task), and each task's gap is measured against the shipped weights with
every source-specific field at 0 (which no genre mode changes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from recommender.domain import Catalog
from recommender.engine.features import DEFAULT_WEIGHTS
from recommender.engine.genre_signal import GenreMode
from recommender.engine.model import TrackModel, train
from recommender.evaluation.five_seeds import five_seed_cases, source_shares
from recommender.evaluation.list_figures import RECALL, new_artist_recall, playlist_scores
from recommender.evaluation.protocol import (
    DEFAULT_RANDOM_STATE,
    LIST_LENGTH,
    TIDYTUESDAY,
    PlaylistCase,
    TrackTable,
    halves,
    not_tidytuesday,
)
from recommender.evaluation.scoring import SOURCE_SPECIFIC
from recommender.evaluation.systems import EngineSystem, run_system

MIN_GAIN: Final = 0.005
# (genre mode, genre weight): the shipped model first, so every other row reads against it.
TRIAL: Final[tuple[tuple[GenreMode, float], ...]] = (
    ("observed", DEFAULT_WEIGHTS["genre"]),
    ("filled", DEFAULT_WEIGHTS["genre"]),
    ("filled", 1.0),
)


@dataclass(frozen=True, slots=True)
class GenreTrialRow:
    """One genre mode and weight on one task of the tuning half."""

    genres: GenreMode
    genre_weight: float
    task: str  # "half playlist" or "5 seeds"
    playlists: int
    recall: float  # all candidates
    tidytuesday_only_recall: float
    new_artists: float
    tidytuesday_share: float  # mean share of a list (0-1)
    source_gap: float  # largest |share - common fields' share| over the sources (0-1)


def _shares(lists: Sequence[Sequence[str]], table: TrackTable) -> dict[str, float]:
    return {source: float(np.mean(v)) for source, v in source_shares(lists, table).items()}


def genre_trial(
    catalog: Catalog,
    model: TrackModel,
    *,
    random_state: int = DEFAULT_RANDOM_STATE,
    trial: Sequence[tuple[GenreMode, float]] = TRIAL,
    playlists: int | None = None,
) -> list[GenreTrialRow]:
    """Every ``trial`` setting on the tuning half's half-playlist and 5-seed tasks.

    ``catalog`` should be ``leak_free_genres`` of the shipped one and ``model`` trained on it
    (observed genres); ``playlists`` limits the tuning half to its first ones (tests).
    """
    table = TrackTable.from_catalog(catalog)
    tuning_half, _ = halves(catalog, random_state=random_state)
    tasks: Mapping[str, list[PlaylistCase]] = {
        "half playlist": tuning_half[:playlists],
        "5 seeds": five_seed_cases(tuning_half[:playlists], random_state=random_state),
    }
    tidy_only = not_tidytuesday(table)
    models: dict[GenreMode, TrackModel] = {"observed": model}
    common = EngineSystem(
        "common", model, catalog, {**DEFAULT_WEIGHTS, **dict.fromkeys(SOURCE_SPECIFIC, 0.0)}
    )
    reference = {
        task: _shares(
            run_system(common, [c.seeds for c in cases], k=LIST_LENGTH, skip=frozenset()), table
        )
        for task, cases in tasks.items()
    }
    rows = []
    for mode, weight in trial:
        if mode not in models:
            models[mode] = train(catalog, now=model.trained_at, genres=mode)
        system = EngineSystem("trial", models[mode], catalog, {**DEFAULT_WEIGHTS, "genre": weight})
        for task, cases in tasks.items():
            seeds = [c.seeds for c in cases]
            lists = run_system(system, seeds, k=LIST_LENGTH, skip=frozenset())
            tidy = run_system(system, seeds, k=LIST_LENGTH, skip=tidy_only)
            shares = _shares(lists, table)
            fresh = new_artist_recall(cases, lists, table)
            rows.append(
                GenreTrialRow(
                    genres=mode,
                    genre_weight=weight,
                    task=task,
                    playlists=len(cases),
                    recall=float(playlist_scores(cases, lists)[RECALL].mean()),
                    tidytuesday_only_recall=float(playlist_scores(cases, tidy)[RECALL].mean()),
                    new_artists=float(fresh.mean()) if fresh.size else 0.0,
                    tidytuesday_share=shares[TIDYTUESDAY],
                    source_gap=max(abs(shares[s] - reference[task][s]) for s in shares),
                )
            )
    return rows


def trial_table(rows: Sequence[GenreTrialRow]) -> str:
    """The rows as a Markdown table, with each row's recall gain over the task's first row."""
    shipped: dict[str, GenreTrialRow] = {}
    for row in rows:
        shipped.setdefault(row.task, row)
    lines = [
        "| genres | genre weight | task | playlists | R@50 | gain | TT-only R@50 | "
        "new-artist R@50 | % TidyTuesday | source gap (points) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        base = shipped.get(row.task)
        gain = f"{row.recall - base.recall:+.4f}" if base is not None else "-"
        lines.append(
            f"| {row.genres} | {row.genre_weight:g} | {row.task} | {row.playlists} | "
            f"{row.recall:.4f} | {gain} | {row.tidytuesday_only_recall:.4f} | "
            f"{row.new_artists:.4f} | {100 * row.tidytuesday_share:.1f} | "
            f"{100 * row.source_gap:.1f} |"
        )
    return "\n".join(lines)
