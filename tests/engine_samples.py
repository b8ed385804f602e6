"""Small engine fixtures shared by the engine's test modules (no test imports another)."""

from __future__ import annotations

from recommender.domain import Catalog
from recommender.engine.model import TrackModel, train
from tests.factories import make_catalog


def tiny_catalog_and_model() -> tuple[Catalog, TrackModel]:
    """Six tracks whose nearest neighbours a reader can work out by hand."""
    rows = [
        {"name": "Seed", "artists": ["Ann"], "energy": 0.90, "valence": 0.80, "genres": ["rock"]},
        {"name": "Twin", "artists": ["Bob"], "energy": 0.88, "valence": 0.80, "genres": ["rock"]},
        {"name": "Cousin", "artists": ["Cat"], "energy": 0.70, "valence": 0.60, "genres": ["rock"]},
        {
            "name": "Opposite",
            "artists": ["Dan"],
            "energy": 0.05,
            "valence": 0.05,
            "genres": ["jazz"],
        },
        {"name": "Middle", "artists": ["Eve"], "energy": 0.50, "valence": 0.40, "genres": ["pop"]},
        {"name": "Quiet", "artists": ["Fay"], "energy": 0.20, "valence": 0.30, "genres": ["folk"]},
    ]
    catalog = make_catalog(rows)
    return catalog, train(catalog)
