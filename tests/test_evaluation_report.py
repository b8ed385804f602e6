"""Reading and formatting results: the committed docs/evaluation.json stays readable."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from recommender.evaluation import report
from recommender.evaluation.results import EvaluationResult, from_json, to_json

RECORDED = Path(__file__).resolve().parents[1] / "docs" / "evaluation.json"


def test_the_recorded_evaluation_reads_back_into_typed_rows_and_round_trips():
    text = RECORDED.read_text(encoding="utf-8")
    result = report.parse_evaluation(text)
    assert isinstance(result, EvaluationResult)
    ours = result.row("our defaults")
    recorded = {row["name"]: row for row in json.loads(text)["systems"]}["our defaults"]
    assert ours.playlists.recall.mean == recorded["playlists"]["recall@50"]["mean"]
    assert ours.beyond.distinct_artists_per_10 == recorded["beyond"]["distinct_artists_per_10"]
    again = report.parse_evaluation(report.evaluation_json(result))
    assert again == result or _equal_but_nan(again, result)
    assert "our defaults" in report.format_table(result, markdown=True)
    assert report.format_summary(result).startswith(f"{result.protocol.playlists} playlists")


def _equal_but_nan(first: EvaluationResult, second: EvaluationResult) -> bool:
    # NaN != NaN: compare the JSON text instead (json writes NaN the same way twice).
    return report.evaluation_json(first) == report.evaluation_json(second)


def test_a_damaged_file_names_the_field_at_fault():
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    del data["systems"][1]["beyond"]["coverage"]
    with pytest.raises(ValueError, match=r"result\.systems\[1\]\.beyond: missing field 'coverage'"):
        report.parse_evaluation(json.dumps(data))
    data = json.loads(RECORDED.read_text(encoding="utf-8"))
    data["systems"][0]["kind"] = "ours?"
    with pytest.raises(ValueError, match=r"result\.systems\[0\]\.kind: expected one of"):
        report.parse_evaluation(json.dumps(data))
    data["systems"][0]["kind"] = "baseline"
    data["protocol"]["playlists"] = "438"
    with pytest.raises(ValueError, match=r"result\.protocol\.playlists: expected int"):
        report.parse_evaluation(json.dumps(data))
    with pytest.raises(ValueError, match="Expecting property name"):
        report.parse_evaluation("{not json")


def test_nan_popularity_bias_survives_the_round_trip():
    value = from_json(float, to_json(math.nan), where="bias")
    assert math.isnan(value)
    with pytest.raises(ValueError, match="bias: expected a number"):
        from_json(float, True, where="bias")
