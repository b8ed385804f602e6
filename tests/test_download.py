"""Downloads against a loopback mirror of the public files: clean, broken, corrupt, cached."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from recommender.cli import main
from recommender.data import fetch as download
from recommender.data.adapters import CSV_ADAPTERS
from recommender.data.detect import CatalogError
from recommender.data.fetch import cached_files, download_sources, downloads_dir
from recommender.data.sources import (
    DEFAULT_SOURCES,
    MIN_ROWS,
    SOURCE_NAMES,
    SOURCES,
    mirrored,
    pick_sources,
    selected_sources,
)
from recommender.data.store import CatalogUnavailable, load_catalog, locate_catalog_files
from recommender.settings import Settings
from tests.conftest import ROOT
from tests.mirror_server import Mirror, public_files, serve

_CLEARED = (
    "RECOMMENDER_CATALOG",
    "RECOMMENDER_DATA_DIR",
    "RECOMMENDER_SOURCES",
    "RECOMMENDER_MIRROR_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(scope="module")
def public_dir(generated_public_files) -> Path:
    """Made-up tables under the eight public names (tests/catalog_samples.py)."""
    return generated_public_files


@pytest.fixture
def mirror(public_dir):
    with serve(public_dir) as running:
        yield running


def _settings(tmp_path: Path, mirror: Mirror | None = None, **env: str) -> Settings:
    values = {"RECOMMENDER_CACHE_DIR": str(tmp_path / "cache"), **env}
    if mirror is not None:
        values.setdefault("RECOMMENDER_MIRROR_URL", mirror.url)
    return Settings.from_sources(env=values, secrets={})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _no_partials(settings: Settings) -> bool:
    partial = downloads_dir(settings) / ".partial"
    return not partial.exists() or not any(p.is_file() for p in partial.rglob("*"))


# --------------------------------------------------------------------------- declarations


def test_each_source_is_declared_completely():
    adapters = {adapter.kind: adapter for adapter in CSV_ADAPTERS}
    for source in SOURCES:
        assert source.licence
        assert source.attribution
        assert source.homepage.startswith("https://")
        assert source.kind in adapters, source.name
        # What the downloader checks must be at least what the adapter needs to read it.
        assert adapters[source.kind].required <= set(source.columns), source.name
        for file in source.files:
            assert file.urls or file.archives
            assert all(url.startswith("https://") for url in file.urls)
            assert all(url.endswith("/" + file.name) for url in file.urls)
            for archive in file.archives:
                assert archive.url.startswith("https://")
                assert archive.name.endswith(".zip")


def test_mirror_replaces_every_origin_with_mirror_and_file_name(tmp_path):
    settings = _settings(tmp_path, RECOMMENDER_MIRROR_URL="http://127.0.0.1:9/data/")
    urls = [url for s in selected_sources(settings) for f in s.files for url in f.urls]
    names = [f.name for s in SOURCES if s.default for f in s.files]
    assert urls == [f"http://127.0.0.1:9/data/{name}" for name in names]
    # A zip route is mirrored under the zip's public name.
    big = pick_sources(["songs12m"])[0]
    (file,) = mirrored(big, "http://127.0.0.1:9/data/").files
    assert file.urls == ("http://127.0.0.1:9/data/tracks_features.csv",)
    assert [a.url for a in file.archives] == ["http://127.0.0.1:9/data/spotify-12m-songs.zip"]


def test_unset_sources_select_the_default_ones_and_a_name_selects_any(tmp_path):
    assert DEFAULT_SOURCES == ("kaggle", "tidytuesday", "hitpredictor", "songs12m")
    assert [s.name for s in selected_sources(_settings(tmp_path))] == list(DEFAULT_SOURCES)
    assert set(SOURCE_NAMES) - set(DEFAULT_SOURCES) == {"spotify1m"}
    # The big default is not quick: the small three serve first (recommender/budget.py).
    assert [s.name for s in SOURCES if s.quick] == ["kaggle", "tidytuesday", "hitpredictor"]
    settings = _settings(tmp_path, RECOMMENDER_SOURCES="songs12m,spotify1m,kaggle")
    assert [s.name for s in selected_sources(settings)] == ["kaggle", "songs12m", "spotify1m"]


def test_sources_selection_and_unknown_names(tmp_path):
    settings = _settings(tmp_path, RECOMMENDER_SOURCES="hitpredictor,kaggle")
    assert [s.name for s in selected_sources(settings)] == ["kaggle", "hitpredictor"]
    with pytest.raises(ValueError, match="spotify.*valid names: " + ", ".join(SOURCE_NAMES)):
        pick_sources(["kaggle", "spotify"])


# --------------------------------------------------------------------------- downloads


def test_clean_download_is_verified_recorded_and_reported(tmp_path, mirror, public_dir):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle,tidytuesday")
    seen: list[tuple[float, str]] = []
    result = download_sources(settings, progress=lambda f, t: seen.append((f, t)))

    assert not result.failures
    assert [f.status for f in result.files] == ["downloaded", "downloaded"]
    manifest = json.loads((downloads_dir(settings) / "manifest.json").read_text())["files"]
    for outcome in result.files:
        assert outcome.path.read_bytes() == (public_dir / outcome.name).read_bytes()
        assert outcome.sha256 == _sha256(public_dir / outcome.name)
        assert manifest[f"{outcome.source}/{outcome.name}"]["sha256"] == outcome.sha256
        assert outcome.rows >= MIN_ROWS
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    # At least a start and an end per file (the made-up files are one 256 KiB chunk each).
    assert len(fractions) >= 4
    assert any("spotify_songs.csv" in text and "MB" in text for _, text in seen)
    assert _no_partials(settings)


def test_second_run_uses_the_cache_without_asking_the_server(tmp_path, mirror):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    download_sources(settings)
    again = download_sources(settings)
    assert [f.status for f in again.files] == ["cached"]
    assert mirror.requested("dataset.csv") == 1


def test_broken_connection_is_retried_then_reported_and_nothing_is_kept(tmp_path, mirror):
    mirror.faults["dataset.csv"] = "cut"
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    result = download_sources(settings)
    (failed,) = result.failures
    assert mirror.requested("dataset.csv") == download.ATTEMPTS_PER_URL
    assert all(f"{mirror.url}/dataset.csv" in error for error in failed.errors)
    assert any("connection" in error.lower() for error in failed.errors), failed.errors
    assert not (downloads_dir(settings) / "kaggle" / "dataset.csv").exists()
    assert _no_partials(settings)
    assert cached_files(settings)[0] == []


def test_truncated_file_with_too_few_rows_is_rejected(tmp_path, mirror):
    mirror.faults["spotify_songs.csv"] = "short"
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="tidytuesday")
    (failed,) = download_sources(settings).failures
    (error,) = failed.errors
    assert f"{mirror.url}/spotify_songs.csv" in error
    assert "rejected" in error
    assert f"at least {MIN_ROWS:,}" in error
    assert not (downloads_dir(settings) / "tidytuesday" / "spotify_songs.csv").exists()


def test_corrupt_payload_is_rejected_by_its_header(tmp_path, mirror):
    mirror.faults["dataset-of-80s.csv"] = "html"
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="hitpredictor")
    result = download_sources(settings)
    (failed,) = result.failures
    assert failed.name == "dataset-of-80s.csv"
    assert "header lacks" in failed.errors[0]
    assert "<!DOCTYPE html>" in failed.errors[0]
    assert len(result.paths) == 5  # the other decades are still usable


def test_404_then_the_next_url_is_used(tmp_path, mirror):
    (kaggle,) = pick_sources(["kaggle"])
    (file,) = kaggle.files
    urls = (f"{mirror.url}/missing/dataset.csv", f"{mirror.url}/dataset.csv")
    source = replace(kaggle, files=(replace(file, urls=urls),))
    result = download_sources(_settings(tmp_path), sources=[source])
    (outcome,) = result.files
    assert outcome.status == "downloaded"
    assert outcome.url == urls[1]
    assert outcome.errors == (f"{urls[0]}: HTTP 404 Not Found (attempt 1)",)


def test_interrupted_download_restarts_from_scratch(tmp_path, mirror, public_dir):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    # A previous run was killed mid-file: its partial file must never be used or resumed.
    stale = downloads_dir(settings) / ".partial" / "kaggle" / "dataset.csv"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"Unnamed: 0,track_id\n1,2")
    mirror.faults["dataset.csv"] = "cut_once"

    (outcome,) = download_sources(settings).files

    assert outcome.status == "downloaded"
    assert "attempt 1" in outcome.errors[0]
    assert len(outcome.errors) == 1
    assert outcome.path.read_bytes() == (public_dir / "dataset.csv").read_bytes()
    assert mirror.requested("dataset.csv") == 2
    assert not stale.exists()


def test_later_corruption_is_detected_and_fetched_again(tmp_path, mirror, public_dir):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    (first,) = download_sources(settings).files
    data = bytearray(first.path.read_bytes())
    data[5000] ^= 0x01  # same size, one bit flipped
    first.path.write_bytes(bytes(data))

    found, notes = cached_files(settings)
    assert found == []
    assert "corrupt" in notes[0]
    assert "dataset.csv" in notes[0]

    (again,) = download_sources(settings).files
    assert again.status == "downloaded"
    assert mirror.requested("dataset.csv") == 2
    assert _sha256(again.path) == _sha256(public_dir / "dataset.csv")


def test_file_missing_from_the_manifest_is_not_trusted(tmp_path, mirror):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    download_sources(settings)
    (downloads_dir(settings) / "manifest.json").unlink()
    assert cached_files(settings)[0] == []
    assert download_sources(settings).files[0].status == "downloaded"


def test_two_processes_at_once_fetch_each_file_once(tmp_path, mirror):
    # The app and the CLI may start together; the lock makes the second find the first's files.
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle,tidytuesday")
    results: list[download.DownloadReport] = []
    workers = [
        threading.Thread(target=lambda: results.append(download_sources(settings)))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    statuses = sorted(outcome.status for result in results for outcome in result.files)
    assert statuses == ["cached", "cached", "downloaded", "downloaded"]
    assert mirror.requested("dataset.csv") == 1
    assert mirror.requested("spotify_songs.csv") == 1


def test_public_kaggle_header_with_unnamed_index_column_verifies(tmp_path, public_dir):
    # The published dataset.csv starts ",track_id,..."; the 10k sample says "Unnamed: 0".
    (kaggle,) = pick_sources(["kaggle"])
    text = (public_dir / "dataset.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert header.startswith("Unnamed: 0,")
    path = tmp_path / "dataset.csv"
    path.write_text(header.removeprefix("Unnamed: 0") + "\n" + rest, encoding="utf-8")
    assert download.verify_file(path, kaggle) >= MIN_ROWS


def test_unreadable_manifest_vouches_for_nothing(tmp_path, mirror):
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")
    download_sources(settings)
    (downloads_dir(settings) / "manifest.json").write_text('{"version": 1, "files": ')
    assert cached_files(settings)[0] == []
    (again,) = download_sources(settings).files
    assert again.status == "downloaded"
    assert json.loads((downloads_dir(settings) / "manifest.json").read_text())["files"]


# --------------------------------------------------------------------------- lookup order


def test_lookup_order(tmp_path, mirror, public_dir, generated_files):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("not a dataset\n")
    mirror_only = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle")

    # 1. RECOMMENDER_CATALOG wins over everything, without a request.
    explicit = _settings(
        tmp_path,
        mirror,
        RECOMMENDER_CATALOG=str(generated_files),
        RECOMMENDER_DATA_DIR=str(data_dir),
    )
    found = locate_catalog_files(explicit)
    assert found.origin == "RECOMMENDER_CATALOG"
    assert found.paths == (generated_files,)

    # 2. A data dir without a supported file falls through to the download...
    with_empty_dir = _settings(
        tmp_path, mirror, RECOMMENDER_SOURCES="kaggle", RECOMMENDER_DATA_DIR=str(data_dir)
    )
    found = locate_catalog_files(with_empty_dir)
    assert found.origin == "download"
    assert mirror.requested("dataset.csv") == 1

    # 3. ...which the next start finds in the cache.
    assert locate_catalog_files(mirror_only).origin == "download cache"

    # 4. Every supported file in the data dir beats the cache (detected by header, any name).
    (data_dir / "mine.csv").write_bytes((public_dir / "dataset-of-90s.csv").read_bytes())
    (data_dir / "songs.bin").write_bytes((public_dir / "spotify_songs.csv").read_bytes())
    found = locate_catalog_files(with_empty_dir)
    assert found.origin == "RECOMMENDER_DATA_DIR"
    assert found.paths == (data_dir / "mine.csv", data_dir / "songs.bin")
    assert mirror.requested("dataset.csv") == 1


def test_nothing_reachable_says_what_was_tried_and_what_to_do(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = _settings(
        tmp_path,
        RECOMMENDER_MIRROR_URL=f"http://127.0.0.1:{port}",
        RECOMMENDER_SOURCES="kaggle,tidytuesday",
    )
    with pytest.raises(CatalogUnavailable) as caught:
        load_catalog(settings)
    text = str(caught.value)
    assert "RECOMMENDER_CATALOG: not set" in text
    assert "RECOMMENDER_DATA_DIR: not set" in text
    assert "0 of 2 files intact" in text
    assert f"http://127.0.0.1:{port}/dataset.csv: could not connect (connection refused)" in text
    # One refused connection is enough: the other files do not wait on the same dead host.
    assert f"http://127.0.0.1:{port}/spotify_songs.csv: skipped" in text
    assert text.count("(attempt ") == 1
    assert "python -m recommender download" in text
    assert "synthetic demo" in text
    # Callers that only know the catalog's own error type still catch it.
    assert isinstance(caught.value, CatalogError)
    assert not (settings.cache_dir / "catalog").exists()


def test_some_sources_failing_still_build_from_the_rest(tmp_path, mirror):
    mirror.faults["dataset.csv"] = "404"
    settings = _settings(tmp_path, mirror, RECOMMENDER_SOURCES="kaggle,tidytuesday")
    found = locate_catalog_files(settings)
    assert found.origin == "download"
    assert [p.name for p in found.paths] == ["spotify_songs.csv"]
    assert "kaggle/dataset.csv" in found.problems[0]
    assert "HTTP 404" in found.problems[0]


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def test_cli_download_json(clean_env, mirror, capsys):
    clean_env.setenv("RECOMMENDER_MIRROR_URL", mirror.url)
    clean_env.setenv("RECOMMENDER_SOURCES", "kaggle")
    assert main(["download", "--json"]) == 0
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert report["ok"]
    assert report["files"][0]["status"] == "downloaded"
    assert "dataset.csv" in out.err  # the progress bar went to stderr


def test_cli_download_failure_names_the_url_and_exits_non_zero(clean_env, mirror, capsys):
    clean_env.setenv("RECOMMENDER_MIRROR_URL", mirror.url)
    clean_env.setenv("RECOMMENDER_SOURCES", "tidytuesday")
    mirror.faults["spotify_songs.csv"] = "500"
    assert main(["download", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{mirror.url}/spotify_songs.csv: HTTP 500" in err
    assert "Traceback" not in err


def test_cli_unknown_source_is_a_clear_error(clean_env, capsys):
    clean_env.setenv("RECOMMENDER_SOURCES", "kagle")
    assert main(["download"]) == 2
    assert "kagle" in capsys.readouterr().err


@pytest.mark.slow
def test_fresh_clone_download_then_catalog_through_the_mirror(tmp_path, mirror):
    # The "done when", on one source so the suite builds the full catalog only once.
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env |= {
        "RECOMMENDER_MIRROR_URL": mirror.url,
        "RECOMMENDER_CACHE_DIR": str(tmp_path / "cache"),
        "RECOMMENDER_SOURCES": "kaggle",
    }
    run = [sys.executable, "-m", "recommender"]
    fetched = subprocess.run(
        [*run, "download"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "100%" in fetched.stderr
    built = subprocess.run(
        [*run, "catalog", "--json"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    report = json.loads(built.stdout)
    assert report["sources"] == {"kaggle": report["tracks"]}
    assert report["tracks"] >= MIN_ROWS
    assert mirror.requested("dataset.csv") == 1


@pytest.mark.slow
def test_mirror_build_of_the_reference_files_equals_the_direct_build(
    tmp_path, reference_data, reference_catalog
):
    # The same files, once laid out under their public names and downloaded, once read as
    # they are (zips included): the same tracks, the same artist count.
    with serve(public_files(reference_data.paths, tmp_path / "public")) as mirror:
        through_mirror = load_catalog(_settings(tmp_path, mirror))
    assert through_mirror.fingerprint != reference_catalog.fingerprint
    assert through_mirror.tracks.equals(reference_catalog.tracks)
    assert through_mirror.report["artists"] == reference_catalog.report["artists"]


# --------------------------------------------------------------------------- big sources


@pytest.fixture(scope="module")
def big_dir(tmp_path_factory) -> Path:
    """Made-up files in the two big sources' layouts, plain and as their zip downloads."""
    from tests.catalog_samples import (
        MILLION_HEADER,
        SPOTIFY_1M_HEADER,
        csv_bytes,
        million_row,
        spotify_1m_row,
        write_zip,
    )

    root = tmp_path_factory.mktemp("big-mirror")
    # Over a megabyte: a cut at a third still leaves whole 256 KiB chunks on disk.
    million = csv_bytes(MILLION_HEADER, [million_row(n) for n in range(6_000)])
    (root / "tracks_features.csv").write_bytes(million)
    write_zip(root / "spotify-12m-songs.zip", {"tracks_features.csv": million})
    spotify = csv_bytes(SPOTIFY_1M_HEADER, [spotify_1m_row(n) for n in range(1_200)])
    write_zip(root / "spotify-1million-tracks.zip", {"data/spotify_data.csv": spotify})
    write_zip(root / "wrong.zip", {"README.txt": b"not the data"})
    return root


