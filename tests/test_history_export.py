"""Every file of a Spotify export (playlists, library, podcasts, videos, endsong, Exportify
generations), from a file, a folder and a zip; the seed policy; the CLI's report."""

from __future__ import annotations

import json
import os
import random

import pytest

from recommender.cli import main
from recommender.domain import track_uri
from recommender.seeds.choose import Candidate, choose_seeds, resolution_candidates
from recommender.seeds.history import import_history
from recommender.seeds.resolve import resolve_features
from recommender.text import primary_artist
from tests.factories import make_catalog, track_id
from tests.history_exports import (
    CATALOG,
    EXPORTIFY_HEADERS,
    MINUTE,
    account_json,
    endsong_json,
    exportify_generation,
    library_json,
    playlists_json,
    podcast_json,
    video_json,
    zip_of,
)

PLAYLIST = playlists_json({"Road trip": [("Halo", "Beyoncé", track_id(0))]})
LIBRARY = library_json(
    [("Crazy in Love", "Beyoncé, JAY-Z", track_id(1))],
    banned_tracks=[("Bohemian Rhapsody", "Queen", None)],
    banned_artists=["Nickelback"],
)


def _kinds(result):
    return {
        s.file.rsplit("/", 1)[-1]: (s.kind, s.counted, s.skipped, s.music) for s in result.files
    }


def test_playlist_and_library_files_are_read_as_chosen_tracks():
    result = import_history(
        [("Playlist1.json", PLAYLIST), ("YourLibrary.json", LIBRARY)], catalog=CATALOG
    )
    assert result.problems == []
    assert [(p.name, p.chosen) for p in result.plays] == [
        ("Halo", True),
        ("Crazy in Love", True),
    ]
    assert [(m.track_id, m.how) for m in result.matches] == [
        (track_id(0), "by_id"),
        (track_id(1), "by_id"),
    ]
    kinds = _kinds(result)
    assert kinds["Playlist1.json"] == ("account-data playlists (1)", 1, 1, True)
    assert kinds["YourLibrary.json"][:3] == ("account-data library", 1, 0)
    # Banned tracks in the catalog become "not this" exclusions; banned artists by name.
    assert result.banned_tracks == {track_id(2): "Bohemian Rhapsody – Queen"}
    assert result.banned_artists == ("Nickelback",)
    assert track_id(2) not in result.seeds().seed_ids


def test_a_chosen_track_ranks_as_if_played_often():
    history = account_json(
        [("Song A", "Artist A", 5 * 60 * MINUTE), ("Song B", "Artist B", 3 * MINUTE)]
    )
    playlist = playlists_json({"Mine": [("Song C", "Artist C", None)]})
    result = import_history(
        [("StreamingHistory_music_0.json", history), ("Playlist1.json", playlist)]
    )
    # Five hours of plays outrank a choice; a choice outranks three minutes.
    assert [p.name for p in result.plays] == ["Song A", "Song C", "Song B"]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        (
            "StreamingHistory_podcast_0.json",
            podcast_json([("Show", "Ep 1", 40 * MINUTE)]),
            "podcast",
        ),
        (
            "StreamingHistory_audiobook_0.json",
            json.dumps([{"endTime": "2024-01-01 10:00", "audiobookName": "B", "msPlayed": 9}]),
            "audiobook",
        ),
        (
            "StreamingHistory_video_0.json",
            b'[{"endTime": "2024-01-01 10:00", "msPlayed": 9}]',
            "video",
        ),
    ],
)
def test_non_music_account_files_are_skipped_and_counted_not_errors(name, data, kind):
    data = data.encode() if isinstance(data, str) else data
    music = account_json([("Halo", "Beyoncé", 3 * MINUTE)])
    result = import_history([("StreamingHistory_music_0.json", music), (name, data)])
    assert result.problems == []
    assert _kinds(result)[name] == (f"account-data {kind} history", 0, 1, False)
    assert [p.name for p in result.plays] == ["Halo"]


