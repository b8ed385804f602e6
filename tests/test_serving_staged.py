"""A staged start: the small sources serve at once, the big one replaces them when ready.

Downloads go through the loopback mirror with made-up files in the public layouts
(tests/catalog_samples.py); the host's memory is injected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest

from recommender.data.sources import SOURCES
from recommender.engine.model import MODEL_FILENAME
from recommender.host import Memory
from recommender.serving import QUICK_MODEL_FILENAME, ServiceStore
from recommender.settings import Settings
from tests.catalog_samples import MILLION_HEADER, million_row, write_csv, write_public_files
from tests.mirror_server import serve

GB = 1_000_000_000
BIG_ROWS = 1_500
QUICK = tuple(s.name for s in SOURCES if s.quick)
SELECTION = ",".join([*QUICK, "songs12m"])


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory):
    root = write_public_files(tmp_path_factory.mktemp("staged-public"))
    rows = [million_row(50_000 + n) for n in range(BIG_ROWS)]
    write_csv(root / "tracks_features.csv", MILLION_HEADER, rows)
    return root


@pytest.fixture
def mirror(public_dir):
    with serve(public_dir) as running:
        yield running


@dataclass
class Jobs:
    """A runner that keeps each background job, by name, until the test runs it."""

    held: list = field(default_factory=list)

    def __call__(self, job, name):
        self.held.append((name, job))

    def names(self) -> list[str]:
        return [name for name, _ in self.held]

    def run_all(self) -> None:
        held, self.held = self.held, []
        for _, job in held:
            job()


def _settings(tmp_path, mirror, sources=SELECTION):
    env = {
        "RECOMMENDER_CACHE_DIR": str(tmp_path / "cache"),
        "RECOMMENDER_MIRROR_URL": mirror.url,
        "RECOMMENDER_SOURCES": sources,
    }
    return Settings.from_sources(env=env, secrets={})


def _store(jobs, limit_bytes, prepare=None, clock=None):
    return ServiceStore(
        demo=False,
        runner=jobs,
        memory=lambda: Memory(limit_bytes, "test limit", None),
        prepare=prepare,
        **({"clock": clock} if clock is not None else {}),
    )


def _consistent(services) -> bool:
    return services.model.catalog_fingerprint == services.catalog.fingerprint


def test_the_small_sources_serve_first_and_the_full_catalog_replaces_them(tmp_path, mirror):
    jobs = Jobs()
    prepared = []
    # What the app prepares (its search index) happens before the new pair serves.
    store = _store(jobs, 64 * GB, prepare=lambda s: prepared.append((s, store.services)))
    settings = _settings(tmp_path, mirror)
    quick = store.open(settings)
    assert prepared == []  # the first pair serves as soon as it is loaded
    # Served before the big file was even asked for.
    assert mirror.requested("tracks_features.csv") == 0
    assert jobs.names() == ["catalog-upgrade"]
    assert store.upgrade is not None
    assert store.upgrade.sources == (*QUICK, "songs12m")
    assert store.open(settings) is quick  # callers meanwhile get the quick pair
    assert _consistent(quick)

    seen = []
    record = store._upgrade_progress
    store._upgrade_progress = lambda f, t: (seen.append((f, t)), record(f, t))
    jobs.run_all()
    full = store.open(settings)
    assert full is not quick
    assert prepared == [(full, quick)]
    assert _consistent(full)
    assert full.catalog.tracks.height == quick.catalog.tracks.height + BIG_ROWS
    assert set(quick.catalog.tracks["track_id"]) <= set(full.catalog.tracks["track_id"])
    assert mirror.requested("tracks_features.csv") == 1
    assert store.upgrade is None
    assert not store.renewing
    assert store.last_renewal.startswith(
        f"switched to the full catalog ({full.catalog.tracks.height:,}"
    )
    assert seen, "the background build reports how far it is"
    assert all(0.0 <= f <= 1.0 for f, _ in seen)
    # The page that held the quick pair still holds a matching one.
    assert _consistent(quick)
    # Each stage keeps its own model, so a restart retrains neither.
    assert (settings.cache_dir / QUICK_MODEL_FILENAME).is_file()
    assert (settings.cache_dir / MODEL_FILENAME).is_file()


def test_a_restart_trains_neither_stage_again(tmp_path, mirror):
    jobs = Jobs()
    settings = _settings(tmp_path, mirror)
    store = _store(jobs, 64 * GB)
    store.open(settings)
    jobs.run_all()
    stamps = {
        name: (settings.cache_dir / name).stat().st_mtime_ns
        for name in (QUICK_MODEL_FILENAME, MODEL_FILENAME)
    }
    again = _store(jobs, 64 * GB)
    quick = again.open(settings)
    jobs.run_all()
    assert again.open(settings).catalog.tracks.height == quick.catalog.tracks.height + BIG_ROWS
    assert not [n for n in again.notes if n.kind == "model_retrained"]
    for name, stamp in stamps.items():
        assert (settings.cache_dir / name).stat().st_mtime_ns == stamp, name


def test_a_failed_full_catalog_keeps_the_quick_one_serving_and_says_why(tmp_path, mirror):
    mirror.faults["tracks_features.csv"] = "404"
    jobs = Jobs()
    store = _store(jobs, 64 * GB)
    settings = _settings(tmp_path, mirror)
    quick = store.open(settings)
    jobs.run_all()
    assert store.open(settings) is quick
    assert store.upgrade is None
    assert not store.renewing
    assert store.last_renewal is not None
    assert store.last_renewal.startswith("the full catalog could not be prepared")
    assert "songs12m/tracks_features.csv" in store.last_renewal
    assert "404" in store.last_renewal


def test_a_source_over_the_memory_budget_is_left_out_and_logged(tmp_path, mirror, caplog):
    jobs = Jobs()
    store = _store(jobs, 1 * GB)
    settings = _settings(tmp_path, mirror)
    with caplog.at_level(logging.WARNING, logger="recommender.serving"):
        services = store.open(settings)
    assert jobs.names() == []  # nothing bigger to switch to
    assert store.plan is not None
    assert store.plan.left_out == ("songs12m",)
    assert mirror.requested("tracks_features.csv") == 0
    assert "left out songs12m" in caplog.text
    sources = set(services.catalog.tracks["sources"].explode().to_list())
    assert "songs12m" not in sources
    assert sources


def test_given_files_are_served_as_they_are(tmp_path, public_dir):
    jobs = Jobs()
    store = _store(jobs, 1 * GB)
    env = {"RECOMMENDER_CACHE_DIR": str(tmp_path / "c"), "RECOMMENDER_CATALOG": str(public_dir)}
    services = store.open(Settings.from_sources(env=env, secrets={}))
    assert store.plan is None
    assert jobs.names() == []
    assert services.catalog.tracks.height > BIG_ROWS  # the big file too, whatever the budget


def test_a_failed_switch_is_tried_again_later_and_then_serves(tmp_path, mirror):
    from datetime import UTC, datetime

    from recommender.serving import UPGRADE_RETRY_S, Clock

    ticks = [1000.0]
    clock = Clock(monotonic=lambda: ticks[0], now=lambda: datetime(2026, 12, 4, tzinfo=UTC))
    mirror.faults["tracks_features.csv"] = "404"
    jobs = Jobs()
    store = _store(jobs, 64 * GB, clock=clock)
    settings = _settings(tmp_path, mirror)
    quick = store.open(settings)
    jobs.run_all()
    assert "tried again 10 minutes after" in store.last_renewal
    ticks[0] += UPGRADE_RETRY_S - 1
    assert store.open(settings) is quick
    assert jobs.names() == []  # not before the interval
    del mirror.faults["tracks_features.csv"]
    ticks[0] += 2
    assert store.open(settings) is quick  # the retry runs in the background
    assert store.open(settings) is quick
    assert jobs.names() == ["catalog-upgrade"]  # one retry, however many callers
    jobs.run_all()
    full = store.open(settings)
    assert full.catalog.tracks.height == quick.catalog.tracks.height + BIG_ROWS
    assert not store.serving_quick
    ticks[0] += 10 * UPGRADE_RETRY_S
    store.open(settings)
    assert jobs.names() == []  # the full catalog serves: nothing more to switch to
