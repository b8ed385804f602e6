"""``python -m recommender search``, and every command's quiet end on a closed pipe."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from recommender.cli import main
from tests.conftest import ROOT


@pytest.fixture
def generated_env(monkeypatch, generated_files, tmp_path_factory):
    """The CLI's environment: only the generated catalog and a cache of this module's own."""
    for name in list(os.environ):
        if name.startswith("RECOMMENDER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(generated_files))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cli-cache"))
    return monkeypatch


def _json(capsys) -> list[dict]:
    return json.loads(capsys.readouterr().out)


def test_search_json_gives_id_title_artists_album_and_year(generated_env, capsys):
    assert main(["search", "song 1042", "--json"]) == 0
    rows = _json(capsys)
    first = rows[0]
    # TidyTuesday's row wins over Kaggle's for the shared track (precedence), so its year.
    assert first["name"] == "Song 1042"
    assert first["artists"] == ["Artist 1042"]
    assert first["album"] == "Album 1042"
    assert first["year"] == 2019
    assert first["match"] == "exact"
    assert len(first["track_id"]) == 22


def test_search_limit_typos_and_the_table(generated_env, capsys):
    assert main(["search", "guest", "--limit", "3", "--json"]) == 0
    rows = _json(capsys)
    assert len(rows) == 3
    assert all(any(a.startswith("Guest") for a in row["artists"]) for row in rows)
    assert main(["search", "guset", "--limit", "1", "--json"]) == 0
    assert _json(capsys)[0]["match"] == "fuzzy"
    assert main(["search", "runnin dying"]) == 0
    line = capsys.readouterr().out.strip()
    # Hit Predictor has neither album nor year; the table says so instead of leaving blanks.
    assert "Runnin (Dying To Live) - Pac Featuring Notorious" in line
    assert line.endswith("[album unknown, year unknown]")


def test_search_a_pasted_link_finds_that_track(generated_env, capsys):
    assert main(["search", "https://open.spotify.com/track/Made000000000000000007", "--json"]) == 0
    assert [row["track_id"] for row in _json(capsys)] == ["Made000000000000000007"]


def test_search_without_a_match_says_so_and_exits_1(generated_env, capsys):
    assert main(["search", "zzqqxx", "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert "nothing in the 8,704-track catalog matches 'zzqqxx'" in captured.err


def test_search_rejects_an_empty_query_and_a_bad_limit(generated_env, capsys):
    assert main(["search", "  "]) == 2
    assert "give a title, artist or track id" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["search", "song", "--limit", "0"])
    assert raised.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("argv", [["search", "song", "--json"], ["catalog", "--json"], ["catalog"]])
def test_a_closed_pipe_ends_any_command_with_exit_0(generated_env, monkeypatch, argv):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(argv) == 0


def test_a_real_closed_pipe_prints_no_traceback(generated_env):
    # More output than a pipe buffers (64 KiB), read one line, then close: `... | head -1`.
    process = subprocess.Popen(
        [sys.executable, "-m", "recommender", "search", "song", "--limit", "2000", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline() == b"[\n"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, stderr
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


@pytest.mark.slow
def test_search_finds_queens_bohemian_rhapsody_in_the_reference_catalog(
    monkeypatch, reference_settings, capsys
):
    for name in list(os.environ):
        if name.startswith("RECOMMENDER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(
        "RECOMMENDER_CATALOG", os.pathsep.join(map(str, reference_settings.catalog_paths))
    )
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    assert main(["search", "bohemian rhapsody", "--json"]) == 0
    rows = _json(capsys)
    queen = [row for row in rows if row["artists"] == ["Queen"]]
    assert len(queen) >= 2
    assert all(row["name"].startswith("Bohemian Rhapsody") for row in queen)
    assert all(row["album"] and row["year"] for row in queen)
