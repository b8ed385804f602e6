"""Fingerprint, the Parquet cache (warm load) and rebuilding a corrupt cache."""

from __future__ import annotations

import os
from dataclasses import replace

import polars as pl
import pytest

from recommender.data.read import fingerprint
from recommender.data.store import load_catalog
from recommender.present.listing import catalog_rows
from recommender.settings import Settings
from tests.catalog_samples import KAGGLE_HEADER, kaggle_row, write_csv


def _settings(tmp_path, *sources) -> Settings:
    return Settings.from_sources(
        env={
            "RECOMMENDER_CATALOG": os.pathsep.join(str(s) for s in sources),
            "RECOMMENDER_CACHE_DIR": str(tmp_path / "cache"),
        },
        secrets={},
    )


class _Steps:
    """Records the progress messages, so a test can tell a cold build from a warm load."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, fraction: float, message: str) -> None:
        assert 0.0 <= fraction <= 1.0
        self.messages.append(message)

    @property
    def built(self) -> bool:
        return any(m.startswith("reading ") for m in self.messages)


@pytest.fixture
def source(tmp_path):
    return write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(i) for i in range(5)])


def test_fingerprint_is_stable_and_follows_content_and_mtime(tmp_path, source):
    first = fingerprint([source])
    assert fingerprint([source]) == first

    stat = source.stat()
    text = source.read_bytes().replace(b"Song 1", b"Song 7")  # same size, new content
    source.write_bytes(text)
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert source.stat().st_size == stat.st_size
    changed = fingerprint([source])
    assert changed != first

    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert fingerprint([source]) not in (first, changed)


def test_fingerprint_follows_the_set_of_files(tmp_path, source):
    other = write_csv(tmp_path / "more.csv", KAGGLE_HEADER, [kaggle_row(9)])
    assert fingerprint([source]) != fingerprint([source, other])
    assert fingerprint([source, other]) == fingerprint([other, source])


def test_warm_load_reads_the_cache(tmp_path, source):
    settings = _settings(tmp_path, source)
    cold_steps, warm_steps = _Steps(), _Steps()
    cold = load_catalog(settings, progress=cold_steps)
    warm = load_catalog(settings, progress=warm_steps)

    assert cold_steps.built
    assert not warm_steps.built
    assert warm.tracks.equals(cold.tracks)
    assert warm.playlists.equals(cold.playlists)
    assert warm.fingerprint == cold.fingerprint == fingerprint([source])
    assert warm.report == cold.report
    assert list((tmp_path / "cache" / "catalog").glob(f"*{cold.fingerprint}*.parquet"))


def test_a_loaded_catalog_knows_its_ids_are_sorted_and_finds_rows_by_bisection(tmp_path, source):
    """Rows are read by id on every page: with the flag they are bisected, not joined."""
    settings = _settings(tmp_path, source)
    for catalog in (load_catalog(settings), load_catalog(settings)):  # cold, then warm
        assert catalog.tracks["track_id"].flags["SORTED_ASC"]
    ids = catalog.tracks["track_id"].to_list()
    wanted = [ids[3], "0" * 22, ids[0], ids[3], "z" * 22]
    rows = catalog_rows(catalog, wanted)
    assert rows["track_id"].to_list() == [ids[3], ids[0], ids[3]]
    # The same answer as the join used for a catalog without the flag.
    unflagged = replace(catalog, tracks=catalog.tracks.with_columns(pl.col("track_id") + ""))
    assert not unflagged.tracks["track_id"].flags["SORTED_ASC"]
    assert catalog_rows(unflagged, wanted).equals(rows)


def test_changed_source_rebuilds(tmp_path, source):
    settings = _settings(tmp_path, source)
    before = load_catalog(settings)
    write_csv(source, KAGGLE_HEADER, [kaggle_row(i) for i in range(6)])
    steps = _Steps()
    after = load_catalog(settings, progress=steps)
    assert steps.built
    assert after.fingerprint != before.fingerprint
    assert after.tracks.height == 6


@pytest.mark.parametrize("damaged", ["tracks.parquet", "playlists.parquet", "report.json"])
def test_corrupt_cache_is_rebuilt(tmp_path, source, damaged):
    settings = _settings(tmp_path, source)
    cold = load_catalog(settings)
    (target,) = (tmp_path / "cache" / "catalog").glob(f"*{damaged}")
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])

    steps = _Steps()
    rebuilt = load_catalog(settings, progress=steps)
    assert steps.built
    assert rebuilt.tracks.equals(cold.tracks)
    again = _Steps()
    load_catalog(settings, progress=again)
    assert not again.built


def test_cache_with_a_wrong_schema_is_rebuilt(tmp_path, source):
    settings = _settings(tmp_path, source)
    cold = load_catalog(settings)
    (target,) = (tmp_path / "cache" / "catalog").glob("*tracks.parquet")
    cold.tracks.drop("tempo").write_parquet(target)
    steps = _Steps()
    assert load_catalog(settings, progress=steps).tracks.equals(cold.tracks)
    assert steps.built


@pytest.mark.slow
def test_reference_warm_load_matches_the_session_build(reference_settings, reference_catalog):
    steps = _Steps()
    warm = load_catalog(reference_settings, progress=steps)
    assert not steps.built
    assert warm.tracks.equals(reference_catalog.tracks)
    assert warm.fingerprint == reference_catalog.fingerprint


def test_unwritable_cache_still_returns_the_catalog(tmp_path, source, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    catalog = load_catalog(_settings(tmp_path, source))
    assert catalog.tracks.height == 5
    assert "could not write the catalog cache" in caplog.text


def _build_in_child(settings: Settings, ready, go, results) -> None:
    """One replica: wait for the start signal, then load (slowly building) the catalog."""
    from recommender.data import store

    real = store.build_from_files

    def slow_build(*args, **kwargs):
        # Long enough that the other replica arrives while this one still builds.
        import time

        time.sleep(1.0)
        return real(*args, **kwargs)

    store.build_from_files = slow_build
    steps = _Steps()
    ready.set()
    go.wait(300)
    catalog = store.load_catalog(settings, progress=steps)
    results.put((steps.built, catalog.tracks.height))


def test_two_replicas_on_one_cache_build_the_catalog_once(tmp_path, source):
    import multiprocessing

    settings = _settings(tmp_path, source)
    context = multiprocessing.get_context("spawn")  # fork is unsafe with polars threads
    go, results = context.Event(), context.Queue()
    readies = [context.Event() for _ in range(2)]
    children = [
        context.Process(target=_build_in_child, args=(settings, ready, go, results))
        for ready in readies
    ]
    for child in children:
        child.start()
    for ready in readies:
        assert ready.wait(300)  # a spawned interpreter imports polars: slow on a busy machine
    go.set()
    outcomes = [results.get(timeout=600) for _ in children]
    for child in children:
        child.join(timeout=60)
    # One built (under the lock); the other waited for it and read its cache.
    assert sorted(built for built, _ in outcomes) == [False, True]
    assert {height for _, height in outcomes} == {5}
