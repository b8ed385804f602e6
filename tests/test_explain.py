"""Explanations: per-weight shares, the similarity scale and the reasons line."""

import pytest

from recommender.engine.explain import similarity_of, top_reasons
from recommender.engine.features import WeightVector
from recommender.engine.recommend import RecommendOptions, recommend
from tests.engine_samples import tiny_catalog_and_model as _tiny
from tests.factories import track_id


def test_explanations_are_shares_and_similarity_is_monotone():
    catalog, model = _tiny()
    results = recommend(model, catalog, [track_id(0)], options=RecommendOptions(per_seed=5))
    for r in results:
        assert sum(r.contributions.values()) == pytest.approx(1.0)
        assert all(share >= 0 for share in r.contributions.values())
        assert 0 <= r.similarity <= 100
    similarities = [r.similarity for r in results]
    assert similarities == sorted(similarities, reverse=True)
    assert similarity_of(0.0, WeightVector.of(None)) == 100.0
    # The biggest difference between Seed and Opposite is energy/valence, not key or mode.
    opposite = next(r for r in results if r.track_id == track_id(3))
    assert max(opposite.contributions, key=opposite.contributions.get) in {"energy", "valence"}


def test_top_reasons_names_closest_and_furthest():
    text = top_reasons({"energy": 0.05, "valence": 0.15, "tempo": 0.8, "time_signature": 0.0})
    assert text == "close on time signature, energy; furthest on tempo"
    assert top_reasons({}) == ""
