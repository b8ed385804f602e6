"""The label-dropout check: does a genre label pull the list toward the source that has it?

Kaggle's genre labels are hidden (Kaggle becomes an unlabelled source, as Hit Predictor and
the 1.2M set are), each checked system is retrained on that catalog with its own genre mode,
and Kaggle's share of the recommendations for the held-out playlists' TidyTuesday seeds is
compared with its share when the labels are there, on both tasks. A system whose genres
describe the sound keeps Kaggle's share within ``results.DROPOUT_LIMIT``; one whose labels mark the
dataset loses Kaggle's tracks when the labels go.

On the leak-free catalog of the playlist tasks the TidyTuesday labels are already gone
(``leak_free_genres``), so hiding Kaggle's leaves no observed label at all: the check then
compares the system's genres with no genre signal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from recommender.domain import Catalog
from recommender.engine.genre_signal import GENRES
from recommender.engine.model import train
from recommender.evaluation.five_seeds import five_seed_cases, source_shares
from recommender.evaluation.protocol import KAGGLE, LIST_LENGTH, EvaluationInputs, PlaylistCase
from recommender.evaluation.results import LabelDropout
from recommender.evaluation.systems import EngineSystem, run_system

HALF_PLAYLIST: Final = "half playlist"
FIVE_SEEDS: Final = "5 seeds"
UNLABELLED: Final = "kaggle-unlabelled:"


def without_labels(catalog: Catalog, *, source: str = KAGGLE) -> Catalog:
    """``catalog`` with no genre on any track that ``source`` provides.

    The fingerprint is prefixed, so a model of the labelled catalog is never taken for this
    one, and keeps its suffix (``leak_free`` still reads it).
    """
    tracks = catalog.tracks.with_columns(
        pl.when(pl.col("sources").list.contains(source))
        .then(pl.lit([], dtype=catalog.tracks.schema["genres"]))
        .otherwise(pl.col("genres"))
        .alias("genres")
    )
    return Catalog(
        tracks=tracks, playlists=catalog.playlists, fingerprint=UNLABELLED + catalog.fingerprint
    )


def _share(system: EngineSystem, cases: Sequence[PlaylistCase], inputs: EvaluationInputs) -> float:
    """Mean over lists of the unlabelled source's share of each list (all candidates)."""
    lists = run_system(system, [c.seeds for c in cases], k=LIST_LENGTH, skip=frozenset())
    shares = source_shares(lists, inputs.table)[KAGGLE]
    return float(np.mean(shares)) if shares.size else 0.0


def label_dropout_check(
    systems: Sequence[EngineSystem], inputs: EvaluationInputs, *, random_state: int
) -> tuple[LabelDropout, ...]:
    """Kaggle's share with and without its labels, for each system on both tasks.

    Every system in ``systems`` must be over the same catalog; each is retrained on
    ``without_labels`` of it in its model's genre mode (``schema["genres"]``).
    """
    if not systems or not inputs.cases:
        return ()
    unlabelled = without_labels(systems[0].catalog)
    tasks = {
        HALF_PLAYLIST: list(inputs.cases),
        FIVE_SEEDS: five_seed_cases(inputs.cases, random_state=random_state),
    }
    found = []
    models = {}
    for system in systems:
        mode = system.model.schema.get("genres", GENRES)
        if mode not in models:
            models[mode] = train(unlabelled, now=system.model.trained_at, genres=mode)
        blind = system.over_pool(unlabelled, models[mode])
        for task, cases in tasks.items():
            if not cases:
                continue
            found.append(
                LabelDropout(
                    system=system.name,
                    task=task,
                    source=KAGGLE,
                    seed_lists=len(cases),
                    with_labels=_share(system, cases, inputs),
                    without_labels=_share(blind, cases, inputs),
                )
            )
    return tuple(found)
