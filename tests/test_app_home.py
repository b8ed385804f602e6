import pytest

from tests.app_support import new_app, texts


@pytest.fixture
def app(monkeypatch, generated_app_settings):
    """Home on made-up tracks; only the accent test below needs the real catalog."""
    return new_app(monkeypatch, generated_app_settings)


def _add_buttons(at):
    return [b for b in at.button if b.key and b.key.startswith("guest_add_")]


def test_home_renders_without_exception(app):
    at = app.run()
    assert not at.exception
    assert "sound like" in at.title[0].value
    # No gate: the search is there at once, and no way on before there is a seed.
    assert at.text_input(key="guest_search")
    assert "get_recommendations" not in [b.key for b in at.button]
    assert "Guest" in texts(at)
    # Without Spotify credentials guest mode is said once (in the sidebar), not on every block.
    assert texts(at).count("not configured") == 1


def test_guest_searches_adds_and_removes_seeds(monkeypatch, reference_settings, reference_catalog):
    at = new_app(monkeypatch, reference_settings).run()
    # Accent- and case-insensitive: the catalog spells it "Beyoncé".
    at.text_input(key="guest_search").set_value("BEYONCE halo").run()
    assert not at.exception
    buttons = _add_buttons(at)
    assert buttons, texts(at)
    first = buttons[0].key.removeprefix("guest_add_")
    row = reference_catalog.tracks.filter(reference_catalog.tracks["track_id"] == first)
    assert "Beyoncé" in row["artists"][0].to_list()
    buttons[0].click().run()
    assert at.session_state["seed_ids"] == [first]
    # The first seed brings the primary way on, right under the search box (before the hits).
    go = at.button(key="get_recommendations")
    assert (go.label, go.proto.type) == ("Get recommendations", "primary")
    keys = [b.key for b in at.button]
    assert keys.index("get_recommendations") < keys.index(f"guest_add_{first}")
    # Each hit says album, year and length, so versions of one song can be told apart.
    assert any(" · " in c.value and ":" in c.value for c in at.caption), texts(at)
    assert at.session_state["seed_source"] == "guest search"
    assert at.button(key=f"guest_add_{first}").disabled
    assert f"guest_remove_{first}" in [b.key for b in at.button]
    at.button(key=f"guest_remove_{first}").click().run()
    assert at.session_state["seed_ids"] == []
    assert not at.exception


def test_search_without_hits_says_what_to_do(app):
    at = app.run()
    at.text_input(key="guest_search").set_value("zzqxv qqzzx").run()
    assert not at.exception
    assert "Nothing in the catalog matches" in at.warning[0].value


def test_without_a_catalog_the_demo_is_offered(monkeypatch, generated_app_settings, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    at = new_app(
        monkeypatch,
        generated_app_settings,
        env={"RECOMMENDER_CATALOG": str(empty), "RECOMMENDER_CACHE_DIR": str(tmp_path / "c")},
    ).run()
    assert not at.exception
    # One sentence of what failed and what to do; the long list of what was tried folded away.
    assert len(at.error) == 1
    sentence = at.error[0].value
    assert sentence.count(". ") <= 1, sentence
    assert "demo catalog below" in sentence
    assert at.expander[0].label == "Details: what was tried"
    assert str(empty) in at.code[0].value
    assert not at.get("progress"), "no progress bar left at its last (green) step"
    at.button(key="use_demo").click().run()
    assert not at.exception
    assert at.text_input(key="guest_search")
    assert at.session_state["use_demo_catalog"] is True


def test_the_demo_says_so_and_survives_a_reload(monkeypatch, generated_app_settings, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    app = new_app(
        monkeypatch,
        generated_app_settings,
        env={"RECOMMENDER_CATALOG": str(empty), "RECOMMENDER_CACHE_DIR": str(tmp_path / "c")},
    )
    app.session_state["use_demo_catalog"] = True
    at = app.run()
    assert not at.exception
    # Chosen once, written into the address: a reload (a new session) keeps the demo.
    assert at.query_params["demo"] == "1"
    assert "Demo catalog" in texts(at)
    assert "demo track 42" in at.text_input(key="guest_search").placeholder
    assert "75,000" not in texts(at)
    reloaded = new_app(
        monkeypatch,
        generated_app_settings,
        env={"RECOMMENDER_CATALOG": str(empty), "RECOMMENDER_CACHE_DIR": str(tmp_path / "c")},
    )
    reloaded.query_params["demo"] = "1"
    reloaded.session_state["seed_ids"] = []
    at = reloaded.run()
    assert at.session_state["use_demo_catalog"] is True
    assert not at.error
    at.text_input(key="guest_search").set_value("demo track").run()
    first = next(b for b in at.button if b.key and b.key.startswith("guest_add_"))
    first.click().run()
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "spotify" not in table.columns, "no Open links to tracks that do not exist"


def test_seeds_show_their_sound_before_any_recommendation(app):
    import gc

    from ui import loaders

    # The long-lived objects are frozen once per loaded (catalog, model), so the collection
    # Streamlit forces after every run stays cheap.
    loaders._freeze_long_lived.clear()
    gc.unfreeze()
    at = app.run()
    assert gc.get_freeze_count() > 0
    assert not at.get("plotly_chart"), "no radar before there is a seed"
    at.button(key="surprise_me").click().run()
    assert not at.exception
    seeds = at.session_state["seed_ids"]
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    assert "The sound of your seeds" in charts[0].proto.spec
    table = at.dataframe[0].value
    assert len(table) == len(seeds)
    assert "energy" in table.columns
    assert "tempo" in table.columns
