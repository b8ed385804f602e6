import json

import pytest

from recommender.cli import main
from recommender.seeds.history import history_track_id, import_history
from recommender.seeds.resolve import CatalogIndex
from recommender.text import song_key
from tests.factories import make_catalog, track_id
from tests.history_exports import (
    CATALOG,
    MINUTE,
    account_json,
    exportify_csv,
    extended_json,
    zip_of,
)
from tests.reference import catalog_env

# --- matching and coverage ------------------------------------------------------------------------


def test_matching_by_id_then_song_then_artist_profile_like_the_logged_in_path():
    result = import_history(
        [
            (
                "h.json",
                account_json(
                    [
                        ("Bohemian Rhapsody - Live Aid", "Queen", 5 * MINUTE),
                        ("Halo", "BEYONCE", 4 * MINUTE),
                        ("Nothing Like It", "Nobody", 3 * MINUTE),
                        ("Love On Top", "Beyoncé", 2 * MINUTE),
                    ]
                ),
            )
        ],
        catalog=CATALOG,
    )
    assert [(m.track_id, m.how) for m in result.matches] == [
        (track_id(2), "by_title"),  # the most popular version of the same song
        (track_id(0), "by_title"),
        (None, "not_found"),
        (None, "artist_profile"),
    ]
    approximate = result.matches[3]
    assert approximate.seed_id == history_track_id(approximate.play)
    assert approximate.profile is not None
    assert approximate.profile.approximate
    assert result.seed_ids() == [track_id(2), track_id(0), approximate.seed_id]
    assert result.seed_profiles() == {approximate.seed_id: approximate.profile}
    assert result.coverage() == (
        "3 of 4 songs profiled: 2 by title, 1 by artist profile; 1 not found "
        "(Nothing Like It – Nobody)."
    )


def test_every_song_is_resolved_not_only_the_top_ones():
    data = account_json([(f"Song {i}", "Someone", (i + 1) * MINUTE) for i in range(80)])
    result = import_history([("h.json", data)], catalog=CATALOG)
    assert len(result.plays) == 80
    assert [m.play.name for m in result.matches] == [f"Song {i}" for i in range(79, -1, -1)]


class RecordingSource:
    name = "Recorder"

    def __init__(self):
        self.asked = []

    def audio_features(self, track_ids):
        self.asked.extend(track_ids)
        return {}


def test_only_real_spotify_ids_go_to_an_online_source():
    real = "4uLU6hMCjMI75M1A2tKUQC"
    data = extended_json(
        [("Unknown A", "Nobody", real, 2 * MINUTE), ("Unknown B", "Nobody", None, MINUTE)]
    )
    source = RecordingSource()
    import_history([("e.json", data)], catalog=CATALOG, online=source)
    assert source.asked == [real]


# --- real catalog titles, read at test time ------------------------------------------------------


@pytest.fixture(scope="module")
def real_songs(reference_catalog):
    """Five popular catalog tracks whose song_key is unique in the catalog."""
    tracks = reference_catalog.tracks.drop_nulls("popularity").sort(
        ["popularity", "track_id"], descending=[True, False]
    )
    index = CatalogIndex.build(reference_catalog).songs
    chosen = []
    seen = set()
    for tid, name, artists in tracks.select("track_id", "name", "artists").iter_rows():
        key = song_key(name, artists)
        if index.get(key) == tid and key not in seen:
            seen.add(key)
            chosen.append((tid, name, artists))
        if len(chosen) == 5:
            return chosen
    pytest.fail("the reference catalog has fewer than five distinct popular songs")


