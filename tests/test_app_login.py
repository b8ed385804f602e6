"""Logged-in flow against the loopback fake Spotify, one fresh AppTest per browser session."""

import pytest

from recommender.domain import track_uri
from recommender.settings import Settings
from recommender.spotify.oauth_state import issue_state
from recommender.spotify.session import SpotifySession
from tests.app_support import new_app, plotly_specs, texts
from tests.fake_spotify import authorize, build_fake


@pytest.fixture
def fake(generated_catalog):
    # Top tracks drawn from the app's (made-up) catalog, so they resolve like a listener's would;
    # and, like real Spotify, the fake knows every catalog track a playlist may receive.
    started = build_fake(generated_catalog.tracks)
    for row in generated_catalog.tracks.select("track_id", "name", "artists", "album").iter_rows(
        named=True
    ):
        started.tracks.setdefault(
            row["track_id"], {"id": row["track_id"], **row, "name": row["name"] or "?"}
        )
    started.start()
    yield started
    started.stop()
    assert not started.removed_calls()


def _back_from_spotify(fake, user="alice"):
    fake.login_as(user)
    settings = Settings.from_sources(env=fake.env(), secrets={})
    url = SpotifySession(settings, {}).authorize_url(issue_state(settings.state_secret))
    return authorize(url)


def _logged_in_app(monkeypatch, generated_app_settings, fake, user="alice"):
    at = new_app(monkeypatch, generated_app_settings, env=fake.env())
    for key, value in _back_from_spotify(fake, user).items():
        at.query_params[key] = value
    return at.run()


def test_login_shows_the_name_top_tracks_and_their_coverage(
    monkeypatch, generated_app_settings, fake
):
    at = _logged_in_app(monkeypatch, generated_app_settings, fake)
    assert not at.exception
    assert not at.error
    assert "code" not in at.query_params
    assert "Alice" in " ".join(m.value for m in at.sidebar.markdown)
    assert "**Guest**" not in " ".join(m.value for m in at.sidebar.markdown)
    assert "top tracks profiled" in texts(at)
    assert at.session_state["seed_source"] == "Spotify top tracks"
    medium = list(at.session_state["seed_ids"])
    assert medium
    at.radio(key="time_range").set_value("short_term").run()
    assert not at.exception
    assert at.session_state["seed_ids"] != medium
    ranges = [r.query.get("time_range") for r in fake.requests("GET", "/v1/me/top/tracks")]
    assert ranges == [["medium_term"], ["short_term"]]


def test_save_creates_one_playlist_with_exactly_the_shown_tracks(
    monkeypatch, generated_app_settings, fake
):
    at = _logged_in_app(monkeypatch, generated_app_settings, fake)
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception
    shown = [url.rsplit("/", 1)[1] for url in at.dataframe[0].value["spotify"]]
    # One top track is known only by its artist's average, but the seed policy takes exact
    # matches first: the seeds' profile is not an approximation.
    profile_radar = plotly_specs(at)[0]
    assert profile_radar["data"][0]["name"] == "Your seeds"
    assert at.text_input(key="playlist_name").value.startswith("Recommended ")
    at.text_input(key="playlist_name").set_value("My test mix").run()
    existing = {p.playlist_id for p in fake.playlists_of("alice")}
    bob_before = len(fake.playlists_of("bob"))
    at.button(key="save_playlist").click().run()
    assert not at.exception
    assert "Saved" in at.success[0].value
    at.button(key="save_playlist").click().run()  # a second click saves nothing new
    (playlist,) = [p for p in fake.playlists_of("alice") if p.playlist_id not in existing]
    assert playlist.name == "My test mix"
    assert playlist.public is False
    assert playlist.items == [track_uri(track_id) for track_id in shown]
    assert len(fake.requests("POST", "/v1/me/playlists")) == 1
    assert len(fake.playlists_of("bob")) == bob_before


def test_every_page_renders_when_logged_in(monkeypatch, generated_app_settings, fake):
    at = _logged_in_app(monkeypatch, generated_app_settings, fake)
    for page in ("pages/recommendations.py", "pages/explore.py", "pages/model.py", "pages/home.py"):
        at.switch_page(page).run()
        assert not at.exception, page


