import polars as pl
import pytest

from recommender.domain import PROFILE_FEATURES
from recommender.host import Memory
from tests.app_support import new_app, plotly_specs, texts


@pytest.fixture
def app(monkeypatch, generated_app_settings, generated_catalog):
    return new_app(monkeypatch, generated_app_settings)


def test_explore_without_seeds(app, generated_catalog):
    at = app.run().switch_page("pages/explore.py").run()
    assert not at.exception
    assert at.metric[0].value == f"{generated_catalog.tracks.height:,}"
    assert at.metric[1].label == "Artists"
    assert at.metric[1].value == f"{generated_catalog.report['artists']:,}" == "40"
    specs = plotly_specs(at)
    histograms = [
        s for s in specs if s["data"][0]["type"] == "bar" and "orientation" not in s["data"][0]
    ]
    assert len(histograms) == len(PROFILE_FEATURES)
    energy = next(s for s in histograms if s["layout"]["title"]["text"] == "energy")
    assert sum(energy["data"][0]["y"]) == generated_catalog.tracks["energy"].drop_nulls().len()
    assert "Pick seeds on Home" in texts(at)


def test_explore_marks_the_seeds(app, generated_catalog):
    seed = generated_catalog.tracks.filter(pl.col("name") == "Song 007")
    app.session_state["seed_ids"] = [seed["track_id"][0]]
    at = app.run().switch_page("pages/explore.py").run()
    assert not at.exception
    specs = plotly_specs(at)
    energy = next(s for s in specs if s["layout"].get("title", {}).get("text") == "energy")
    assert energy["layout"]["shapes"][0]["x0"] == seed["energy"][0]
    scatter = specs[-1]
    assert scatter["data"][1]["name"] == "your seeds"
    assert scatter["data"][1]["x"] == [seed["energy"][0]]
    at.selectbox(key="explore_x").set_value("tempo").run()
    assert not at.exception
    assert plotly_specs(at)[-1]["layout"]["xaxis"]["title"]["text"] == "tempo (BPM)"


def test_model_page_for_a_visitor_has_no_retrain(app, generated_catalog):
    at = app.run().switch_page("pages/model.py").run()
    assert not at.exception
    values = [m.value for m in at.metric]
    assert f"{generated_catalog.tracks.height:,}" in values
    assert "retrain_now" not in [b.key for b in at.button]
    assert "7 days" in texts(at)
    # How much memory the server holds, and of which limit.
    assert any(c.value.startswith("Memory: ") and " GB" in c.value for c in at.caption)


def test_model_page_warns_when_the_server_is_near_its_memory_limit(app, monkeypatch):
    import ui.model_info

    near = Memory(1_000_000_000, "cgroup v2 memory.max", 900_000_000)
    monkeypatch.setattr(ui.model_info, "read_memory", lambda: near)
    at = app.run().switch_page("pages/model.py").run()
    assert not at.exception
    warning = next(w.value for w in at.warning if w.value.startswith("Memory: "))
    assert "0.90 GB of 1.00 GB (cgroup v2 memory.max), 90%" in warning
    assert "RECOMMENDER_SOURCES" in warning


def test_model_page_retrain_for_admin(monkeypatch, generated_app_settings, generated_catalog):
    at = new_app(monkeypatch, generated_app_settings, env={"RECOMMENDER_ADMIN": "1"}).run()
    at.switch_page("pages/model.py").run()
    trained_before = at.metric[0].value
    at.button(key="retrain_now").click().run()
    assert not at.exception
    assert "Retrained at" in at.success[0].value
    assert at.metric[0].value >= trained_before


def test_model_page_shows_the_recorded_evaluation(app):
    import json

    from recommender.evaluation.report import COLUMN_LEGEND
    from ui.model_info import EVALUATION_FILE
    from ui.plain import unescape

    recorded = json.loads(EVALUATION_FILE.read_text(encoding="utf-8"))
    ours = next(s for s in recorded["systems"] if s["name"] == "shipped defaults")
    at = app.run().switch_page("pages/model.py").run()
    assert not at.exception
    table = next(m.value for m in at.markdown if m.value.startswith("| system"))
    row = next(line for line in table.splitlines() if line.startswith("| shipped defaults |"))
    assert f"{ours['held_out']['recall@50']['mean']:.3f}" in row
    assert "excludes 0" in at.code[0].value
    # Every column is explained, and each row says exactly which weights it scored.
    legend = "\n".join(m.value for m in at.markdown)
    header = table.splitlines()[0]
    for column in COLUMN_LEGEND:
        assert column in unescape(header)
        assert f"**{column}**" in unescape(legend)
    assert "genre features: leak-free" in unescape(legend)
    assert any(m.value.startswith("| seeds from") for m in at.markdown)


def test_model_page_says_when_the_evaluation_file_is_damaged(app, monkeypatch, tmp_path):
    import ui.model_info

    broken = tmp_path / "evaluation.json"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(ui.model_info, "EVALUATION_FILE", broken)
    at = app.run().switch_page("pages/model.py").run()
    assert not at.exception
    assert "evaluation.json could not be read" in at.warning[0].value


def test_age_text_is_singular_for_one_minute():
    from datetime import timedelta

    from ui.model_info import _age_text

    assert _age_text(timedelta(seconds=61)) == "1 minute"
    assert _age_text(timedelta(minutes=5)) == "5 minutes"
    assert _age_text(timedelta(hours=3)) == "3.0 hours"


def test_explore_on_the_reference_catalog_shows_the_reports_counts(
    monkeypatch, reference_settings, reference_catalog
):
    at = new_app(monkeypatch, reference_settings).run().switch_page("pages/explore.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Tracks"] == f"{reference_catalog.tracks.height:,}"
    assert shown["Artists"] == f"{reference_catalog.report['artists']:,}"


def test_a_staged_start_says_which_catalog_serves_and_what_was_left_out(
    app, generated_app_settings, generated_catalog, monkeypatch
):
    from recommender.budget import plan_sources
    from recommender.data.sources import pick_sources
    from recommender.serving import Upgrade
    from ui import loaders

    at = app.run()
    store = loaders.service_store(False, str(generated_app_settings.cache_dir))
    assert store.services is not None
    plan = plan_sources(pick_sources(["kaggle", "songs12m", "spotify1m"]), limit_bytes=2 * 10**9)
    upgrade = Upgrade(sources=plan.full, tracks=plan.full_tracks, fraction=0.4, text="training")
    monkeypatch.setattr(store, "upgrade", upgrade)
    monkeypatch.setattr(store, "plan", plan)
    at.run()
    assert not at.exception
    (line,) = [i.value for i in at.info if "prepared in the background" in i.value]
    assert line.startswith(f"Serving {generated_catalog.tracks.height:,} tracks")
    assert f"up to {plan.full_tracks:,} (kaggle, songs12m)" in line
    assert "40%, training" in line
    at.switch_page("pages/model.py").run()
    assert not at.exception
    assert any("prepared in the background" in i.value for i in at.info)
    warning = next(w.value for w in at.warning if w.value.startswith("Catalog sources: "))
    assert "left out spotify1m" in warning
    assert "2.0 GB memory limit" in warning
    # Once the full catalog serves, nothing more is said.
    monkeypatch.setattr(store, "upgrade", None)
    at.switch_page("pages/home.py").run()
    assert not [i for i in at.info if "prepared in the background" in i.value]
