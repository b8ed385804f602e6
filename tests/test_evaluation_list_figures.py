"""Figures of one system's lists, on the planted catalog."""

from __future__ import annotations

from recommender.evaluation import list_figures
from recommender.evaluation.protocol import TrackTable
from tests.evaluation_planted import planted_catalog


def test_list_checks_count_crowded_blocks_and_seed_artists():
    table = TrackTable.from_catalog(planted_catalog())
    ids = table.all_ids()
    # Cluster 0's track j is by "Artist 0-{j % 8}"; cluster 1 starts at row 36.
    crowded = [ids[j] for j in (0, 8, 16, 24, 1, 2, 3, 4, 5, 6)]  # 7 artists, 4 by 0-0
    spread = ids[36:46]  # 8 artists
    checks = list_figures.list_checks([(ids[32],), (ids[0],)], [crowded, spread], table)
    assert (checks.lists, checks.blocks, checks.blocks_below_8_artists) == (2, 2, 1)
    assert checks.seed_artist_tracks == 4  # the seed ids[32] is by 0-0 too
