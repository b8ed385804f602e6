"""The evaluated systems: list checks, the default contenders, the original design's weights."""

from __future__ import annotations

import pytest

from recommender.engine.model import train
from recommender.evaluation import protocol, systems
from recommender.evaluation.protocol import TrackTable
from recommender.evaluation.scoring import check_no_label_leak
from tests.evaluation_planted import planted_catalog


class _ReturnsSeeds:
    name = "cheat"

    def recommend(self, seeds, *, k, skip):
        return list(seeds)[:k]


def test_a_list_containing_a_seed_is_an_error_not_a_hit():
    with pytest.raises(ValueError, match="'cheat' returned one of its own seeds"):
        systems.run_system(_ReturnsSeeds(), [("a", "b")], k=5, skip=frozenset())


def test_default_systems_use_leak_free_genres_and_answer_the_genre_task_without_them():
    planted = protocol.leak_free_genres(planted_catalog())
    table = TrackTable.from_catalog(planted)
    contenders = systems.default_contenders(planted, train(planted), table, random_state=1)
    names = [contender.system.name for contender in contenders]
    assert names[:5] == [
        "random",
        "most popular",
        "original design",
        "original design (plain numpy)",
        "shipped defaults",
    ]
    assert sum(name.startswith("preset: ") for name in names) >= 3
    engine = [c for c in contenders if isinstance(c.system, systems.EngineSystem)]
    assert len(engine) >= 5
    assert all(c.system.leak_free for c in engine)
    assert all(
        c.genre_system is not None and c.genre_system.weights["genre"] == 0.0 for c in engine
    )
    shipped = engine[1].system
    assert shipped.weights["genre"] > 0
    assert shipped.artists_per_block == 8
    discover = [c.system for c in engine if c.system.discover]
    assert [s.name for s in discover] == ["preset: Discover new artists"]
    check_no_label_leak(contenders)


def test_original_design_weights_undo_the_scaling_of_unit_features():
    planted = planted_catalog()
    weights = systems.original_design_weights(planted)
    energy = planted.tracks["energy"]
    assert weights["energy"] == pytest.approx(energy.std(ddof=0), abs=1e-3)
    assert weights["loudness"] == weights["popularity"] == weights["artist"] == 1.0
    assert weights["genre"] == weights["year"] == 0.0
