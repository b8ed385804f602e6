"""The Streamlit login glue, one fresh AppTest per scenario (each run = one browser session)."""

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from recommender.spotify.oauth_state import (
    OAUTH_ERROR_MESSAGES,
    UNKNOWN_OAUTH_ERROR,
    issue_state,
)
from tests.conftest import APP
from tests.fake_spotify import authorize
from ui.plain import unescape

SCRIPT = """
import streamlit as st
from ui import login

login.handle_oauth_callback()
login.account_sidebar()
st.write("page body")
"""
STATE_SECRET = b"fake-state-secret"
TOKEN_KEY = "spotify:spotify_token_info"


def app(fake=None, query=None, secrets_table=True, script=None) -> AppTest:
    at = AppTest.from_string(script or SCRIPT, default_timeout=15)
    if fake is not None:
        if secrets_table:
            at.secrets["spotify"] = fake.env()
        else:
            for key, value in fake.env().items():
                at.secrets[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def login_href(at: AppTest) -> str:
    for block in at.markdown:
        found = re.search(r'<a href="([^"]+)" target="_top"', block.value)
        if found:
            return found.group(1).replace("&amp;", "&")
    raise AssertionError(f"no login anchor in {[m.value for m in at.markdown]}")


def errors(at: AppTest) -> str:
    """The error boxes' text as people read it (the Markdown escapes removed)."""
    return " ".join(unescape(e.value) for e in at.error)


def token_requests(fake):
    return fake.requests("POST", "/api/token")


def back_from_spotify(fake, user="alice"):
    fake.login_as(user)
    return authorize(login_href(app(fake)))


def test_without_credentials_guest_mode_is_said_once_without_error():
    at = app()
    assert not at.exception
    assert not at.error
    captions = [c.value for c in at.sidebar.caption]
    assert captions == ["Spotify login is not configured here; guest mode."]


def test_login_link_is_a_same_tab_anchor_to_the_configured_accounts_service(fake_spotify):
    at = app(fake_spotify)
    href = login_href(at)
    assert href.startswith(fake_spotify.base_url + "authorize?")
    assert "state=" in href
    assert 'target="_top"' in " ".join(m.value for m in at.markdown)
    assert not at.get("link_button")


def test_full_login_consumes_the_callback_and_shows_who_is_logged_in(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    at = app(fake_spotify, query=back)
    assert not at.exception
    assert not at.error
    assert dict(at.query_params) == {}
    assert TOKEN_KEY in at.session_state
    assert "Alice" in " ".join(m.value for m in at.sidebar.markdown)
    assert [r.path for r in fake_spotify.requests()] == [
        "/authorize",
        "/api/token",
        "/v1/me/",
    ]


def test_top_level_secrets_work_too(fake_spotify):
    back = back_from_spotify(fake_spotify, "bob")
    at = app(fake_spotify, query=back, secrets_table=False)
    assert not at.error
    assert "Bob" in " ".join(m.value for m in at.sidebar.markdown)


def test_two_sessions_two_users_never_share_a_token(fake_spotify):
    first = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"))
    second = app(fake_spotify, query=back_from_spotify(fake_spotify, "bob"))
    names = [" ".join(m.value for m in at.sidebar.markdown) for at in (first, second)]
    assert "Alice" in names[0]
    assert "Bob" not in names[0]
    assert "Bob" in names[1]
    assert "Alice" not in names[1]
    assert (
        first.session_state[TOKEN_KEY]["access_token"]
        != (second.session_state[TOKEN_KEY]["access_token"])
    )


def test_logout_forgets_the_token(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"))
    at.button(key="spotify_logout").click().run()
    assert not at.exception
    assert TOKEN_KEY not in at.session_state
    assert login_href(at).startswith(fake_spotify.base_url)


def test_replayed_callback_is_refused_without_a_second_token_request(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    app(fake_spotify, query=back)
    replay = app(fake_spotify, query=back)
    assert "only once" in errors(replay)
    assert TOKEN_KEY not in replay.session_state
    assert len(token_requests(fake_spotify)) == 1
    assert login_href(replay)


def test_forged_state_is_refused_before_any_token_request(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    forged = issue_state(b"attacker-secret")
    at = app(fake_spotify, query={"code": back["code"], "state": forged})
    assert "not signed by this app" in errors(at)
    assert dict(at.query_params) == {}
    assert token_requests(fake_spotify) == []
    assert login_href(at)


def test_expired_state_is_refused_before_any_token_request(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    old = issue_state(STATE_SECRET, now=time.time() - 11 * 60)
    at = app(fake_spotify, query={"code": back["code"], "state": old})
    assert "expired" in errors(at)
    assert token_requests(fake_spotify) == []


def test_missing_state_is_refused(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    at = app(fake_spotify, query={"code": back["code"]})
    assert "no login state" in errors(at)
    assert token_requests(fake_spotify) == []


def test_access_denied_explains_and_offers_a_fresh_link(fake_spotify):
    fake_spotify.deny_next_login()
    back = authorize(login_href(app(fake_spotify)))
    assert back["error"] == "access_denied"
    at = app(fake_spotify, query=back)
    assert "did not allow access" in errors(at)
    assert dict(at.query_params) == {}
    assert token_requests(fake_spotify) == []
    assert login_href(at)


@pytest.mark.parametrize("code", sorted(OAUTH_ERROR_MESSAGES))
def test_each_rfc_6749_error_code_gets_our_own_sentence(fake_spotify, code):
    at = app(fake_spotify, query={"error": code, "error_description": "[x](https://evil.example/)"})
    shown = errors(at)
    assert shown == f"Spotify login failed. {OAUTH_ERROR_MESSAGES[code]}"
    assert code not in shown
    assert "evil" not in shown
    assert dict(at.query_params) == {}
    assert login_href(at)


@pytest.mark.parametrize(
    "error",
    [
        "[Spotify support](https://evil.example/)",
        "![pixel](https://evil.example/p.png)",
        '<img src="https://evil.example/p.png">',
        "ACCESS_DENIED",
        "access_denied ",
    ],
)
def test_any_other_error_gets_one_generic_sentence(fake_spotify, error):
    at = app(fake_spotify, query={"error": error, "error_description": "call +1 555 0100"})
    assert errors(at) == f"Spotify login failed. {UNKNOWN_OAUTH_ERROR}"
    assert all("evil" not in block.value and "555" not in block.value for block in at.markdown)
    assert token_requests(fake_spotify) == []


def test_failed_token_exchange_explains_and_offers_a_fresh_link(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    at = app(fake_spotify, query={"code": "stale-code", "state": back["state"]})
    assert "Spotify login failed" in errors(at)
    assert not at.exception
    assert TOKEN_KEY not in at.session_state
    assert login_href(at)


def test_user_off_the_allow_list_is_told_why_and_stays_a_guest(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "mallory"))
    assert "allow-list" in errors(at)
    assert TOKEN_KEY not in at.session_state
    assert login_href(at)


def test_the_real_entrypoint_consumes_the_callback_before_navigation(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["spotify"] = fake_spotify.env()
    for key, value in back.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert "code" not in at.query_params
    assert "state" not in at.query_params
    assert TOKEN_KEY in at.session_state


READS = """
import streamlit as st
from ui import login

login.handle_oauth_callback()
tracks = login.top_tracks("short_term")
if tracks is not None:
    st.write(f"top {len(tracks)}")
    if st.button("Save", key="save"):
        saved = login.save_playlist("From the app", [t.track_id for t in tracks[:3]], public=False)
        if saved is not None:
            st.write(f"saved {saved.url}")
"""


def test_top_tracks_are_read_once_and_a_playlist_is_saved(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"), script=READS)
    expected = fake_spotify.users["alice"].top["short_term"]
    assert [m.value for m in at.markdown] == [f"top {len(expected)}"]
    at.button(key="save").click().run()
    assert not at.exception
    saved = [p for p in fake_spotify.playlists_of("alice") if p.name == "From the app"]
    assert len(saved) == 1
    assert saved[0].items == [f"spotify:track:{t}" for t in expected[:3]]
    assert f"saved https://open.spotify.com/playlist/{saved[0].playlist_id}" in [
        m.value for m in at.markdown
    ]
    assert len(fake_spotify.requests("GET", "/v1/me/top/tracks")) == 1


def test_quota_problem_is_shown_plainly_and_the_page_survives(fake_spotify):
    back = back_from_spotify(fake_spotify, "alice")
    fake_spotify.inject("GET", "/v1/me/top/tracks", status=429, reason="QUOTA_EXCEEDED")
    at = app(fake_spotify, query=back, script=READS)
    assert not at.exception
    assert "QUOTA_EXCEEDED" in errors(at)
    assert "Guest mode still works" in " ".join(c.value for c in at.caption)


PLAYLISTS = """
import streamlit as st
from tests.fake_spotify import factory_catalog
from ui import login

login.handle_oauth_callback()
for playlist in login.playlists() or []:
    content = login.playlist_tracks(playlist.playlist_id)
    st.write(f"{playlist.name}: {len(content.tracks)} tracks, {content.skipped_text}")
tracks = login.top_tracks("long_term") or []
st.write(login.resolve(tracks, factory_catalog()).report("top tracks"))
"""


def test_own_playlists_and_coverage_report_render(fake_spotify):
    at = app(fake_spotify, query=back_from_spotify(fake_spotify, "alice"), script=PLAYLISTS)
    assert not at.exception
    lines = [m.value for m in at.markdown]
    assert lines[0] == "Alice on the road: 3 tracks, skipped 1 local file, 1 podcast episode"
    n = len(fake_spotify.users["alice"].top["long_term"])
    assert lines[1] == (
        f"{n - 2} of {n} top tracks profiled: {n - 4} by id, 1 by title, 1 by artist profile; "
        "2 not found"
    )
