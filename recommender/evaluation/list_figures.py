"""Figures of one system's lists: per-playlist ranking metrics, artists, checks, source shares.

Both playlist tasks (half a playlist as seeds, and five seeds) read their lists through these
functions, so a figure means the same on each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np

from recommender.evaluation import metrics
from recommender.evaluation.protocol import (
    FIRST_PAGE,
    LIST_LENGTH,
    SOURCES,
    PlaylistCase,
    TrackTable,
)
from recommender.evaluation.results import BeyondAccuracy, ListChecks
from recommender.evaluation.systems import System, run_system

MIN_BLOCK_ARTISTS: Final = 8
RECALL: Final = f"recall@{LIST_LENGTH}"
PRECISION: Final = f"precision@{FIRST_PAGE}"
NDCG: Final = f"ndcg@{LIST_LENGTH}"
R_PRECISION: Final = "r_precision"


def playlist_scores(
    cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]], *, k: int = LIST_LENGTH
) -> dict[str, np.ndarray]:
    """Per-playlist recall@k, precision@10, NDCG@k and R-precision, in case order."""
    pairs = list(zip(cases, lists, strict=True))
    return {
        f"recall@{k}": np.array([metrics.recall_at_k(r, c.hidden, k) for c, r in pairs]),
        PRECISION: np.array([metrics.precision_at_k(r, c.hidden, FIRST_PAGE) for c, r in pairs]),
        f"ndcg@{k}": np.array([metrics.ndcg_at_k(r, c.hidden, k) for c, r in pairs]),
        R_PRECISION: np.array([metrics.r_precision(r, c.hidden) for c, r in pairs]),
    }


def distinct_artists(lists: Sequence[Sequence[str]], table: TrackTable) -> float:
    """Mean number of distinct primary artists among the first 10 of each list."""
    return float(
        np.mean(
            [
                metrics.distinct_per([table.artist[i] for i in table.rows(r)], n=FIRST_PAGE)
                for r in lists
            ]
        )
    )


def beyond_accuracy(
    seed_lists: Sequence[Sequence[str]],
    lists: Sequence[Sequence[str]],
    table: TrackTable,
    *,
    k: int = LIST_LENGTH,
) -> BeyondAccuracy:
    """Distinct artists per 10, intra-list diversity, coverage, popularity bias, short lists."""
    diversity, bias = [], []
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        rows = table.rows(ranked)
        diversity.append(metrics.intra_list_diversity(table.profile[rows]))
        bias.append(
            metrics.popularity_bias(table.popularity_of(ranked), table.popularity_of(seeds))
        )
    known_bias = [value for value in bias if not math.isnan(value)]
    return BeyondAccuracy(
        distinct_artists_per_10=distinct_artists(lists, table),
        intra_list_diversity=float(np.mean(diversity)),
        coverage=metrics.coverage(lists, catalog_size=len(table.ids)),
        popularity_bias=float(np.mean(known_bias)) if known_bias else math.nan,
        short_lists=sum(1 for ranked in lists if len(ranked) < k),
    )


def new_artist_recall(
    cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]], table: TrackTable
) -> np.ndarray:
    """Per playlist with any: recall@50 of the hidden tracks by none of the seeds' artists."""
    values = []
    for case, ranked in zip(cases, lists, strict=True):
        seed_artists = table.seed_artists(case.seeds)
        fresh = {h for h in case.hidden if table.names[table.position[h]].isdisjoint(seed_artists)}
        if fresh:
            values.append(metrics.recall_at_k(ranked, fresh, LIST_LENGTH))
    return np.array(values)


def list_checks(
    seed_lists: Sequence[Sequence[str]], lists: Sequence[Sequence[str]], table: TrackTable
) -> ListChecks:
    """Count full blocks of 10 under 8 distinct primary artists, and tracks by a seed's artist."""
    blocks = below = by_seed_artist = 0
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        rows = table.rows(ranked)
        seed_artists = table.seed_artists(seeds)
        by_seed_artist += sum(1 for row in rows if not table.names[row].isdisjoint(seed_artists))
        for start in range(0, len(rows) - FIRST_PAGE + 1, FIRST_PAGE):
            blocks += 1
            artists = {table.artist[row] for row in rows[start : start + FIRST_PAGE]}
            below += len(artists) < MIN_BLOCK_ARTISTS
    return ListChecks(
        lists=len(lists),
        blocks=blocks,
        blocks_below_8_artists=below,
        seed_artist_tracks=by_seed_artist,
    )


def source_mix(
    system: System, seed_lists: Sequence[Sequence[str]], table: TrackTable
) -> dict[str, float]:
    """Each source's share of all the tracks ``system`` returns for ``seed_lists`` (0-1).

    A track in several sources counts for each, so shares can add up to more than 1.
    """
    lists = run_system(system, seed_lists, k=LIST_LENGTH, skip=frozenset())
    rows = [row for ranked in lists for row in table.rows(ranked)]
    return {
        source: sum(1 for row in rows if source in table.sources[row]) / max(len(rows), 1)
        for source in SOURCES
    }


def catalog_shares(table: TrackTable) -> dict[str, float]:
    """Each source's share of the catalog."""
    return {
        source: sum(1 for sources in table.sources if source in sources) / len(table.ids)
        for source in SOURCES
    }
