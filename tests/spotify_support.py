"""Logging in to the loopback fake Spotify through real spotipy, for the adapter tests."""

from recommender.settings import Settings
from recommender.spotify.oauth_state import UsedStates, issue_state, verify_state
from recommender.spotify.session import SpotifySession
from tests.fake_spotify import authorize

SECRET = b"fake-state-secret"


class Sleeper:
    """Records requested waits instead of sleeping."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_session(fake, store=None, **options) -> SpotifySession:
    settings = Settings.from_sources(env=fake.env(), secrets={})
    options.setdefault("sleep", Sleeper())
    return SpotifySession(settings, {} if store is None else store, **options)


def log_in(fake, user: str, store=None, **options) -> SpotifySession:
    session = make_session(fake, store, **options)
    fake.login_as(user)
    state = issue_state(SECRET)
    back = authorize(session.authorize_url(state))
    verify_state(back["state"], SECRET, used=UsedStates())
    session.complete_login(back["code"])
    return session


def top_ids(fake, user, time_range):
    return fake.users[user].top[time_range]


def catalog_uris(fake_catalog, n):
    return [f"spotify:track:{t}" for t in fake_catalog.tracks["track_id"].head(n)]
