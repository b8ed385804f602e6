"""The 5-seed task: a listener brings a handful of tracks, not half a playlist.

From each held-out playlist, ``SEEDS`` tracks are drawn at random (seeded by the random state
and the playlist's id, so a subset of playlists never changes another's draw) and the rest are
hidden. Every system answers the same seeds; the figures are recall@50 (all candidates and
TidyTuesday-only), new-artist recall@50, the share of each list by a seed's artist and each
source's share of each list, all with bootstrap intervals over playlists. As on the
half-playlist task, the shipped weights with every source-specific field at 0 give the source
mix's reference: a large gap means a field only some sources have is picking the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from recommender.evaluation import metrics
from recommender.evaluation.list_figures import RECALL, new_artist_recall, playlist_scores
from recommender.evaluation.protocol import (
    LIST_LENGTH,
    SOURCES,
    EvaluationInputs,
    PlaylistCase,
    TrackTable,
    stable_seed,
)
from recommender.evaluation.results import FiveSeedRow, FiveSeedTask
from recommender.evaluation.systems import Contender, System, run_system

SEEDS: Final = 5


def five_seed_cases(cases: Sequence[PlaylistCase], *, random_state: int) -> list[PlaylistCase]:
    """``SEEDS`` random tracks of each playlist as seeds, every other track hidden.

    A playlist of ``SEEDS`` tracks or fewer would hide nothing, so it is left out.
    """
    found = []
    for case in cases:
        tracks = sorted({*case.seeds, *case.hidden})
        if len(tracks) <= SEEDS:
            continue
        rng = np.random.default_rng([random_state, stable_seed("five seeds", case.playlist_id)])
        picked = {int(i) for i in rng.choice(len(tracks), size=SEEDS, replace=False)}
        found.append(
            PlaylistCase(
                playlist_id=case.playlist_id,
                seeds=tuple(t for i, t in enumerate(tracks) if i in picked),
                hidden=frozenset(t for i, t in enumerate(tracks) if i not in picked),
            )
        )
    return found


def seed_artist_shares(
    cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]], table: TrackTable
) -> np.ndarray:
    """Per non-empty list: the share of its tracks that credit one of its seeds' artists."""
    shares = []
    for case, ranked in zip(cases, lists, strict=True):
        if not ranked:
            continue
        seed_artists = table.seed_artists(case.seeds)
        rows = table.rows(ranked)
        by_them = sum(not table.names[row].isdisjoint(seed_artists) for row in rows)
        shares.append(by_them / len(rows))
    return np.array(shares)


def source_shares(lists: Sequence[Sequence[str]], table: TrackTable) -> dict[str, np.ndarray]:
    """Per non-empty list, each source's share of its tracks (a track counts for each source)."""
    rows = [table.rows(ranked) for ranked in lists if ranked]
    return {
        source: np.array(
            [sum(source in table.sources[r] for r in found) / len(found) for found in rows]
        )
        for source in SOURCES
    }


def _intervals(values: dict[str, np.ndarray], **bootstrap: int) -> dict[str, metrics.Interval]:
    return {
        name: metrics.bootstrap_interval(v if v.size else [0.0], **bootstrap)
        for name, v in values.items()
    }


def _row(
    system: System, cases: Sequence[PlaylistCase], inputs: EvaluationInputs, **bootstrap: int
) -> FiveSeedRow:
    seeds = [case.seeds for case in cases]
    lists = run_system(system, seeds, k=LIST_LENGTH, skip=frozenset())
    tidytuesday_lists = run_system(system, seeds, k=LIST_LENGTH, skip=inputs.tidytuesday_skip)
    fresh = new_artist_recall(cases, lists, inputs.table)
    by_seed_artist = seed_artist_shares(cases, lists, inputs.table)
    return FiveSeedRow(
        name=system.name,
        recall=metrics.bootstrap_interval(playlist_scores(cases, lists)[RECALL], **bootstrap),
        tidytuesday_only_recall=metrics.bootstrap_interval(
            playlist_scores(cases, tidytuesday_lists)[RECALL], **bootstrap
        ),
        new_artists=metrics.bootstrap_interval(fresh if fresh.size else [0.0], **bootstrap),
        seed_artist_share=metrics.bootstrap_interval(
            by_seed_artist if by_seed_artist.size else [0.0], **bootstrap
        ),
        source_shares=_intervals(source_shares(lists, inputs.table), **bootstrap),
    )


def five_seed_task(
    contenders: Sequence[Contender],
    inputs: EvaluationInputs,
    *,
    common: System | None,
    random_state: int,
    resamples: int,
) -> FiveSeedTask | None:
    """Every contender on the 5-seed cases of the held-out playlists; None without any case.

    ``common`` is the shipped system with every source-specific field at 0 (None when the
    shipped system is not among the contenders): its source shares are the reference the
    largest gap is measured against.
    """
    cases = five_seed_cases(inputs.cases, random_state=random_state)
    if not cases:
        return None
    bootstrap = {"random_state": random_state, "resamples": resamples}
    rows = tuple(_row(c.system, cases, inputs, **bootstrap) for c in contenders)
    reference = _row(common, cases, inputs, **bootstrap) if common is not None else None
    return FiveSeedTask(
        seeds=SEEDS,
        playlists=len(cases),
        new_artist_playlists=int(new_artist_recall(cases, [[] for _ in cases], inputs.table).size),
        systems=rows,
        common_fields=reference,
    )
