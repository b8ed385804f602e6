"""The shared catalog+model store: one load for everyone, renewal in the background."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from recommender import serving
from recommender.domain import LoadNote
from recommender.serving import Clock, Services, ServiceStore, source_signature
from recommender.settings import Settings
from tests.catalog_samples import KAGGLE_HEADER, kaggle_row, write_csv


def _settings(tmp_path, **env):
    return Settings.from_sources(env={"RECOMMENDER_CACHE_DIR": str(tmp_path), **env}, secrets={})


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    wall: datetime = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    ticks: float = 1000.0

    def advance(self, delta: timedelta) -> None:
        self.wall += delta
        self.ticks += delta.total_seconds()

    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.ticks, now=lambda: self.wall)


@dataclass
class HeldRunner:
    """A runner that keeps each background job until the test runs it."""

    jobs: list = field(default_factory=list)

    def __call__(self, job, name):
        assert name == "model-renewal"
        self.jobs.append(job)

    def run_all(self) -> None:
        jobs, self.jobs = self.jobs, []
        for job in jobs:
            job()


def test_a_fresh_model_is_served_as_is(tmp_path):
    runner = HeldRunner()
    store = ServiceStore(demo=True, clock=FakeClock().clock(), runner=runner)
    settings = _settings(tmp_path)
    first = store.open(settings)
    assert store.open(settings) is first
    assert not store.renewing
    assert runner.jobs == []
    assert first.catalog.synthetic


def test_a_stale_model_keeps_serving_while_it_is_renewed(tmp_path):
    time = FakeClock()
    runner = HeldRunner()
    store = ServiceStore(demo=True, clock=time.clock(), runner=runner)
    settings = _settings(tmp_path)
    old = store.open(settings)
    time.advance(timedelta(days=settings.max_model_age_days + 1))
    assert store.open(settings) is old  # the caller is not blocked by the renewal
    assert store.renewing
    assert len(runner.jobs) == 1
    assert store.open(settings) is old
    assert len(runner.jobs) == 1  # one renewal at a time
    runner.run_all()
    fresh = store.open(settings)
    assert fresh is not old
    assert fresh.model.trained_at == time.wall
    assert not store.renewing
    assert store.last_renewal.startswith("renewed at 2026-12-09 12:00 UTC because")
    assert "days ago" in store.last_renewal


def test_a_renewal_in_a_real_thread_is_awaited_not_slept_for(tmp_path):
    time = FakeClock()
    store = ServiceStore(demo=True, clock=time.clock())  # the default thread runner
    settings = _settings(tmp_path)
    old = store.open(settings)
    time.advance(timedelta(days=30))
    assert store.open(settings) is old
    assert store.wait_until_idle(timeout_s=120.0), "the renewal did not finish"
    assert store.open(settings) is not old


def test_a_failed_renewal_keeps_the_old_pair_and_says_why(tmp_path, monkeypatch):
    time = FakeClock()
    runner = HeldRunner()
    store = ServiceStore(demo=True, clock=time.clock(), runner=runner)
    settings = _settings(tmp_path)
    old = store.open(settings)

    def broken(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(store, "_build", broken)
    time.advance(timedelta(days=30))
    store.open(settings)
    runner.run_all()
    assert not store.renewing
    assert "renewal failed" in store.last_renewal
    assert "disk on fire" in store.last_renewal
    assert store.services is old
    # Still stale: the next request tries again, and the old pair keeps serving meanwhile.
    assert store.open(settings) is old
    assert len(runner.jobs) == 1


def test_changed_catalog_files_are_noticed(tmp_path):
    data = tmp_path / "catalog.csv"
    data.write_text("x\n", encoding="utf-8")
    settings = _settings(tmp_path, RECOMMENDER_CATALOG=str(data))
    before = source_signature(settings)
    data.write_text("x\ny\n", encoding="utf-8")
    assert source_signature(settings) != before

    time = FakeClock()
    store = ServiceStore(demo=False, clock=time.clock())
    store.services = ServiceStore(demo=True, clock=time.clock()).open(_settings(tmp_path / "d"))
    store.signature = before
    store.checked_at = time.ticks
    # Within the check interval the files are not even looked at.
    assert store.stale_reason(settings) is None
    time.advance(timedelta(seconds=serving.FILE_CHECK_INTERVAL_S))
    assert store.stale_reason(settings) == "the catalog files changed"


def test_the_load_notes_travel_with_the_pair_and_survive_retrain_now(tmp_path):
    store = ServiceStore(demo=False, clock=FakeClock().clock())
    demo = ServiceStore(demo=True).open(_settings(tmp_path / "d"))
    note = LoadNote(kind="catalog_cache_rebuilt", message="catalog cache x is unusable")
    stale = LoadNote(kind="model_unwritable", message="could not write the model")
    store.services = Services(catalog=demo.catalog, model=demo.model, notes=(note, stale))
    assert store.notes == (note, stale)
    retrained = store.retrain_now(_settings(tmp_path))
    assert retrained.model is not demo.model
    assert retrained.notes == (note,)  # the catalog's note holds; the old model's is gone
    assert store.notes == (note,)
    assert store.last_renewal.startswith("retrained on request at 2026-12-01 12:00 UTC")


def test_open_loads_once_for_callers_that_arrive_together(tmp_path, monkeypatch):
    store = ServiceStore(demo=True, clock=FakeClock().clock())
    settings = _settings(tmp_path)
    builds = []
    real_build = store._build
    entered = threading.Event()
    release = threading.Event()

    def slow_build(*args, **kwargs):
        builds.append(1)
        entered.set()
        assert release.wait(timeout=60)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(store, "_build", slow_build)
    results = []
    first = threading.Thread(target=lambda: results.append(store.open(settings)))
    first.start()
    assert entered.wait(timeout=60)
    second = threading.Thread(target=lambda: results.append(store.open(settings)))
    second.start()
    assert store.load_lock.locked()
    release.set()
    first.join(timeout=120)
    second.join(timeout=120)
    assert len(builds) == 1
    assert len(results) == 2
    assert results[0] is results[1]


@pytest.mark.parametrize("demo", [True, False])
def test_nothing_is_served_before_a_load(demo):
    store = ServiceStore(demo=demo)
    assert store.services is None
    assert store.notes == ()


def test_a_load_logs_how_much_memory_the_server_holds_of_its_limit(tmp_path, caplog):
    source = write_csv(tmp_path / "k.csv", KAGGLE_HEADER, [kaggle_row(i) for i in range(5)])
    settings = _settings(tmp_path / "cache", RECOMMENDER_CATALOG=str(source))
    caplog.set_level(logging.INFO, logger="recommender.serving")
    services = ServiceStore(demo=False, clock=FakeClock().clock()).open(settings)
    lines = [r for r in caplog.records if r.getMessage().startswith("memory after loading")]
    assert len(lines) == 1
    assert f"loading {services.catalog.tracks.height} tracks: " in lines[0].getMessage()
    assert " GB of " in lines[0].getMessage()