@pytest.fixture
def big_mirror(big_dir):
    with serve(big_dir) as running:
        yield running


def test_a_cut_transfer_resumes_from_where_it_stopped(tmp_path, big_mirror, big_dir):
    big_mirror.faults["tracks_features.csv"] = "cut_once"
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="songs12m")
    (outcome,) = download_sources(settings).files
    whole = (big_dir / "tracks_features.csv").read_bytes()
    assert outcome.status == "downloaded"
    assert len(outcome.errors) == 1
    (asked,) = big_mirror.ranges
    resumed_at = int(asked.removeprefix("bytes=").removesuffix("-"))
    assert 0 < resumed_at <= len(whole) // 3
    assert outcome.path.read_bytes() == whole
    assert outcome.sha256 == hashlib.sha256(whole).hexdigest()
    assert _no_partials(settings)


def test_a_server_that_ignores_range_gets_a_clean_restart(tmp_path, big_mirror, big_dir):
    big_mirror.faults["tracks_features.csv"] = "cut_once"
    big_mirror.honour_range = False
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="songs12m")
    (outcome,) = download_sources(settings).files
    whole = (big_dir / "tracks_features.csv").read_bytes()
    assert big_mirror.ranges  # it was asked for the rest, and sent everything
    assert outcome.path.read_bytes() == whole
    assert outcome.sha256 == hashlib.sha256(whole).hexdigest()


