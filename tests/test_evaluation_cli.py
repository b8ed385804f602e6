"""``python -m recommender evaluate``: loud failures, and a quick run on the reference catalog."""

from __future__ import annotations

import json
import os

import pytest

from recommender.cli import main
from recommender.evaluation.protocol import LEAK_FREE


def test_evaluate_cli_reports_a_missing_catalog_without_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(tmp_path / "nowhere"))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["evaluate", "--quick"]) != 0
    err = capsys.readouterr().err
    assert err.startswith("evaluate: ")
    assert "Traceback" not in err


@pytest.mark.slow
def test_quick_cli_run_on_the_reference_catalog(
    reference_catalog, reference_settings, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(
        "RECOMMENDER_CATALOG", os.pathsep.join(map(str, reference_settings.catalog_paths))
    )
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    out = tmp_path / "evaluation.json"
    assert main(["evaluate", "--quick", "--json", "--output", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert json.loads(out.read_text()) == result
    assert result["protocol"]["quick"]
    assert result["protocol"]["catalog_fingerprint"] == reference_catalog.fingerprint + LEAK_FREE
    rows = {row["name"]: row for row in result["systems"]}
    assert {"random", "most popular", "original design", "shipped defaults"} <= set(rows)
    for row in rows.values():
        recall = row["held_out"]["recall@50"]
        assert recall["low"] <= recall["mean"] <= recall["high"]
        assert row["beyond"]["short_lists"] == 0
    # Orders of magnitude docs/evaluation.md reports for the reference catalog.
    assert rows["random"]["held_out"]["recall@50"]["mean"] < 0.01
    assert rows["shipped defaults"]["held_out"]["recall@50"]["mean"] > 0.05
    assert (
        rows["shipped defaults"]["held_out"]["recall@50"]["mean"]
        > rows["most popular"]["held_out"]["recall@50"]["mean"]
    )
    # Every list of the Discover preset is free of the seeds' artists.
    assert rows["preset: Discover new artists"]["checks"]["seed_artist_tracks"] == 0
