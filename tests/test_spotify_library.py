"""Reads and the resumable save through real spotipy against the loopback fake
(recommender/spotify/library.py)."""

import pytest

from recommender.spotify import library as spotify
from recommender.spotify.problems import SpotifyProblem
from recommender.spotify.session import SAVE_KEY
from tests.spotify_support import catalog_uris, log_in, make_session, top_ids


# -- reads -------------------------------------------------------------------------------------
@pytest.mark.parametrize("time_range", ["short_term", "medium_term", "long_term"])
def test_top_tracks_for_each_range(fake_spotify, fake_catalog, time_range):
    session = log_in(fake_spotify, "alice")
    tracks = spotify.top_tracks(session, time_range)
    expected = top_ids(fake_spotify, "alice", time_range)
    assert [t.track_id for t in tracks] == expected
    assert 0 < len(tracks) <= 50
    catalog_names = dict(fake_catalog.tracks.select("track_id", "name").iter_rows())
    first = tracks[0]
    assert first.name == catalog_names[first.track_id]
    call = fake_spotify.requests("GET", "/v1/me/top/tracks")[-1]
    assert call.query["time_range"] == [time_range]
    assert call.query["limit"] == ["50"]


def test_top_tracks_rejects_bad_arguments(fake_spotify):
    session = make_session(fake_spotify)
    with pytest.raises(ValueError, match="time_range"):
        spotify.top_tracks(session, "forever")
    with pytest.raises(ValueError, match="limit"):
        spotify.top_tracks(session, "short_term", limit=51)


def test_own_playlists_only_and_items_skip_local_files_and_episodes(fake_spotify):
    session = log_in(fake_spotify, "alice")
    playlists = spotify.user_playlists(session)
    assert [p.name for p in playlists] == ["Alice on the road"]
    assert playlists[0].n_items == 5
    everything = spotify.user_playlists(session, owned_only=False)
    assert {p.name for p in everything} == {"Alice on the road", "Carol's party"}
    content = spotify.playlist_tracks(session, playlists[0].playlist_id)
    assert [t.track_id for t in content.tracks] == top_ids(fake_spotify, "alice", "short_term")[:3]
    assert (content.skipped_local, content.skipped_episodes) == (1, 1)
    assert content.skipped_text == "skipped 1 local file, 1 podcast episode"
    items_calls = fake_spotify.requests("GET", r"/v1/playlists/[^/]+/items")
    assert len(items_calls) == 1


@pytest.mark.parametrize("item_key", ["item", "track", "both"])
def test_playlist_items_read_item_or_the_older_track_key(fake_spotify, item_key):
    fake_spotify.item_key = item_key
    session = log_in(fake_spotify, "alice")
    playlist = spotify.user_playlists(session)[0]
    assert len(spotify.playlist_tracks(session, playlist.playlist_id).tracks) == 3


def test_long_playlists_are_paged(fake_spotify):
    session = log_in(fake_spotify, "alice")
    ids = top_ids(fake_spotify, "alice", "long_term")[:46]
    ids += top_ids(fake_spotify, "alice", "medium_term")[:20]
    playlist = fake_spotify.add_playlist("alice", "Long", [f"spotify:track:{t}" for t in ids])
    content = spotify.playlist_tracks(session, playlist.playlist_id)
    assert [t.track_id for t in content.tracks] == ids
    assert len(fake_spotify.requests("GET", f"/v1/playlists/{playlist.playlist_id}/items")) == 2


def test_search_and_single_track_lookup(fake_spotify, fake_catalog):
    session = log_in(fake_spotify, "alice")
    first = fake_catalog.tracks.row(0, named=True)
    hits = spotify.search_tracks(session, first["name"])
    assert first["track_id"] in [t.track_id for t in hits]
    assert len(hits) <= 10
    assert spotify.track(session, f"spotify:track:{first['track_id']}").name == first["name"]
    with pytest.raises(ValueError, match="limit"):
        spotify.search_tracks(session, "x", limit=20)


# -- saving -------------------------------------------------------------------------------------
def test_save_150_tracks_one_playlist_two_item_calls_exact_uris(fake_spotify, fake_catalog):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    uris = catalog_uris(fake_catalog, 150)
    saved = spotify.save_playlist(session, "My mix", uris)
    assert len(fake_spotify.requests("POST", "/v1/me/playlists")) == 1
    adds = fake_spotify.requests("POST", r"/v1/playlists/[^/]+/items")
    assert [len(a.body) for a in adds] == [100, 50]
    assert fake_spotify.playlists[saved.playlist_id].items == uris
    assert saved.url == f"https://open.spotify.com/playlist/{saved.playlist_id}"
    assert (saved.added, saved.n_tracks, saved.resumed) == (150, 150, False)
    created = fake_spotify.playlists[saved.playlist_id]
    assert (created.owner, created.name, created.public) == ("alice", "My mix", False)
    assert fake_spotify.requests(path="/v1/users/.*") == []