def test_a_redirect_is_followed_and_the_served_revision_recorded(tmp_path, big_mirror):
    big_mirror.faults["tracks_features.csv"] = "redirect"
    big_mirror.revision = "0123abcd" * 5
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="songs12m")
    (outcome,) = download_sources(settings).files
    assert outcome.status == "downloaded"
    assert outcome.revision == "0123abcd" * 5
    assert "/redirected/tracks_features.csv" in big_mirror.requests
    manifest = json.loads((downloads_dir(settings) / "manifest.json").read_text())["files"]
    assert manifest["songs12m/tracks_features.csv"]["revision"] == "0123abcd" * 5
    (cached,) = download_sources(settings).files
    assert (cached.status, cached.revision) == ("cached", "0123abcd" * 5)


def test_the_zip_route_is_tried_when_the_file_itself_is_missing(tmp_path, big_mirror, big_dir):
    big_mirror.faults["tracks_features.csv"] = "404"
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="songs12m")
    (outcome,) = download_sources(settings).files
    assert outcome.status == "downloaded"
    assert outcome.archive == "spotify-12m-songs.zip"
    assert outcome.url == f"{big_mirror.url}/spotify-12m-songs.zip"
    assert outcome.path.name == "tracks_features.csv"
    assert outcome.path.read_bytes() == (big_dir / "tracks_features.csv").read_bytes()
    assert outcome.rows == 6_000
    assert _no_partials(settings)
    assert not any(p.suffix == ".zip" for p in downloads_dir(settings).rglob("*"))


