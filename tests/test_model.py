import logging
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from recommender.cli import main
from recommender.engine.model import (
    ModelLoad,
    load_model,
    load_or_train,
    model_path,
    needs_retrain,
    open_model,
    save_model,
    train,
)
from recommender.engine.recommend import RecommendOptions, recommend
from recommender.settings import Settings
from tests.factories import make_catalog, track_id
from tests.reference import catalog_env

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _catalog(n: int = 60, *, shift: float = 0.0):
    rng = np.random.default_rng(1)
    rows = [
        {
            "name": f"Song {i}",
            "artists": [f"Artist {i % 13}"],
            "energy": float(rng.uniform(0, 1)) + shift,
            "valence": float(rng.uniform(0, 1)),
            "popularity": None if i % 3 == 0 else int(rng.integers(0, 100)),
            "genres": [] if i % 4 == 0 else [f"g{i % 5}"],
        }
        for i in range(n)
    ]
    return make_catalog(rows)


def _settings(tmp_path, **env):
    return Settings.from_sources(env={"RECOMMENDER_CACHE_DIR": str(tmp_path), **env}, secrets={})


def _trainings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "training the model" in r.getMessage()]


def test_training_is_deterministic():
    catalog = _catalog()
    first, second = train(catalog, now=T0), train(catalog, now=T0)
    assert np.array_equal(first.dense, second.dense)
    assert (first.artists != second.artists).nnz == 0
    assert first.artist_vocabulary == second.artist_vocabulary
    assert np.array_equal(first.song_codes, second.song_codes)


def test_save_then_load_gives_identical_results(tmp_path):
    catalog = _catalog()
    model = train(catalog, now=T0)
    path = tmp_path / "m.joblib"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded.trained_at == T0
    assert loaded.catalog_fingerprint == catalog.fingerprint
    seeds = [track_id(1), track_id(7)]
    options = RecommendOptions(per_seed=6, max_per_artist=2)
    weights = {"energy": 3.0, "genre": 0.0}
    assert recommend(loaded, catalog, seeds, weights=weights, options=options) == recommend(
        model, catalog, seeds, weights=weights, options=options
    )
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    assert list(loaded.track_ids) == list(model.track_ids) == catalog.tracks["track_id"].to_list()
    assert loaded.index[track_id(7)] == model.index[track_id(7)] == 7


def test_the_model_holds_one_copy_of_the_values():
    """``dense`` and ``compared`` are views of the matrix the query multiplies by."""
    model = train(_catalog(), now=T0)
    assert np.shares_memory(model.dense, model.query_t)
    assert np.shares_memory(model.compared, model.query_t)
    assert np.array_equal(model.compared[:, : model.known.shape[1]].astype(bool), model.known)
    # A stored model is a plain payload: bytes for the ids, a contiguous dense block.
    payload = model.to_payload()
    assert payload["track_ids"].dtype.kind == "S"
    assert payload["dense"].flags.c_contiguous


def test_load_or_train_reuses_a_current_artifact(tmp_path, caplog):
    catalog, settings, clock = _catalog(), _settings(tmp_path), FakeClock()
    caplog.set_level(logging.INFO, logger="recommender.engine.model")
    first = load_or_train(catalog, settings, clock=clock)
    assert model_path(settings).is_file()
    clock.now = T0 + timedelta(days=6)
    second = load_or_train(catalog, settings, clock=clock)
    assert second.trained_at == first.trained_at == T0
    assert len(_trainings(caplog)) == 1
    assert "no model at" in _trainings(caplog)[0]


def _tamper(settings, change):
    path = model_path(settings)
    model = load_model(path)
    change(model)
    save_model(model, path)


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda s, c: None, "older than RECOMMENDER_MAX_MODEL_AGE_DAYS=2"),
        (lambda s, c: setattr(c, "now", T0), "catalog"),
        (lambda s, c: _tamper(s, lambda m: m.schema.update(format=0)), "schema"),
        (lambda s, c: _tamper(s, lambda m: m.versions.update(numpy="1.0.0")), "libraries"),
        (lambda s, c: model_path(s).write_bytes(b"not a joblib file"), "unreadable"),
        (
            lambda s, c: model_path(s).write_bytes(model_path(s).read_bytes()[:200]),
            "unreadable",
        ),
        (lambda s, c: model_path(s).unlink(), "no model at"),
    ],
    ids=[
        "too-old",
        "other-catalog",
        "other-schema",
        "other-versions",
        "garbage",
        "truncated",
        "missing",
    ],
)
def test_every_retrain_trigger(tmp_path, caplog, setup, reason):
    settings = _settings(tmp_path, RECOMMENDER_MAX_MODEL_AGE_DAYS="2")
    catalog, clock = _catalog(), FakeClock()
    load_or_train(catalog, settings, clock=clock)
    clock.now = T0 + timedelta(days=3) if reason.startswith("older") else T0 + timedelta(days=1)
    if reason == "catalog":
        catalog = _catalog(shift=0.01)
    setup(settings, clock)
    caplog.set_level(logging.INFO, logger="recommender.engine.model")
    # Only the second load is under test; an earlier test may have left the logger at INFO,
    # so the first training's message can already be in the capture.
    caplog.clear()
    model = load_or_train(catalog, settings, clock=clock)
    assert model.trained_at == clock.now
    assert model.catalog_fingerprint == catalog.fingerprint
    messages = _trainings(caplog)
    assert len(messages) == 1
    assert reason in messages[0]
    # The replacement was saved and is now current.
    assert needs_retrain(load_model(model_path(settings)), catalog, settings, now=clock.now) is None


