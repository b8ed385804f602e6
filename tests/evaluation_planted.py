"""A planted catalog whose right answers are known, shared by the evaluation tests.

Four tight clusters in sound, one TidyTuesday playlist each, labelled Kaggle tracks near each
cluster and scattered Hit Predictor noise: the right continuation of a playlist is obvious.
"""

from __future__ import annotations

import functools

import numpy as np

from recommender.domain import Catalog
from recommender.engine.model import TrackModel, train
from recommender.evaluation.protocol import TrackTable
from tests import factories

CLUSTERS = 4
PLAYLIST_SIZE = 24
KAGGLE_PER_CLUSTER = 12


@functools.cache
def planted_catalog() -> Catalog:
    """Four tight clusters in sound, one TidyTuesday playlist each, plus labelled Kaggle tracks.

    The right continuation of a playlist is obvious: the rest of its own cluster.
    """
    rng = np.random.default_rng(0)
    rows, playlists = [], []
    for cluster in range(CLUSTERS):
        energy, valence = 0.15 + 0.7 * (cluster % 2), 0.15 + 0.7 * (cluster // 2)
        for j in range(PLAYLIST_SIZE + KAGGLE_PER_CLUSTER):
            kaggle = j >= PLAYLIST_SIZE
            rows.append(
                {
                    "name": f"Song {cluster}-{j}",
                    "artists": [f"Artist {cluster}-{j % 8}"],
                    "energy": energy + rng.normal(0, 0.02),
                    "valence": valence + rng.normal(0, 0.02),
                    # Kaggle tracks sit a little apart: near the cluster, off the playlist.
                    "danceability": 0.2 + 0.2 * cluster + 0.08 * kaggle + rng.normal(0, 0.01),
                    "popularity": int(rng.integers(0, 100)),
                    "genres": [f"genre{cluster}"],
                    "sources": ["kaggle"] if kaggle else ["tidytuesday"],
                }
            )
    for n in range(60):  # scattered tracks that belong to no playlist
        rows.append(
            {
                "name": f"Noise {n}",
                "artists": [f"Noise artist {n}"],
                "energy": rng.uniform(0, 1),
                "valence": rng.uniform(0, 1),
                "danceability": rng.uniform(0, 1),
                "sources": ["hit_predictor"],
                "genres": None,
                "popularity": None,
            }
        )
    tracks = factories.make_tracks(rows)
    ids = tracks["track_id"].to_list()
    per_cluster = PLAYLIST_SIZE + KAGGLE_PER_CLUSTER
    for cluster in range(CLUSTERS):
        for j in range(PLAYLIST_SIZE):
            playlists.append(_member(ids[cluster * per_cluster + j], f"P{cluster}"))
    playlists += [_member(ids[j], "tiny") for j in range(5)]  # too small to evaluate
    return factories.make_catalog(rows, playlists)


def _member(track_id: str, playlist_id: str) -> dict[str, str]:
    return {
        "track_id": track_id,
        "playlist_id": f"{playlist_id:0>22}",
        "playlist_name": playlist_id,
        "playlist_genre": "pop",
        "playlist_subgenre": "dance pop",
    }


class CentroidSystem:
    """A plain nearest-to-the-seeds'-centre ranking; ``reverse`` makes it a broken one."""

    def __init__(self, table: TrackTable, *, name: str, reverse: bool = False) -> None:
        self.name = name
        self._table = table
        self._reverse = reverse

    def recommend(self, seeds, *, k, skip):
        rows = self._table.rows(seeds)
        centre = self._table.profile[rows].mean(axis=0)
        distance = ((self._table.profile - centre) ** 2).sum(axis=1)
        order = np.argsort(-distance if self._reverse else distance, kind="stable")
        excluded = set(seeds) | skip
        ranked = [str(self._table.ids[i]) for i in order if self._table.ids[i] not in excluded]
        return ranked[:k]


@functools.cache
def planted_model() -> TrackModel:
    """The engine's model of the planted catalog (trained once per test session)."""
    return train(planted_catalog())