@pytest.mark.slow
def test_every_format_matches_real_catalog_titles(reference_catalog, real_songs, tmp_path):
    (
        (a_id, a_name, a_art),
        (b_id, b_name, b_art),
        (c_id, c_name, c_art),
        (d_id, d_name, d_art),
        _,
    ) = real_songs
    files = {
        "StreamingHistory_music_0.json": account_json([(a_name, a_art[0], 9 * MINUTE)]),
        "Streaming_History_Audio_2021_0.json": extended_json(
            [(b_name, b_art[0], b_id, 8 * MINUTE)]
        ),
        "playlist.csv": exportify_csv([(c_name, ", ".join(c_art), c_id)]),
        "my_spotify_data.zip": zip_of(
            {
                "Spotify Account Data/StreamingHistory_music_0.json": account_json(
                    [(d_name, d_art[0], 7 * MINUTE)]
                )
            }
        ),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    uploads = [(name, (tmp_path / name).read_bytes()) for name in files]
    result = import_history(uploads, catalog=reference_catalog)
    assert result.problems == []
    # The Exportify row is a chosen track: it ranks as if played often (plays.CHOSEN_MS).
    assert [(m.track_id, m.how) for m in result.matches] == [
        (c_id, "by_id"),
        (a_id, "by_title"),
        (b_id, "by_id"),
        (d_id, "by_title"),
    ]
    assert result.coverage() == "4 of 4 songs profiled: 2 by id, 2 by title."


@pytest.mark.slow
def test_cli_prints_the_ranking_as_json(
    reference_settings, reference_catalog, real_songs, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog_env(reference_settings))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    (a_id, a_name, a_art), (b_id, b_name, b_art), *_ = real_songs
    history = tmp_path / "Streaming_History_Audio_2022_0.json"
    history.write_bytes(
        extended_json([(a_name, a_art[0], a_id, 2 * MINUTE), (b_name, b_art[0], None, 3 * MINUTE)])
    )
    assert main(["import-history", str(history), "--top", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(row["track_id"], row["how"], row["ms_played"]) for row in out["top"]] == [
        (b_id, "by_title", 3 * MINUTE)
    ]
    assert out["coverage"] == "2 of 2 songs in the catalog; the 2 seeds are exact matches"
    assert out["songs"] == 2
    assert [(s["catalog_id"], s["how"]) for s in out["seeds"]] == [
        (b_id, "by_title"),
        (a_id, "by_id"),
    ]
    assert [(f["kind"], f["read"]) for f in out["files"]] == [("extended streaming history", 2)]

    assert main(["import-history", str(history), "--top", "2"]) == 0
    table = capsys.readouterr().out
    assert a_id in table
    assert "0:02:00" in table
    assert "Seeds (2 of 2 songs in the catalog" in table


def test_cli_exits_non_zero_naming_an_unusable_file(tmp_path, capsys):
    bad = tmp_path / "Userdata.json"
    bad.write_bytes(b'{"username": "x"}')
    missing = tmp_path / "missing.json"
    assert main(["import-history", str(bad), str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: JSON of the wrong shape" in err
    assert f"{missing}: No such file or directory" in err
    assert "Traceback" not in err


def test_cli_exits_non_zero_when_every_play_is_too_short(tmp_path, capsys):
    short = tmp_path / "StreamingHistory_music_0.json"
    short.write_bytes(account_json([("Halo", "Beyoncé", 5_000)]))
    assert main(["import-history", str(short)]) == 1
    assert "no music plays of 30 s or more" in capsys.readouterr().err


# --- from an upload to recommendations ----------------------------------------------------------


def test_an_uploads_seeds_including_approximate_ones_feed_the_engine():
    from recommender.engine.model import train
    from recommender.engine.recommend import recommend

    rows = [
        {
            "name": f"Song {i}",
            "artists": [f"Artist {i % 4}"],
            "energy": i / 12,
            "valence": 1 - i / 12,
        }
        for i in range(12)
    ]
    catalog = make_catalog(rows)
    data = account_json(
        [
            ("Song 3", "Artist 3", 5 * MINUTE),  # in the catalog: by title
            ("A B-side", "Artist 1", 4 * MINUTE),  # not in it, but its artist is: approximate
        ]
    )
    result = import_history([("h.json", data)], catalog=catalog)
    assert [m.how for m in result.matches] == ["by_title", "artist_profile"]
    seeds = result.seed_ids()
    recommendations = recommend(train(catalog), catalog, seeds, seed_vectors=result.seed_profiles())
    assert {r.seed_track_id for r in recommendations} == set(seeds)
    assert not {r.track_id for r in recommendations} & set(seeds)
