"""The evaluated systems: list checks, the default contenders, the original design's weights."""

from __future__ import annotations

import pytest

from recommender.evaluation import systems
from recommender.evaluation.protocol import TrackTable
from recommender.evaluation.scoring import check_no_label_leak
from tests.evaluation_planted import planted_catalog, planted_model


class _ReturnsSeeds:
    name = "cheat"

    def recommend(self, seeds, *, k, skip):
        return list(seeds)[:k]


def test_a_list_containing_a_seed_is_an_error_not_a_hit():
    with pytest.raises(ValueError, match="'cheat' returned one of its own seeds"):
        systems.run_system(_ReturnsSeeds(), [("a", "b")], k=5, skip=frozenset())


def test_every_default_system_has_the_genre_weight_off():
    planted = planted_catalog()
    table = TrackTable.from_catalog(planted)
    contenders = systems.default_contenders(planted, planted_model(), table, random_state=1)
    names = [contender.system.name for contender in contenders]
    assert names[:4] == [
        "random",
        "most popular",
        "original design",
        "original design (plain numpy)",
    ]
    assert "our defaults" in names
    assert sum(name.startswith("preset: ") for name in names) >= 3
    engine_systems = [c.system for c in contenders if isinstance(c.system, systems.EngineSystem)]
    engine_systems += [c.genre_system for c in contenders if c.genre_system is not None]
    assert len(engine_systems) >= 10
    assert all(system.weights["genre"] == 0.0 for system in engine_systems)
    check_no_label_leak(contenders)


def test_original_design_weights_undo_the_scaling_of_unit_features():
    planted = planted_catalog()
    weights = systems.original_design_weights(planted)
    energy = planted.tracks["energy"]
    assert weights["energy"] == pytest.approx(energy.std(ddof=0), abs=1e-3)
    assert weights["loudness"] == weights["popularity"] == weights["artist"] == 1.0
    assert weights["genre"] == weights["year"] == 0.0