def test_extended_video_and_endsong_files():
    endsong = endsong_json([("Halo", "Beyoncé", track_id(0), 3 * MINUTE, 1)])
    result = import_history(
        [("endsong_0.json", endsong), ("Streaming_History_Video_2024.json", video_json())],
        catalog=CATALOG,
    )
    assert result.problems == []
    kinds = _kinds(result)
    assert kinds["endsong_0.json"] == ("extended streaming history", 1, 0, True)
    assert kinds["Streaming_History_Video_2024.json"] == ("extended video history", 0, 1, False)
    assert [(m.track_id, m.how) for m in result.matches] == [(track_id(0), "by_id")]


@pytest.mark.parametrize("generation", list(EXPORTIFY_HEADERS))
def test_every_exportify_generation_is_matched_by_its_id_column(generation):
    # By title the remaster (more popular) would win; the id names the other version.
    data = exportify_generation(generation, [("Bohemian Rhapsody", "Queen", track_id(3))])
    result = import_history([("playlist.csv", data)], catalog=CATALOG)
    assert result.problems == []
    assert [(m.track_id, m.how) for m in result.matches] == [(track_id(3), "by_id")]


def test_exportify_without_listening_times_keeps_file_order():
    catalog = make_catalog(
        [{"name": f"Song {i}", "artists": [f"Artist {i}"], "popularity": 90 - i} for i in range(8)]
    )
    order = [5, 2, 7, 0, 3, 6, 1]
    data = exportify_generation("2024-", [(f"Song {i}", f"Artist {i}", track_id(i)) for i in order])
    result = import_history([("p.csv", data)], catalog=catalog)
    assert result.seeds().seed_ids == [track_id(i) for i in order[:5]]


def _spotify_zip():
    return zip_of(
        {
            "Spotify Account Data/StreamingHistory_music_0.json": account_json(
                [("Unknown", "Nobody", 3 * MINUTE)]
            ),
            "Spotify Account Data/StreamingHistory_podcast_0.json": podcast_json(
                [("Show", "Ep", 30 * MINUTE)]
            ),
            "Spotify Account Data/Playlist1.json": PLAYLIST,
            "Spotify Account Data/YourLibrary.json": LIBRARY,
            "Spotify Account Data/Userdata.json": b'{"username": "secret-username"}',
        }
    )


def test_a_zip_of_every_kind_reports_each_member():
    result = import_history([("my_spotify_data.zip", _spotify_zip())], catalog=CATALOG)
    assert result.problems == []
    kinds = _kinds(result)
    assert kinds["Playlist1.json"][:2] == ("account-data playlists (1)", 1)
    assert kinds["YourLibrary.json"][:2] == ("account-data library", 1)
    assert kinds["StreamingHistory_podcast_0.json"] == ("account-data podcast history", 0, 1, False)
    assert kinds["Userdata.json"] == ("other account data", 0, 0, False)
    assert set(result.seeds().seed_ids) == {track_id(0), track_id(1)}


# --- the seed policy -------------------------------------------------------------------------


def _policy_catalog(n_artists=12, per_artist=4):
    rows = [
        {"name": f"Song {a}-{s}", "artists": [f"Artist {a}"], "popularity": 50}
        for a in range(n_artists)
        for s in range(per_artist)
    ]
    return make_catalog(rows)


def _check_policy(choice, catalog):
    ids = set(catalog.tracks["track_id"].to_list())
    assert len(choice.picks) == 5
    assert all(c.exact and c.catalog_id in ids for c in choice.picks)
    assert len({c.profile_key for c in choice.picks}) == 5
    artists = [primary_artist(c.artist) for c in choice.picks]
    assert max(artists.count(a) for a in artists) <= 2


def test_exact_matches_anywhere_in_a_long_history_beat_approximations_at_the_top():
    catalog = _policy_catalog()
    # 300 songs not in the catalog by catalog artists (artist averages) listened most,
    # then exact matches: 4 by Artist 0 (the favourite), 2 by Artist 1 and 1 by Artist 2.
    plays = [(f"Other {i}", f"Artist {i % 3}", (1000 - i) * MINUTE) for i in range(300)]
    exact = ["0-0", "0-1", "0-2", "0-3", "1-0", "1-1", "2-0"]
    plays += [(f"Song {s}", f"Artist {s[0]}", (10 - k) * MINUTE) for k, s in enumerate(exact)]
    result = import_history(
        [("StreamingHistory_music_0.json", account_json(plays))], catalog=catalog
    )
    choice = result.seeds()
    _check_policy(choice, catalog)
    assert [c.name for c in choice.picks] == [
        "Song 0-0",
        "Song 0-1",
        "Song 1-0",
        "Song 1-1",
        "Song 2-0",
    ]
    assert choice.coverage() == "7 of 307 songs in the catalog; the 5 seeds are exact matches"