def test_save_records_intent_before_the_first_call(fake_spotify, fake_catalog):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    fake_spotify.inject("POST", "/v1/me/playlists", status=503)
    uris = catalog_uris(fake_catalog, 3)
    with pytest.raises(SpotifyProblem, match="Save again"):
        spotify.save_playlist(session, "Mix", uris, public=True)
    intent = store[SAVE_KEY]
    assert (intent.name, intent.uris, intent.public) == ("Mix", uris, True)
    assert len(fake_spotify.requests("POST", "/v1/me/playlists")) == 1, "creation was retried"


def test_lost_creation_answer_does_not_make_a_second_playlist(fake_spotify, fake_catalog):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    fake_spotify.inject("POST", "/v1/me/playlists", status=500, after=True)
    uris = catalog_uris(fake_catalog, 150)
    with pytest.raises(SpotifyProblem) as problem:
        spotify.save_playlist(session, "Mix", uris)
    assert problem.value.kind == "unavailable"
    saved = spotify.save_playlist(session, "Mix", uris)
    mine = [p for p in fake_spotify.playlists_of("alice") if p.name == "Mix"]
    assert len(mine) == 1
    assert mine[0].playlist_id == saved.playlist_id
    assert mine[0].items == uris
    assert saved.resumed
    assert len(fake_spotify.requests("POST", "/v1/me/playlists")) == 1


@pytest.mark.parametrize("after", [False, True], ids=["chunk-refused", "chunk-answer-lost"])
def test_interrupted_chunk_resumes_without_duplicates(fake_spotify, fake_catalog, after):
    store: dict = {}
    session = log_in(fake_spotify, "alice", store)
    uris = catalog_uris(fake_catalog, 230)
    fake_spotify.inject("POST", r"/v1/playlists/[^/]+/items", status=502, after=after)
    with pytest.raises(SpotifyProblem):
        spotify.save_playlist(session, "Mix", uris)
    saved = spotify.save_playlist(session, "Mix", uris)
    assert fake_spotify.playlists[saved.playlist_id].items == uris
    assert saved.added == (130 if after else 230)
    assert len(fake_spotify.playlists_of("alice")) == 2  # the fixture's own + this one
    again = spotify.save_playlist(session, "Mix", uris)
    assert again.playlist_id == saved.playlist_id
    assert again.added == 0
    assert fake_spotify.playlists[saved.playlist_id].items == uris


def test_rerun_mid_save_with_a_fresh_session_object_resumes(fake_spotify, fake_catalog):
    store: dict = {}
    log_in(fake_spotify, "alice", store)
    uris = catalog_uris(fake_catalog, 120)
    fake_spotify.inject("POST", r"/v1/playlists/[^/]+/items", status=500, count=1)
    with pytest.raises(SpotifyProblem):
        spotify.save_playlist(make_session(fake_spotify, store), "Mix", uris)
    saved = spotify.save_playlist(make_session(fake_spotify, store), "Mix", uris)
    assert fake_spotify.playlists[saved.playlist_id].items == uris


def test_a_different_playlist_is_a_new_save(fake_spotify, fake_catalog):
    session = log_in(fake_spotify, "alice")
    uris = catalog_uris(fake_catalog, 4)
    first = spotify.save_playlist(session, "One", uris)
    second = spotify.save_playlist(session, "Two", uris[:2])
    assert first.playlist_id != second.playlist_id
    assert fake_spotify.playlists[second.playlist_id].items == uris[:2]


def test_save_rejects_empty_input(fake_spotify):
    session = make_session(fake_spotify)
    with pytest.raises(ValueError, match="name"):
        spotify.save_playlist(session, " ", ["spotify:track:" + "a" * 22])
    with pytest.raises(ValueError, match="no tracks"):
        spotify.save_playlist(session, "x", [])
    with pytest.raises(ValueError, match="not a Spotify track id"):
        spotify.save_playlist(session, "x", ["spotify:episode:abc"])


def test_half_saved_playlist_deleted_meanwhile_is_saved_anew(fake_spotify, fake_catalog):
    session = log_in(fake_spotify, "alice")
    uris = catalog_uris(fake_catalog, 120)
    fake_spotify.inject("POST", r"/v1/playlists/[^/]+/items", status=500, count=1)
    with pytest.raises(SpotifyProblem):
        spotify.save_playlist(session, "Mix", uris)
    first_id = session.store[SAVE_KEY].playlist_id
    del fake_spotify.playlists[first_id]
    saved = spotify.save_playlist(session, "Mix", uris)
    assert saved.playlist_id != first_id
    assert fake_spotify.playlists[saved.playlist_id].items == uris
    assert len(fake_spotify.requests("POST", "/v1/me/playlists")) == 2