def test_spotify_down_shows_a_message_and_guest_search_still_works(
    monkeypatch, generated_app_settings, fake
):
    back = _back_from_spotify(fake)
    fake.inject("GET", "/v1/me/top/tracks", status=503, count=10)
    at = new_app(monkeypatch, generated_app_settings, env=fake.env())
    for key, value in back.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.error, texts(at)
    at.text_input(key="guest_search").set_value("song 007").run()
    assert [b for b in at.button if b.key and b.key.startswith("guest_add_")]


def test_a_listener_uses_one_of_their_playlists_as_seeds(monkeypatch, generated_app_settings, fake):
    at = _logged_in_app(monkeypatch, generated_app_settings, fake)
    assert not at.exception
    chooser = at.selectbox(key="playlist_choice")
    # Only the listener's own playlists (Carol's, merely followed, answers 403 for its items).
    assert chooser.options == ["Alice on the road"]
    at.button(key="use_playlist").click().run()
    assert not at.exception
    playlist = next(p for p in fake.playlists_of("alice") if p.name == "Alice on the road")
    expected = [uri.rsplit(":", 1)[1] for uri in playlist.items if uri.startswith("spotify:track:")]
    assert at.session_state["seed_source"] == "Spotify playlist"
    assert at.session_state["seed_ids"] == expected
    shown = texts(at)
    assert "3 of 3 tracks of “Alice on the road” profiled" in shown, shown
    assert "skipped 1 local file, 1 podcast episode" in shown
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception
    assert len(at.dataframe[0].value) > 0


def test_a_logged_in_listeners_seeds_follow_the_upload_seed_policy(
    monkeypatch, generated_app_settings, fake
):
    from recommender.data.store import load_catalog
    from recommender.text import primary_artist

    at = _logged_in_app(monkeypatch, generated_app_settings, fake)
    assert not at.exception
    tracks = load_catalog(generated_app_settings).tracks
    known = dict(zip(tracks["track_id"], tracks["artists"].to_list(), strict=True))
    seeds = at.session_state["seed_ids"]
    assert len(seeds) == 5
    assert all(seed in known for seed in seeds)  # exact matches only: no artist average
    per_artist = [primary_artist(known[seed]) for seed in seeds]
    assert max(per_artist.count(a) for a in per_artist) <= 2
    coverage = [c.value for c in at.caption if "songs in the catalog" in c.value]
    assert coverage
    assert coverage[0].endswith("the 5 seeds are exact matches")


def test_a_guests_list_survives_the_login_round_trip_once(
    monkeypatch, generated_app_settings, fake, generated_catalog
):
    from tests.test_ui_login import login_href

    ids = generated_catalog.tracks["track_id"].to_list()[10:12]
    guest = new_app(monkeypatch, generated_app_settings, env=fake.env())
    guest.query_params["seeds"] = ",".join(ids)
    guest.query_params["discover"] = "1"
    guest.query_params["weights"] = "energy:2"
    guest.run()
    assert guest.session_state["seed_ids"] == ids
    guest.switch_page("pages/home.py").run()
    fake.login_as("alice")
    answer = authorize(login_href(guest))
    # Spotify's redirect carries only code and state: the list waits on the server.
    assert set(answer) == {"code", "state"}

    back = new_app(monkeypatch, generated_app_settings, env=fake.env())
    for key, value in answer.items():
        back.query_params[key] = value
    back.run()
    assert not back.exception
    assert "Alice" in " ".join(m.value for m in back.sidebar.markdown)
    assert back.session_state["seed_ids"] == ids
    assert back.session_state["seed_source"] == "share link"
    assert back.toggle(key="discover").value is True
    assert back.slider(key="weight_energy").value == 2.0
    assert "code" not in back.query_params

    # The same answer again: the state is refused, and no list comes with it.
    replay = new_app(monkeypatch, generated_app_settings, env=fake.env())
    for key, value in answer.items():
        replay.query_params[key] = value
    replay.run()
    assert any("already used once" in e.value for e in replay.error)
    assert replay.session_state["seed_ids"] == []