@pytest.mark.parametrize("seed", range(20))
def test_generated_histories_always_get_five_exact_distinct_seeds(seed):
    rng = random.Random(seed)
    catalog = _policy_catalog()
    names = catalog.tracks.select("name", "artists").rows()

    def usable(picked):
        # At least 5 exact matches that the two-per-artist rule lets through, by 3+ artists.
        artists = [a[0] for _, a in picked]
        return len(set(artists)) >= 3 and sum(min(2, artists.count(a)) for a in set(artists)) >= 5

    chosen = rng.sample(names, rng.randint(5, 12))
    while not usable(chosen):
        chosen = rng.sample(names, rng.randint(5, 12))
    plays = [
        (n, a[0], rng.randint(1, 500) * MINUTE) for n, a in chosen for _ in range(rng.randint(1, 3))
    ]
    plays += [
        (f"Nope {i}", f"Artist {rng.randrange(12)}", rng.randint(1, 900) * MINUTE)
        for i in range(200)
    ]
    plays += [(f"Gone {i}", f"Unknown {i}", rng.randint(1, 900) * MINUTE) for i in range(100)]
    rng.shuffle(plays)
    result = import_history([("h.json", account_json(plays))], catalog=catalog)
    _check_policy(result.seeds(), catalog)


def test_approximations_only_when_too_few_exact_and_never_one_profile_twice():
    catalog = _policy_catalog(n_artists=3)
    plays = [(f"Other {i}", "Artist 1", (100 - i) * MINUTE) for i in range(10)]
    plays += [("Song 0-0", "Artist 0", MINUTE)]
    result = import_history([("h.json", account_json(plays))], catalog=catalog)
    choice = result.seeds()
    assert [c.how for c in choice.picks] == ["by_title", "artist_profile"]
    assert choice.picks[1].label == "Other 0 – Artist 1 (≈ the artist's average sound)"
    assert "1 of 2 seeds are exact matches and 1 approximations" in choice.coverage()
    assert next(iter(choice.profiles.values())).label.startswith("Other 0 – Artist 1")


def test_time_ranges_count_back_from_the_last_play():
    catalog = _policy_catalog()
    old = endsong_json([(f"Song {a}-0", f"Artist {a}", None, 90 * MINUTE, 1) for a in range(5)])
    new = json.loads(
        endsong_json([(f"Song {a}-1", f"Artist {a}", None, MINUTE, 1) for a in range(5, 10)])
    )
    for row in new:
        row["ts"] = "2024-11-20T10:00:00Z"
    result = import_history(
        [("endsong_0.json", old), ("endsong_1.json", json.dumps(new).encode())], catalog=catalog
    )
    recent = {c.name for c in result.seeds(time_range="short_term").picks}
    assert recent == {f"Song {a}-1" for a in range(5, 10)}
    assert {c.name for c in result.seeds().picks} == {f"Song {a}-0" for a in range(5)}


def test_logged_in_top_tracks_follow_the_same_policy():
    from recommender.domain import Track

    catalog = _policy_catalog()
    tracks = [
        Track(track_id=f"X{i:021d}", name=f"Other {i}", artists=("Artist 0",)) for i in range(6)
    ]
    tracks += [
        Track(track_id=f"Y{i:021d}", name=f"Song {i}-0", artists=(f"Artist {i}",)) for i in range(6)
    ]
    choice = choose_seeds(resolution_candidates(resolve_features(tracks, catalog)))
    _check_policy(choice, catalog)
    assert choice.coverage() == "6 of 12 songs in the catalog; the 5 seeds are exact matches"


