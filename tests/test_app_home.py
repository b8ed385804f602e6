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
    assert at.button(key="continue_as_guest").label == "Continue as guest"
    assert "Guest" in texts(at)
    # Without Spotify credentials guest mode is said once (in the sidebar), not on every block.
    assert texts(at).count("not configured") == 1


def test_guest_searches_adds_and_removes_seeds(monkeypatch, reference_settings, reference_catalog):
    at = new_app(monkeypatch, reference_settings).run()
    at.button(key="continue_as_guest").click().run()
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
    assert at.session_state["seed_source"] == "guest search"
    assert at.button(key=f"guest_add_{first}").disabled
    assert f"guest_remove_{first}" in [b.key for b in at.button]
    at.button(key=f"guest_remove_{first}").click().run()
    assert at.session_state["seed_ids"] == []
    assert not at.exception


def test_search_without_hits_says_what_to_do(app):
    at = app.run()
    at.button(key="continue_as_guest").click().run()
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
    assert at.error, "the missing catalog must be reported"
    at.button(key="use_demo").click().run()
    assert not at.exception
    assert at.button(key="continue_as_guest")
    assert at.session_state["use_demo_catalog"] is True
