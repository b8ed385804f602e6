"""Stored-state drills at unit level: a full disk and a read-only cache directory.

A full disk is simulated through the writers the cache code calls (a writer that puts part
of the bytes down and then fails with ENOSPC, as a real full disk does). The read-only
directory is real: ``chmod`` for a normal user, the immutable flag for root (root ignores
permission bits).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import subprocess
from pathlib import Path

import joblib
import pytest

from recommender.data import store as catalog_module
from recommender.data.store import load_catalog, open_catalog
from recommender.engine import model as model_module
from recommender.engine.model import load_model, load_or_train, model_path, open_model
from recommender.settings import Settings
from tests.catalog_samples import KAGGLE_HEADER, kaggle_row, write_csv


def _settings(source: Path, cache: Path) -> Settings:
    return Settings.from_sources(
        env={"RECOMMENDER_CATALOG": str(source), "RECOMMENDER_CACHE_DIR": str(cache)},
        secrets={},
    )


@pytest.fixture
def source(tmp_path) -> Path:
    return write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(i) for i in range(40)])


def _full_disk(write):
    """Wrap a ``write(path)`` so it leaves half a file behind and then fails with ENOSPC."""

    def writer(path: Path) -> None:
        write(path)
        data = Path(path).read_bytes()
        Path(path).write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    return writer


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and ".tmp" in p.name)


def test_full_disk_mid_write_leaves_neither_a_partial_file_nor_a_temp_file(tmp_path):
    target = tmp_path / "catalog-x.tracks.parquet"
    with pytest.raises(OSError, match="No space left"):
        catalog_module._write_atomic(target, _full_disk(lambda p: p.write_bytes(b"x" * 4096)))
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_full_disk_while_caching_the_catalog_still_serves_and_rebuilds_later(
    tmp_path, source, caplog, monkeypatch
):
    settings = _settings(source, tmp_path / "cache")
    healthy = catalog_module._write_atomic
    calls = []

    def second_write_fails(path, write):
        calls.append(path)
        healthy(path, _full_disk(write) if len(calls) == 2 else write)

    monkeypatch.setattr(catalog_module, "_write_atomic", second_write_fails)
    caplog.set_level(logging.WARNING, logger="recommender.data.read")
    served = load_catalog(settings)
    assert served.tracks.height == 40
    assert "could not write the catalog cache" in caplog.text
    assert "No space left" in caplog.text
    assert _leftovers(tmp_path / "cache") == []
    # Without its report the half-written entry is not trusted: the next start rebuilds it.
    assert not list((tmp_path / "cache").rglob("*.report.json"))
    monkeypatch.setattr(catalog_module, "_write_atomic", healthy)
    caplog.clear()
    again = load_catalog(settings)
    assert again.tracks.equals(served.tracks)
    assert list((tmp_path / "cache").rglob("*.report.json"))


def test_full_disk_while_saving_the_model_still_returns_it(tmp_path, source, caplog, monkeypatch):
    settings = _settings(source, tmp_path / "cache")
    catalog = load_catalog(settings)
    real_dump = joblib.dump

    def full_disk_dump(value, filename, *args, **kwargs):
        real_dump(value, filename, *args, **kwargs)
        data = Path(filename).read_bytes()
        Path(filename).write_bytes(data[:1000])
        raise OSError(errno.ENOSPC, "No space left on device", str(filename))

    monkeypatch.setattr(model_module.joblib, "dump", full_disk_dump)
    caplog.set_level(logging.INFO, logger="recommender.engine.model")
    model = load_or_train(catalog, settings)
    assert model.n_tracks == catalog.tracks.height
    assert "could not write the model" in caplog.text
    assert not model_path(settings).exists()
    assert _leftovers(tmp_path / "cache") == []
    monkeypatch.setattr(model_module.joblib, "dump", real_dump)
    caplog.clear()
    load_or_train(catalog, settings)
    assert "training the model: no model at" in caplog.text
    assert load_model(model_path(settings)).n_tracks == model.n_tracks


@contextlib.contextmanager
def read_only(folder: Path):
    """Make ``folder`` (and every folder in it) truly read-only for this process."""
    folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        done = subprocess.run([chattr, "+i", *map(str, folders)], check=False)
        if done.returncode != 0:
            pytest.skip("this filesystem has no immutable flag: cannot make a folder read-only")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", *map(str, folders)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in folders}
        for p in folders:
            p.chmod(0o555)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_read_only_cache_folder_serves_from_memory_and_says_so(tmp_path, source, caplog):
    cache = tmp_path / "cache"
    cache.mkdir()
    settings = _settings(source, cache)
    caplog.set_level(logging.INFO, logger="recommender")
    with read_only(cache):
        with pytest.raises(PermissionError):
            (cache / "probe").write_text("x")
        catalog = load_catalog(settings)
        model = load_or_train(catalog, settings)
        assert list(cache.iterdir()) == []
    assert catalog.tracks.height == 40
    assert model.n_tracks == 40
    assert "could not write the catalog cache" in caplog.text
    assert "could not write the model" in caplog.text or "training without it" in caplog.text


def test_read_only_warm_cache_is_still_read(tmp_path, source, caplog):
    cache = tmp_path / "cache"
    settings = _settings(source, cache)
    first = load_catalog(settings)
    trained = load_or_train(first, settings)
    caplog.set_level(logging.INFO, logger="recommender")
    caplog.clear()
    with read_only(cache):
        warm = load_catalog(settings)
        model = load_or_train(warm, settings)
    assert warm.tracks.equals(first.tracks)
    assert model.trained_at == trained.trained_at
    assert "training the model" not in caplog.text


def test_open_catalog_returns_what_it_worked_around(tmp_path, source):
    cache = tmp_path / "cache"
    settings = _settings(source, cache)
    assert open_catalog(settings).notes == ()
    (report,) = cache.glob("catalog/*.report.json")
    report.write_text("{not json", encoding="utf-8")
    rebuilt = open_catalog(settings)
    assert [note.kind for note in rebuilt.notes] == ["catalog_cache_rebuilt"]
    assert "is unusable" in rebuilt.notes[0].message
    assert rebuilt.catalog.tracks.height == 40


def test_a_read_only_cache_folder_comes_back_as_notes(tmp_path, source):
    cache = tmp_path / "cache"
    cache.mkdir()
    settings = _settings(source, cache)
    with read_only(cache):
        loaded = open_catalog(settings)
        model = open_model(loaded.catalog, settings)
    assert [note.kind for note in loaded.notes] == ["catalog_cache_unwritable"]
    assert "could not write the catalog cache" in loaded.notes[0].message
    assert {note.kind for note in model.notes} <= {"model_unwritable", "model_lock_unavailable"}
    assert model.notes
    assert model.model.n_tracks == 40
