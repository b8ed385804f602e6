"""The Save section's typed outcome: a saved playlist, then a Spotify problem to resume from."""

from tests.test_ui_login import app, back_from_spotify, errors
from ui.plain import unescape

SAVE_SCRIPT = """
import polars as pl
import streamlit as st
from ui import login, save

login.handle_oauth_callback()
tracks = login.top_tracks("short_term")
if tracks is not None:
    save.save_section(pl.DataFrame({"track_id": [t.track_id for t in tracks[:3]]}))
"""


def _texts(at) -> list[str]:
    return [unescape(element.value) for element in (*at.success, *at.markdown, *at.caption)]


def test_saved_then_a_failed_save_says_how_to_resume(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"), script=SAVE_SCRIPT)
    at.text_input(key="playlist_name").input("Mix one").run()
    at.button(key="save_playlist").click().run()
    assert not at.exception
    (created,) = [p for p in fake_spotify.playlists_of("alice") if p.name == "Mix one"]
    shown = _texts(at)
    assert 'Saved "Mix one" with 3 tracks.' in shown
    assert any(created.playlist_id in text for text in shown)

    fake_spotify.inject("POST", "/v1/me/playlists", status=503)
    at.text_input(key="playlist_name").input("Mix two").run()
    at.button(key="save_playlist").click().run()
    assert not at.exception
    assert "Spotify is having trouble (HTTP 503)." in errors(at)
    assert "Press Save again to continue where it stopped; nothing is added twice." in _texts(at)
    assert not any(text.startswith("Saved ") for text in _texts(at))


TAKE_SCRIPT = """
import polars as pl
from tests.factories import make_catalog
from ui import login, save

login.handle_oauth_callback()
catalog = make_catalog([{"name": "One"}, {"name": "Two"}])
save.take_to_spotify(pl.DataFrame({"track_id": catalog.tracks["track_id"].to_list()}), catalog)
"""


def test_with_a_login_configured_a_guest_is_pointed_at_it_beside_the_links(fake_spotify):
    at = app(fake_spotify, script=TAKE_SCRIPT)
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Log in on Home to save it straight into a playlist in your account." in captions
    assert not [b for b in at.button if b.key == "save_playlist"]
    (links,) = [c.value for c in at.code]
    assert len(links.splitlines()) == 2


def test_logged_in_the_save_form_comes_first_and_the_links_still_follow(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"), script=TAKE_SCRIPT)
    assert not at.exception
    assert [b.key for b in at.button if b.key == "save_playlist"] == ["save_playlist"]
    assert "Log in on Home" not in " ".join(c.value for c in at.caption)
    (links,) = [c.value for c in at.code]
    assert links.startswith("https://open.spotify.com/track/")
