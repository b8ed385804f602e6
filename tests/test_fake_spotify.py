"""The fake itself: it must behave like Spotify where the app could get it wrong."""

import subprocess
import sys

import pytest
import requests

from recommender.settings import Settings
from recommender.spotify import library as spotify
from recommender.spotify.problems import SpotifyProblem
from recommender.spotify.session import TOKEN_KEY
from tests.conftest import ROOT
from tests.fake_spotify import RANGE_SIZES
from tests.spotify_support import log_in


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "audio-features?ids=x"),
        ("GET", "audio-features/x"),
        ("GET", "recommendations?seed_tracks=x"),
        ("POST", "users/alice/playlists"),
        ("GET", "playlists/x/tracks"),
        ("POST", "playlists/x/tracks"),
        ("GET", "tracks?ids=a,b"),
    ],
)
def test_removed_endpoints_answer_403(fake_spotify, method, path):
    session = log_in(fake_spotify, "alice")
    token = session.store[TOKEN_KEY]["access_token"]
    answer = requests.request(
        method,
        fake_spotify.api_url + path,
        headers={"Authorization": f"Bearer {token}"},
        json={"name": "x"},
        timeout=5,
    )
    assert answer.status_code == 403
    fake_spotify.log.clear()  # called on purpose


def test_dev_mode_limits_are_enforced(fake_spotify, fake_catalog):
    session = log_in(fake_spotify, "alice")
    with pytest.raises(SpotifyProblem, match="Invalid limit"):
        session.call(lambda c: c.search("song", limit=11), read=True)
    playlist = fake_spotify.playlists_of("alice")[0]
    uris = [f"spotify:track:{t}" for t in fake_catalog.tracks["track_id"].head(101)]
    with pytest.raises(SpotifyProblem, match="maximum of 100"):
        session.call(lambda c: c.playlist_add_items(playlist.playlist_id, uris), read=False)


def test_unknown_token_is_401(fake_spotify):
    answer = requests.get(
        fake_spotify.api_url + "me/", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert answer.status_code == 401


def test_standalone_process_serves_a_full_login():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_spotify", "--port", "0", "--login-as", "bob"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = process.stdout.readline().split()
        assert ready[0] == "FAKE_SPOTIFY_READY"
        base = ready[1]

        class Remote:
            """Enough of FakeSpotify's surface for log_in(): env() and login_as()."""

            def env(self):
                return {
                    "SPOTIPY_CLIENT_ID": "fake-client-id",
                    "SPOTIPY_CLIENT_SECRET": "fake-client-secret",
                    "SPOTIPY_REDIRECT_URI": "http://127.0.0.1:8501/",
                    "SPOTIFY_API_URL": base + "v1/",
                    "SPOTIFY_ACCOUNTS_URL": base,
                }

            def login_as(self, user):
                requests.post(base + "_control/login_as", params={"user": user}, timeout=5)

        session = log_in(Remote(), "alice")
        assert spotify.current_user(session).user_id == "alice"
        tracks = spotify.top_tracks(session, "short_term")
        assert len(tracks) == RANGE_SIZES["short_term"] + 4  # + the four special tracks
        log = requests.get(base + "_control/log", timeout=5).json()["requests"]
        assert [r["path"] for r in log][-3:] == ["/v1/me/", "/v1/me/top/tracks", "/_control/log"]
        assert Settings.from_sources(env=Remote().env(), secrets={}).spotify_configured
    finally:
        process.terminate()
        process.wait(timeout=10)
