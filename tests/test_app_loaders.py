"""The shared catalog+model store: one load for everyone, renewal in the background."""

import time

from recommender.settings import Settings
from ui.loaders import ServiceStore


def _settings(tmp_path, **env):
    return Settings.from_sources(env={"RECOMMENDER_CACHE_DIR": str(tmp_path), **env}, secrets={})


def _wait_until_renewed(store, timeout_s=120.0):
    deadline = time.monotonic() + timeout_s
    while store.renewing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not store.renewing, "the renewal did not finish"


def test_a_fresh_model_is_served_as_is(tmp_path):
    store = ServiceStore(demo=True)
    settings = _settings(tmp_path)
    first = store.get(settings)
    assert store.get(settings) is first
    assert not store.renewing
    assert first.catalog.synthetic


def test_a_stale_model_keeps_serving_while_it_is_renewed(tmp_path):
    store = ServiceStore(demo=True)
    # 0.00001 days is under a second: the model is stale right after loading.
    settings = _settings(tmp_path, RECOMMENDER_MAX_MODEL_AGE_DAYS="0.00001")
    old = store.get(settings)
    time.sleep(1.0)
    served = store.get(settings)
    assert served is old  # the caller is not blocked by the renewal
    _wait_until_renewed(store)
    fresh = store.get(settings)
    assert fresh is not old
    assert fresh.model.trained_at > old.model.trained_at
    assert "renewed at" in store.last_renewal
    assert "days ago" in store.last_renewal


def test_changed_catalog_files_are_noticed(tmp_path, monkeypatch):
    import ui.loaders as loaders

    data = tmp_path / "catalog.csv"
    data.write_text("x\n", encoding="utf-8")
    settings = _settings(tmp_path, RECOMMENDER_CATALOG=str(data))
    before = loaders._source_signature(settings)
    data.write_text("x\ny\n", encoding="utf-8")
    assert loaders._source_signature(settings) != before

    store = ServiceStore(demo=False)
    store.services = ServiceStore(demo=True).get(_settings(tmp_path / "demo"))
    store.signature = before
    monkeypatch.setattr(loaders, "FILE_CHECK_INTERVAL_S", 0.0)
    assert store.stale_reason(settings) == "the catalog files changed"
