"""The presets' own aims as per-list figures: how close a list's mood and sound sit to its seeds.

Both read only the evaluation's ``TrackTable`` (raw valence and energy, z-scored radar
features), never a system's weights, so no preset can score well by weighting what is read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.evaluation.protocol import TrackTable


def mood_gap(
    seed_lists: Sequence[Sequence[str]], lists: Sequence[Sequence[str]], table: TrackTable
) -> np.ndarray:
    """Per non-empty list: how far its mood sits from the seeds' (0-1; lower is closer).

    The mean, over the list's tracks and over valence and energy, of the absolute difference
    from the seeds' mean value. Unknown values are left out of both means.
    """
    if len(table.mood) != len(table.ids):
        msg = f"TrackTable.mood has {len(table.mood)} rows for {len(table.ids)} tracks"
        raise ValueError(msg)
    values = []
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        seed_mood = table.mood[table.rows(seeds)]
        picked = table.mood[table.rows(ranked)]
        if not len(picked) or np.isnan(seed_mood).all(axis=0).any():
            continue
        gaps = np.abs(picked - np.nanmean(seed_mood, axis=0))
        if not np.isnan(gaps).all():
            values.append(float(np.nanmean(gaps)))
    return np.array(values)


def sound_distance(
    seed_lists: Sequence[Sequence[str]], lists: Sequence[Sequence[str]], table: TrackTable
) -> np.ndarray:
    """Per non-empty list: how far each track sounds from its nearest seed (lower is closer).

    The distance is over the nine radar features z-scored over the catalog, each weighing
    the same (whatever weights the system used), as the root mean square difference per
    feature: in standard deviations. The figure is the mean over the list.
    """
    values = []
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        picked = table.profile[table.rows(ranked)]
        if not len(picked):
            continue
        seed_profile = table.profile[table.rows(seeds)]
        squared = ((picked[:, None, :] - seed_profile[None, :, :]) ** 2).mean(axis=2)
        values.append(float(np.sqrt(squared.min(axis=1)).mean()))
    return np.array(values)