def test_force_retrains_a_current_artifact(tmp_path):
    catalog, settings, clock = _catalog(), _settings(tmp_path), FakeClock()
    load_or_train(catalog, settings, clock=clock)
    clock.now = T0 + timedelta(hours=1)
    assert load_or_train(catalog, settings, clock=clock, force=True).trained_at == clock.now


def test_unwritable_cache_still_returns_a_model(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    settings = _settings(blocker)
    caplog.set_level(logging.WARNING, logger="recommender.engine.model")
    model = load_or_train(_catalog(), settings, clock=FakeClock())
    assert model.n_tracks == 60
    assert caplog.records


def test_two_concurrent_trainers_train_once(tmp_path, caplog):
    # Big enough that training overlaps the second trainer's start.
    catalog, settings = _catalog(3000), _settings(tmp_path)
    caplog.set_level(logging.INFO, logger="recommender.engine.model")
    start = threading.Barrier(2)
    models = []

    def trainer():
        start.wait()
        models.append(load_or_train(catalog, settings))

    threads = [threading.Thread(target=trainer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(models) == 2
    assert len(_trainings(caplog)) == 1
    assert models[0].trained_at == models[1].trained_at
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "track_model.joblib",
        "track_model.joblib.lock",
    ]


def test_empty_catalog_is_refused():
    with pytest.raises(ValueError, match="empty catalog"):
        train(make_catalog([]))


@pytest.mark.slow
def test_cli_train_reports_the_artifact(reference_settings, reference_catalog, monkeypatch, capsys):
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog_env(reference_settings))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    assert main(["train"]) == 0
    out = capsys.readouterr().out
    assert f"model: {model_path(reference_settings)}" in out
    assert f"tracks: {reference_catalog.tracks.height}" in out
    assert "trained_at: " in out
    assert "features: 17 weights" in out


def test_open_model_says_why_it_trained_and_notes_only_a_replaced_model(tmp_path):
    settings, catalog, clock = _settings(tmp_path), _catalog(), FakeClock()
    first = open_model(catalog, settings, clock=clock)
    assert first.trained is not None
    assert first.trained.startswith("no model at")
    assert first.notes == ()  # a first start works nothing around
    again = open_model(catalog, settings, clock=clock)
    assert again == ModelLoad(model=again.model)  # the stored artifact, nothing trained
    assert again.model.trained_at == first.model.trained_at
    model_path(settings).write_bytes(b"not a joblib file")
    replaced = open_model(catalog, settings, clock=clock)
    assert [note.kind for note in replaced.notes] == ["model_retrained"]
    assert replaced.notes[0].message.startswith("training the model: ")
    assert "unreadable" in replaced.notes[0].message


def test_a_format_1_artifact_is_retrained_not_misread(tmp_path, caplog):
    import joblib

    from recommender.engine.features import LAYOUT

    catalog, settings, clock = _catalog(), _settings(tmp_path), FakeClock()
    caplog.set_level(logging.INFO, logger="recommender.engine.model")
    payload = load_or_train(catalog, settings, clock=clock).to_payload()
    # Format 1 also stored one "unknown" flag column per dense feature after the values.
    payload["dense"] = np.hstack([payload["dense"], ~payload["known"]]).astype(np.float32)
    payload["schema"] = {"format": 1, "weights": payload["schema"]["weights"]}
    joblib.dump(payload, model_path(settings))
    model = load_or_train(catalog, settings, clock=clock)
    assert "schema" in _trainings(caplog)[-1]
    assert model.dense.shape[1] == LAYOUT.n_values
