"""The query layout owns every column slice and count of the engine."""

import ast
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from recommender.domain import AudioProfile, Catalog
from recommender.engine.features import DEFAULT_WEIGHTS, LAYOUT, SCALED_FEATURES, WEIGHT_NAMES
from recommender.engine.layout import QueryLayout
from recommender.engine.model import train
from recommender.engine.recommend import RecommendOptions, recommend
from tests.factories import make_catalog

ENGINE = Path(__file__).resolve().parents[1] / "recommender" / "engine"
# Where the columns are defined; everywhere else asks the layout.
OWNERS = {"layout.py", "features.py"}
FEATURE_TUPLES = {"SCALED_FEATURES", "DENSE_WEIGHTS", "COMPARED_WEIGHTS", "WEIGHT_NAMES"}


def _literal(node: ast.AST | None) -> bool:
    """A non-zero integer written out (``2``, ``-2``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value != 0


def _column_literals(source: str) -> list[str]:
    """Literal column indices in 2-D subscripts, ``shape[...] + n`` and feature-tuple uses."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple):
            for part in node.slice.elts:
                bounds = [part.lower, part.upper] if isinstance(part, ast.Slice) else [part]
                if any(_literal(bound) for bound in bounds):
                    found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (
            isinstance(node, ast.BinOp)
            and any(_literal(side) for side in (node.left, node.right))
            and "shape" in ast.unparse(node)
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Name) and node.id in FEATURE_TUPLES:
            found.append(f"line {node.lineno}: {node.id}")
    return found


def test_scan_finds_the_old_hand_written_slices():
    old = (
        "value_columns = self.known.shape[1] + 1\n"
        "VALUE_COLUMNS = len(SCALED_FEATURES) + 2\n"
        "seed_side[:, -2:] = 2.0 * compared_w2[:, -2:]\n"
    )
    assert len(_column_literals(old)) >= 4


@pytest.mark.parametrize(
    "module", sorted(p.name for p in ENGINE.glob("*.py") if p.name not in OWNERS)
)
def test_no_column_index_or_count_outside_the_layout(module):
    assert _column_literals((ENGINE / module).read_text(encoding="utf-8")) == []


EXTRA = QueryLayout(
    weight_names=(*WEIGHT_NAMES, "sparkle"),
    defaults={**DEFAULT_WEIGHTS, "sparkle": 1.0},
    scaled=(*SCALED_FEATURES, "sparkle"),
    circular=("key",),
    labels=("artist", "genre"),
)


def _sparkle_catalog() -> Catalog:
    # Tracks alike in everything but "sparkle", a made-up feature read from its own column.
    rows = [{"name": f"Song {i}", "artists": [f"Artist {i}"]} for i in range(6)]
    base = make_catalog(rows)
    sparkle = [0.0, 5.0, 1.0, 3.0, None, 2.0]
    tracks = base.tracks.with_columns(pl.Series("sparkle", sparkle, dtype=pl.Float64))
    return Catalog(tracks=tracks, playlists=base.playlists, fingerprint=base.fingerprint + "-s")


def test_every_reader_follows_a_layout_with_one_more_feature():
    catalog = _sparkle_catalog()
    model = train(catalog, layout=EXTRA)
    assert model.dense.shape[1] == LAYOUT.n_values + 1
    assert model.known.shape[1] == len(LAYOUT.dense_features) + 1
    assert model.query_t.shape[0] == LAYOUT.n_query_rows + 3  # flag, value, square
    assert model.schema["values"][-3:] == ["sparkle", "key", "key"]
    # Only sparkle (and the different artists, switched off) tells the tracks apart.
    weights = {"artist": 0.0, "genre": 0.0, "sparkle": 2.0}
    seed = catalog.tracks["track_id"][0]
    results = recommend(
        model,
        catalog,
        [seed],
        weights=weights,
        options=RecommendOptions(per_seed=4, one_recording=False),
    )
    ids = catalog.tracks["track_id"].to_list()
    # The track without sparkle is compared on nothing else that differs (distance 0), then
    # the others nearest by sparkle: 1, 2, 3 (5 is past the quota).
    assert [r.track_id for r in results] == [ids[4], ids[2], ids[5], ids[3]]
    assert "sparkle" not in results[0].contributions
    for result in results[1:]:
        assert result.contributions["sparkle"] == pytest.approx(1.0)
    distances = [r.distance for r in results]
    assert distances == sorted(distances)
    scale = np.sqrt(sum(v**2 for v in {**EXTRA.defaults, **weights}.values()))
    assert distances[0] == 0.0
    assert 0.0 < distances[1] < distances[3] < 2 * scale


def test_a_profile_seed_is_encoded_with_the_models_layout():
    catalog = _sparkle_catalog()
    model = train(catalog, layout=EXTRA)
    profile = AudioProfile(label="sparkly", features={"sparkle": 3.0})
    results = recommend(
        model,
        catalog,
        ["profile"],
        weights={"artist": 0.0, "genre": 0.0},
        options=RecommendOptions(limit=1),
        seed_vectors={"profile": profile},
    )
    assert [r.track_id for r in results] == [catalog.tracks["track_id"][3]]
    assert results[0].contributions == {"sparkle": 1.0}