def test_a_source_only_published_as_a_zip_is_unpacked_from_a_subfolder(tmp_path, big_mirror):
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="spotify1m")
    (outcome,) = download_sources(settings).files
    assert outcome.status == "downloaded", outcome.errors
    assert outcome.archive == "spotify-1million-tracks.zip"
    catalog = load_catalog(
        Settings.from_sources(
            env={"RECOMMENDER_CATALOG": str(outcome.path), "RECOMMENDER_CACHE_DIR": str(tmp_path)},
            secrets={},
        )
    )
    assert catalog.tracks.height == 1_200
    row = catalog.tracks.row(0, named=True)
    assert row["sources"] == ["spotify_1m"]
    assert row["genres"] == ["acoustic"]
    assert row["popularity"] == 40


def test_a_zip_without_the_file_is_rejected_with_what_it_holds(tmp_path, big_mirror):
    (big,) = pick_sources(["songs12m"])
    (file,) = big.files
    (archive,) = file.archives
    wrong = replace(archive, url=f"{big_mirror.url}/wrong.zip", name="wrong.zip")
    source = replace(big, files=(replace(file, urls=(), archives=(wrong,)),))
    (failed,) = download_sources(_settings(tmp_path), sources=[source]).failures
    (error,) = failed.errors
    assert "wrong.zip" in error
    assert "holds no tracks_features.csv" in error
    assert "README.txt" in error


def test_a_big_file_is_verified_on_its_first_rows(tmp_path, big_mirror, monkeypatch):
    monkeypatch.setattr(download, "VERIFY_WHOLE_BYTES", 10_000)
    monkeypatch.setattr(download, "VERIFY_SAMPLE_ROWS", 1_100)
    settings = _settings(tmp_path, big_mirror, RECOMMENDER_SOURCES="songs12m")
    (outcome,) = download_sources(settings).files
    assert outcome.status == "downloaded"
    assert outcome.sampled
    assert outcome.rows == 1_100
    assert "first rows checked" in download._done_text(outcome)


def test_download_help_lists_every_source_with_its_default_licence_and_urls(capsys):
    with pytest.raises(SystemExit):
        main(["download", "--help"])
    text = capsys.readouterr().out
    for source in SOURCES:
        state = "on by default" if source.default else "off by default"
        assert f"{source.name} ({state};" in text
        assert source.licence in text
        for file in source.files:
            for url in file.urls:
                assert url in text
            for archive in file.archives:
                assert f"{archive.url} (zip)" in text
