"""The Spotify session through real spotipy against the loopback fake: login, tokens,
retries and the error mapping (recommender/spotify/session.py and problems.py)."""

import threading

import pytest

from recommender.spotify import library as spotify
from recommender.spotify.problems import SpotifyProblem
from recommender.spotify.session import SAVE_KEY, SCOPES, TOKEN_KEY
from tests.conftest import ROOT
from tests.spotify_support import Sleeper, catalog_uris, log_in, make_session, top_ids


# -- login, tokens ---------------------------------------------------------------------------
def test_full_login_goes_authorize_token_me(fake_spotify, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    me = spotify.current_user(session)
    assert (me.user_id, me.display_name) == ("alice", "Alice")
    paths = [(r.method, r.path) for r in fake_spotify.requests()]
    assert paths == [("GET", "/authorize"), ("POST", "/api/token"), ("GET", "/v1/me/")]
    token = fake_spotify.requests("POST", "/api/token")[0]
    assert token.body["grant_type"] == "authorization_code"
    assert set(store) == {TOKEN_KEY}
    assert list(tmp_path.iterdir()) == [], "spotipy wrote a .cache file"


def test_authorize_url_points_at_the_configured_accounts_service(fake_spotify):
    url = make_session(fake_spotify).authorize_url("st")
    assert url.startswith(fake_spotify.base_url + "authorize?")
    for scope in SCOPES:
        assert scope in url


def test_no_file_holds_a_token_after_login(fake_spotify, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    store: dict = {}
    log_in(fake_spotify, "alice", store)
    spotify.top_tracks(make_session(fake_spotify, store), "short_term")
    secrets = {store[TOKEN_KEY]["access_token"], store[TOKEN_KEY]["refresh_token"]}
    offenders = []
    for folder in (ROOT, cache_dir):
        for path in folder.rglob("*"):
            if ".git" in path.parts or not path.is_file() or path.stat().st_size > 5_000_000:
                continue
            text = path.read_bytes()
            offenders += [path for s in secrets if s.encode() in text]
    assert offenders == []
    assert not (ROOT / ".cache").exists()


def test_calls_before_login_ask_for_login_without_prompting(fake_spotify):
    session = make_session(fake_spotify)
    with pytest.raises(SpotifyProblem) as problem:
        spotify.current_user(session)
    assert problem.value.needs_login
    assert fake_spotify.requests() == []


def test_bad_code_is_a_login_problem_and_stores_nothing(fake_spotify):
    store: dict = {}
    session = make_session(fake_spotify, store)
    with pytest.raises(SpotifyProblem, match="Log in") as problem:
        session.complete_login("not-a-code")
    assert problem.value.needs_login
    assert store == {}


def test_expired_access_token_is_refreshed_silently(fake_spotify):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    old = store[TOKEN_KEY]["access_token"]
    fake_spotify.expire_access_tokens()
    assert spotify.current_user(session).user_id == "alice"
    refresh = fake_spotify.requests("POST", "/api/token")[-1]
    assert refresh.body["grant_type"] == "refresh_token"
    assert store[TOKEN_KEY]["access_token"] != old
    assert store[TOKEN_KEY]["refresh_token"]


def test_token_past_its_expiry_is_refreshed_before_the_call(fake_spotify):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    store[TOKEN_KEY] = {**store[TOKEN_KEY], "expires_at": 0}
    assert spotify.current_user(session).user_id == "alice"
    assert [r.body["grant_type"] for r in fake_spotify.requests("POST", "/api/token")] == [
        "authorization_code",
        "refresh_token",
    ]
    assert not any(r.path.startswith("/v1/") and r.user is None for r in fake_spotify.requests())


@pytest.mark.parametrize("how", ["expired_at_spotify", "expired_locally"])
def test_failed_refresh_returns_to_login_and_forgets_the_token(fake_spotify, how):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    fake_spotify.revoke_refresh_tokens("alice")
    if how == "expired_at_spotify":
        fake_spotify.expire_access_tokens()
    else:
        store[TOKEN_KEY] = {**store[TOKEN_KEY], "expires_at": 0}
    with pytest.raises(SpotifyProblem) as problem:
        spotify.top_tracks(session, "short_term")
    assert problem.value.needs_login
    assert "expired" in problem.value.message
    assert TOKEN_KEY not in store
    assert not session.logged_in


def test_logout_forgets_the_token(fake_spotify):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    store[SAVE_KEY] = {"pending": True}
    session.logout()
    assert store == {}
    with pytest.raises(SpotifyProblem):
        spotify.current_user(session)


def test_two_users_in_two_sessions_never_see_each_other(fake_spotify):
    stores = {"alice": {}, "bob": {}}
    sessions = {user: log_in(fake_spotify, user, stores[user]) for user in stores}
    assert stores["alice"][TOKEN_KEY]["access_token"] != stores["bob"][TOKEN_KEY]["access_token"]
    results: dict = {}

    def read(user):
        for _ in range(5):
            me = spotify.current_user(sessions[user])
            ids = [t.track_id for t in spotify.top_tracks(sessions[user], "medium_term")]
            results.setdefault(user, []).append((me.user_id, ids))

    threads = [threading.Thread(target=read, args=(user,)) for user in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for user in stores:
        assert {me for me, _ in results[user]} == {user}
        assert all(ids == top_ids(fake_spotify, user, "medium_term") for _, ids in results[user])
    assert not set(top_ids(fake_spotify, "alice", "medium_term")) & set(
        top_ids(fake_spotify, "bob", "medium_term")
    )
    by_token_user = {r.user for r in fake_spotify.requests(path="/v1/.*")}
    assert by_token_user == {"alice", "bob"}


# -- errors --------------------------------------------------------------------------------------
def test_user_off_the_allow_list_gets_the_allow_list_explanation(fake_spotify):
    session = log_in(fake_spotify, "mallory")
    with pytest.raises(SpotifyProblem) as problem:
        spotify.top_tracks(session, "short_term")
    assert problem.value.kind == "allow_list"
    assert problem.value.status == 403
    assert "5 users" in problem.value.message
    assert "User Management" in problem.value.next_step


def test_other_users_playlist_is_forbidden(fake_spotify):
    session = log_in(fake_spotify, "alice")
    bobs = fake_spotify.playlists_of("bob")[0]
    with pytest.raises(SpotifyProblem) as problem:
        spotify.playlist_tracks(session, bobs.playlist_id)
    assert problem.value.kind == "forbidden"
    assert "development mode" in problem.value.message


def test_missing_playlist_is_404(fake_spotify):
    session = log_in(fake_spotify, "alice")
    with pytest.raises(SpotifyProblem) as problem:
        spotify.playlist_tracks(session, "0" * 22)
    assert (problem.value.kind, problem.value.status) == ("not_found", 404)


def test_short_retry_after_is_waited_out(fake_spotify):
    sleeper = Sleeper()
    session = log_in(fake_spotify, "alice", sleep=sleeper)
    fake_spotify.inject("GET", "/v1/me/top/tracks", status=429, retry_after=3)
    assert spotify.top_tracks(session, "short_term")
    assert sleeper.waits == [3.0]
    assert len(fake_spotify.requests("GET", "/v1/me/top/tracks")) == 2


def test_long_retry_after_says_when_to_retry(fake_spotify):
    sleeper = Sleeper()
    session = log_in(fake_spotify, "alice", sleep=sleeper)
    fake_spotify.inject("GET", "/v1/me/top/tracks", status=429, retry_after=120)
    with pytest.raises(SpotifyProblem) as problem:
        spotify.top_tracks(session, "short_term")
    assert (problem.value.kind, problem.value.retry_after) == ("rate_limited", 120.0)
    assert "120 seconds" in problem.value.next_step
    assert sleeper.waits == []


def test_quota_exceeded_is_said_as_such(fake_spotify):
    sleeper = Sleeper()
    session = log_in(fake_spotify, "alice", sleep=sleeper)
    fake_spotify.inject("GET", "/v1/me/", status=429, retry_after=1, reason="QUOTA_EXCEEDED")
    with pytest.raises(SpotifyProblem) as problem:
        spotify.current_user(session)
    assert problem.value.kind == "quota"
    assert "QUOTA_EXCEEDED" in problem.value.message
    assert sleeper.waits == []


def test_server_errors_are_retried_a_bounded_number_of_times_for_reads(fake_spotify):
    sleeper = Sleeper()
    session = log_in(fake_spotify, "alice", sleep=sleeper, read_retries=2)
    fake_spotify.inject("GET", "/v1/me/top/tracks", status=502, count=2)
    assert spotify.top_tracks(session, "long_term")
    assert len(sleeper.waits) == 2
    fake_spotify.inject("GET", "/v1/me/top/tracks", status=503, count=3)
    with pytest.raises(SpotifyProblem) as problem:
        spotify.top_tracks(session, "long_term")
    assert (problem.value.kind, problem.value.status) == ("unavailable", 503)
    assert "Try again" in problem.value.next_step
    assert len(fake_spotify.requests("GET", "/v1/me/top/tracks")) == 3 + 3


def test_timeouts_are_retried_for_reads_then_explained(fake_spotify):
    session = log_in(fake_spotify, "alice", requests_timeout=0.2, read_retries=1)
    fake_spotify.inject("GET", "/v1/me/", status=200, delay=0.5, count=1)
    assert spotify.current_user(session).user_id == "alice"
    fake_spotify.inject("GET", "/v1/me/", status=200, delay=0.5, count=2)
    with pytest.raises(SpotifyProblem, match="did not answer in time") as problem:
        spotify.current_user(session)
    assert problem.value.kind == "unavailable"


def test_writes_are_not_retried_on_server_errors(fake_spotify, fake_catalog):
    sleeper = Sleeper()
    session = log_in(fake_spotify, "alice", sleep=sleeper)
    fake_spotify.inject("POST", "/v1/me/playlists", status=502, count=5)
    with pytest.raises(SpotifyProblem):
        spotify.save_playlist(session, "Mix", catalog_uris(fake_catalog, 2))
    assert len(fake_spotify.requests("POST", "/v1/me/playlists")) == 1
    assert sleeper.waits == []


def test_401_refreshes_then_asks_for_login_when_spotify_still_refuses(fake_spotify):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    fake_spotify.inject("GET", "/v1/me/", status=401, count=2)
    with pytest.raises(SpotifyProblem) as problem:
        spotify.current_user(session)
    assert problem.value.needs_login
    assert fake_spotify.requests("POST", "/api/token")[-1].body["grant_type"] == "refresh_token"
    assert TOKEN_KEY not in store


def test_no_removed_endpoint_is_called_anywhere_in_the_core():
    # spotipy is imported in recommender/spotify/ only, so its removed methods can only be
    # called there.
    importers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("recommender", "ui", "pages")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "import spotipy" in path.read_text(encoding="utf-8")
        or "from spotipy" in path.read_text(encoding="utf-8")
    ]
    assert importers
    assert all(path.startswith("recommender/spotify/") for path in importers), importers
    removed = (
        ".audio_features(",
        ".audio_analysis(",
        ".recommendations(",
        ".user_playlist_create(",
        ".user_playlist_add_tracks(",
        ".playlist_tracks(",
        ".tracks(",
        '/tracks"',
        "/tracks'",
        "tracks/?ids",
        "artist_related_artists",
        "artist_top_tracks",
    )
    for path in sorted((ROOT / "recommender" / "spotify").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert [needle for needle in removed if needle in source] == [], path.name


def test_fake_answers_removed_endpoints_with_403(fake_spotify):
    session = log_in(fake_spotify, "alice")
    with pytest.raises(SpotifyProblem) as problem:
        session.call(lambda c: c._get("audio-features", ids="x"), read=True)
    assert problem.value.status == 403
    assert fake_spotify.removed_calls()
    fake_spotify.log.clear()  # this test called one on purpose