OWN_CLIENT_ID = "0123456789abcdef0123456789abcdef"


def _own_app_env(fake):
    """The fake's URLs and no app of the server's own: only a listener's own app can log in."""
    env = fake.env()
    for name in ("SPOTIPY_CLIENT_ID", "SPOTIPY_CLIENT_SECRET", "SPOTIPY_REDIRECT_URI"):
        env.pop(name)
    fake.listener_apps.add(OWN_CLIENT_ID)
    return env


def _own_app_answer(monkeypatch, generated_app_settings, fake):
    from tests.test_ui_login import login_href

    at = new_app(monkeypatch, generated_app_settings, env=_own_app_env(fake))
    at.run()
    assert not at.exception
    assert any(e.label == "Use your own Spotify app" for e in at.expander)
    at.text_input(key="own_app_client_id").input("not-an-id").run()
    assert any("32 characters" in w.value for w in at.warning)
    at.text_input(key="own_app_client_id").input(OWN_CLIENT_ID).run()
    href = login_href(at)
    assert "code_challenge_method=S256" in href
    assert f"client_id={OWN_CLIENT_ID}" in href
    fake.login_as("alice")
    return authorize(href)


def test_a_listener_logs_in_with_their_own_app_saves_and_forgets_it(
    monkeypatch, generated_app_settings, fake
):
    answer = _own_app_answer(monkeypatch, generated_app_settings, fake)
    assert set(answer) == {"code", "state"}  # the client id is not in the app's address
    at = new_app(monkeypatch, generated_app_settings, env=_own_app_env(fake))
    for key, value in answer.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert "Alice" in " ".join(m.value for m in at.sidebar.markdown)
    assert at.session_state["seed_source"] == "Spotify top tracks"
    token_posts = fake.requests("POST", "/api/token")
    assert token_posts
    assert "code_verifier" in str(token_posts[-1].body)
    at.switch_page("pages/recommendations.py").run()
    existing = {p.playlist_id for p in fake.playlists_of("alice")}
    at.button(key="save_playlist").click().run()
    assert not at.exception
    assert [p for p in fake.playlists_of("alice") if p.playlist_id not in existing]
    at.switch_page("pages/home.py").run()
    at.button(key="forget_own_app").click().run()
    assert "Alice" not in " ".join(m.value for m in at.sidebar.markdown)
    assert "own_spotify_app" not in at.session_state


def test_a_replayed_own_app_state_is_refused_without_a_token_request(
    monkeypatch, generated_app_settings, fake
):
    answer = _own_app_answer(monkeypatch, generated_app_settings, fake)
    first = new_app(monkeypatch, generated_app_settings, env=_own_app_env(fake))
    for key, value in answer.items():
        first.query_params[key] = value
    first.run()
    before = len(fake.requests("POST", "/api/token"))
    replay = new_app(monkeypatch, generated_app_settings, env=_own_app_env(fake))
    for key, value in answer.items():
        replay.query_params[key] = value
    replay.run()
    assert any("already used once" in e.value for e in replay.error)
    assert len(fake.requests("POST", "/api/token")) == before


def test_the_fake_refuses_a_wrong_verifier_and_the_login_says_so(fake):
    from recommender.spotify.problems import SpotifyProblem
    from recommender.spotify.session import OwnApp, new_verifier

    env = _own_app_env(fake)
    settings = Settings.from_sources(env=env, secrets={})
    app = OwnApp(OWN_CLIENT_ID, "http://127.0.0.1:8501/")
    right = new_verifier()
    url = SpotifySession(settings, {}, own_app=app).authorize_url("s.1.x", verifier=right)
    fake.login_as("alice")
    code = authorize(url)["code"]
    store: dict = {}
    with pytest.raises(SpotifyProblem):
        SpotifySession(settings, store, own_app=app).complete_login(code, verifier=new_verifier())
    assert not store
    code = authorize(url)["code"]
    session = SpotifySession(settings, store, own_app=app)
    session.complete_login(code, verifier=right)
    assert session.logged_in