def test_two_versions_of_one_catalog_track_are_one_seed():
    pick = Candidate(name="Halo", artist="Beyoncé", how="by_id", seed_id="a", catalog_id="a")
    again = Candidate(
        name="Halo (Live)", artist="Beyoncé", how="by_title", seed_id="a", catalog_id="a"
    )
    assert [c.name for c in choose_seeds([pick, again]).picks] == ["Halo"]


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def catalog_cli(monkeypatch, generated_files, tmp_path_factory):
    from recommender.data.store import load_catalog
    from recommender.settings import Settings

    for name in list(os.environ):
        if name.startswith("RECOMMENDER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(generated_files))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "hist-cache"))
    tracks = load_catalog(Settings.from_sources()).tracks
    return tracks.select("track_id", "name", "artists").head(6).rows()


def _export_folder(root, songs):
    (a_id, a_name, a_art), (b_id, b_name, b_art), (c_id, c_name, c_art), *_ = songs
    account = root / "Spotify Account Data"
    account.mkdir(parents=True)
    (account / "StreamingHistory_music_0.json").write_bytes(
        account_json([(a_name, a_art[0], 5 * MINUTE)])
    )
    (account / "StreamingHistory_podcast_0.json").write_bytes(podcast_json([("S", "E", MINUTE)]))
    (account / "Playlist1.json").write_bytes(playlists_json({"P": [(b_name, b_art[0], b_id)]}))
    (account / "YourLibrary.json").write_bytes(library_json([(c_name, c_art[0], c_id)]))
    (account / "Userdata.json").write_bytes(b'{"username": "secret-username"}')
    extended = root / "Spotify Extended Streaming History"
    extended.mkdir()
    (extended / "endsong_0.json").write_bytes(endsong_json([(a_name, a_art[0], a_id, MINUTE, 2)]))
    return {a_id, b_id, c_id}


@pytest.mark.parametrize("as_zip", [False, True])
def test_cli_reports_files_and_seeds_from_a_folder_or_zip(catalog_cli, tmp_path, capsys, as_zip):
    expected = _export_folder(tmp_path / "export", catalog_cli)
    target = tmp_path / "export"
    if as_zip:
        members = {
            str(p.relative_to(target)): p.read_bytes() for p in target.rglob("*") if p.is_file()
        }
        target = tmp_path / "my_spotify_data.zip"
        target.write_bytes(zip_of(members))
    assert main(["import-history", str(target), "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    kinds = {
        f["file"].rsplit("/", 1)[-1]: (f["kind"], f["read"], f["skipped"]) for f in out["files"]
    }
    assert kinds["StreamingHistory_podcast_0.json"] == ("account-data podcast history", 0, 1)
    assert kinds["Playlist1.json"] == ("account-data playlists (1)", 1, 1)
    assert kinds["YourLibrary.json"][:2] == ("account-data library", 1)
    assert kinds["Userdata.json"] == ("other account data", 0, 0)
    assert kinds["endsong_0.json"] == ("extended streaming history", 1, 0)
    assert {s["catalog_id"] for s in out["seeds"]} == expected
    assert all(s["exact"] for s in out["seeds"])
    for secret in ("secret-username", "203.0.113.77", "secret-agent", "SECRETLAND"):
        assert secret not in captured.out + captured.err

    assert main(["import-history", str(target)]) == 0
    table = capsys.readouterr().out
    assert all(tid in table for tid in expected)
    seed_lines = [line for line in table.splitlines() if any(t in line for t in expected)]
    # The catalog id column starts at one offset on every line (an aligned table).
    assert len({line.index(next(t for t in expected if t in line)) for line in seed_lines}) <= 2


def test_cli_exits_0_when_music_was_read_beside_a_podcast_and_a_bad_file(
    catalog_cli, tmp_path, capsys
):
    (a_id, a_name, a_art), *_ = catalog_cli
    music = tmp_path / "StreamingHistory_music_0.json"
    music.write_bytes(account_json([(a_name, a_art[0], 2 * MINUTE)]))
    podcast = tmp_path / "StreamingHistory_podcast_0.json"
    podcast.write_bytes(podcast_json([("S", "E", MINUTE)]))
    bad = tmp_path / "broken.json"
    bad.write_bytes(b"[{")
    assert main(["import-history", str(music), str(podcast), str(bad), "--json"]) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [s["catalog_id"] for s in out["seeds"]] == [a_id]
    assert "broken.json: not valid JSON" in captured.err
    assert main(["import-history", str(podcast), "--json"]) == 1
    assert track_uri(a_id) not in capsys.readouterr().out
