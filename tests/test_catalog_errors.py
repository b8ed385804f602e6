"""Bad input gets a clear message naming the file (never a silent empty catalog), and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from recommender.cli import main
from recommender.data.detect import CatalogError, detect_kind, supported_files
from recommender.data.read import build_catalog
from tests.catalog_samples import (
    HIT_HEADER,
    KAGGLE_HEADER,
    csv_bytes,
    hit_row,
    kaggle_row,
    write_csv,
    write_zip,
)
from tests.conftest import ROOT


def _error(paths) -> str:
    with pytest.raises(CatalogError) as caught:
        build_catalog(paths)
    return str(caught.value)


def test_unknown_header_names_the_file_and_the_accepted_headers(tmp_path):
    path = tmp_path / "songs.csv"
    path.write_text("title,singer,bpm\nA,B,120\n", encoding="utf-8")
    message = _error([path])
    assert str(path.resolve()) in message
    assert "title,singer,bpm" in message
    for accepted in ("TidyTuesday", "Kaggle", "Hit Predictor", "1.2M", "Parquet", "track_genre"):
        assert accepted in message
    with pytest.raises(CatalogError, match="unknown format"):
        detect_kind(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in _error([path])


def test_header_without_rows(tmp_path):
    path = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [])
    assert "no rows" in _error([path])


def test_truncated_csv(tmp_path):
    data = csv_bytes(KAGGLE_HEADER, [kaggle_row(i) for i in range(5)])
    path = tmp_path / "cut.csv"
    path.write_bytes(data[: len(data) - 40])
    message = _error([path])
    assert "truncated" in message
    assert str(path.resolve()) in message


def test_truncated_zip(tmp_path):
    full = write_zip(tmp_path / "full.zip", {"a.csv": csv_bytes(HIT_HEADER, [hit_row(0)])})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(full.read_bytes()[:-30])
    message = _error([cut])
    assert "zip" in message
    assert "truncated" in message


def test_zip_with_an_unknown_member_names_the_member(tmp_path):
    path = write_zip(tmp_path / "mixed.zip", {"odd.csv": b"a,b\n1,2\n"})
    assert f"{path.resolve()}:odd.csv" in _error([path])


@pytest.mark.parametrize("where", ["header", "body"])
def test_non_utf8_file(tmp_path, where):
    data = csv_bytes(KAGGLE_HEADER, [kaggle_row(i, track_name=f"Caf\u00e9 {i}") for i in range(3)])
    latin = data.decode("utf-8").encode("latin-1")
    if where == "header":
        latin = b"\xef\xbb" + latin  # a broken byte-order mark
    path = tmp_path / "latin1.csv"
    path.write_bytes(latin)
    message = _error([path])
    assert "UTF-8" in message
    assert str(path.resolve()) in message


def test_missing_path(tmp_path):
    assert "no such file" in _error([tmp_path / "nowhere.csv"])


def test_folder_without_data_files(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    message = _error([tmp_path])
    assert "no supported data file" in message
    assert str(tmp_path) in message


def test_folder_skips_files_it_cannot_recognise_and_says_so(tmp_path):
    write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0)])
    (tmp_path / "notes.md").write_text("# notes\n", encoding="utf-8")
    assert supported_files(tmp_path) == [tmp_path / "k.csv"]
    catalog = build_catalog([tmp_path])
    assert catalog.tracks.height == 1
    assert list(catalog.report["skipped_files"]) == [str(tmp_path / "notes.md")]
    assert "unknown format" in catalog.report["skipped_files"][str(tmp_path / "notes.md")]


def test_folder_with_a_damaged_zip_is_an_error_not_a_skip(tmp_path):
    write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0)])
    full = write_zip(tmp_path / "hits.zip", {"a.csv": csv_bytes(HIT_HEADER, [hit_row(1)])})
    full.write_bytes(full.read_bytes()[:-30])
    message = _error([tmp_path])
    assert "hits.zip" in message
    assert "truncated" in message


def test_a_bad_file_stops_the_whole_build(tmp_path):
    good = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0)])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    with pytest.raises(CatalogError, match=r"bad\.csv"):
        build_catalog([good, bad])


# --------------------------------------------------------------------------- CLI


def _cli_env(monkeypatch, catalog: str, cache) -> None:
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog)
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(cache))


@pytest.mark.slow
def test_cli_json_on_the_reference_data(monkeypatch, capsys, reference_settings, reference_catalog):
    catalog = os.pathsep.join(map(str, reference_settings.catalog_paths))
    _cli_env(monkeypatch, catalog, reference_settings.cache_dir)
    assert main(["catalog", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("tracks", "artists", "genres", "sources", "dropped_rows", "nulls", "fingerprint"):
        assert key in report
    assert report["tracks"] == reference_catalog.tracks.height
    assert report["artists"] == reference_catalog.report["artists"]
    assert set(report["sources"]) == {"tidytuesday", "kaggle", "hit_predictor"}
    assert report["fingerprint"] == reference_catalog.fingerprint


def test_cli_text_summary(monkeypatch, capsys, tmp_path):
    source = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(i) for i in range(3)])
    _cli_env(monkeypatch, str(source), tmp_path / "cache")
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "3 tracks" in out
    assert "kaggle: 3 tracks" in out


def test_cli_bad_input_exits_non_zero_with_the_message(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,singer\nA,B\n", encoding="utf-8")
    _cli_env(monkeypatch, str(bad), tmp_path / "cache")
    assert main(["catalog", "--json"]) != 0
    captured = capsys.readouterr()
    assert "bad.csv" in captured.err
    assert "unknown format" in captured.err
    assert captured.out == ""


def test_cli_process_prints_no_traceback(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    env = {
        **os.environ,
        "RECOMMENDER_CATALOG": str(bad),
        "RECOMMENDER_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "recommender", "catalog", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert "empty" in done.stderr
    assert "Traceback" not in done.stderr


def test_parquet_with_wrong_column_types_names_the_file(tmp_path):
    source = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0)])
    tracks = build_catalog([source]).tracks
    broken = tracks.with_columns(tracks.get_column("sources").list.join(",").alias("sources"))
    path = tmp_path / "odd.parquet"
    broken.write_parquet(path)
    message = _error([path])
    assert str(path.resolve()) in message
    assert "Parquet" in message


def test_parquet_missing_catalog_columns(tmp_path):
    source = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(0)])
    path = tmp_path / "thin.parquet"
    build_catalog([source]).tracks.drop("tempo", "genres").write_parquet(path)
    message = _error([path])
    assert "tempo" in message
    assert "genres" in message
