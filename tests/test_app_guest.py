"""The guest widgets on their own (``AppTest.from_function``); page flows live with the pages."""

import io
import json
import zipfile

from streamlit.testing.v1 import AppTest

from tests.factories import track_id


def guest_app():
    from tests.factories import make_catalog
    from tests.guest_support import guest_panel

    rows = [
        {"name": "Halo", "artists": ["Beyoncé"], "popularity": 77, "genres": ["pop"]},
        {"name": "Crazy in Love", "artists": ["Beyoncé", "JAY-Z"], "popularity": 80},
        {"name": "Bohemian Rhapsody", "artists": ["Queen"], "popularity": 70, "genres": ["rock"]},
    ]
    rows += [
        {"name": f"Rock Song {i}", "artists": [f"Band {i}"], "genres": ["rock"]} for i in range(6)
    ]
    guest_panel(make_catalog(rows))


CATALOG_ROWS = 9


def app():
    return AppTest.from_function(guest_app, default_timeout=30).run()


def seeds(at):
    return list(at.session_state["seed_ids"])


def test_search_on_enter_then_one_click_adds_a_seed():
    at = app()
    assert not at.exception
    at.text_input(key="guest_search").input("beyo hal").run()
    assert "Halo — Beyoncé" in at.markdown[0].value
    at.button(key=f"guest_add_{track_id(0)}").click().run()
    assert not at.exception
    assert seeds(at) == [track_id(0)]
    assert at.session_state["seed_source"] == "guest search"
    assert at.button(key=f"guest_add_{track_id(0)}").disabled


def test_a_typo_still_finds_the_track_and_says_so():
    at = app()
    at.text_input(key="guest_search").input("bohemian rapsody").run()
    assert "Bohemian Rhapsody — Queen · one typo forgiven" in [m.value for m in at.markdown]


def test_no_match_says_what_to_try():
    at = app()
    at.text_input(key="guest_search").input("zzzzqqq").run()
    assert "Nothing in the catalog matches" in at.warning[0].value


def test_surprise_me_picks_five_rock_tracks_and_a_new_set_on_each_click():
    at = app()
    at.button(key="surprise_me").click().run()
    assert not at.exception
    first = seeds(at)
    assert len(first) == 5
    rock = {track_id(i) for i in range(2, CATALOG_ROWS)}
    assert set(first) <= rock
    assert at.session_state["seed_source"] == "surprise me"
    assert any("genre “rock”" in c.value for c in at.caption)
    at.button(key="surprise_me").click().run()
    assert set(seeds(at)) != set(first)


def test_seeds_are_shown_and_removable():
    at = app()
    at.text_input(key="guest_search").input("beyonce").run()
    at.button(key=f"guest_add_{track_id(0)}").click().run()
    at.button(key=f"guest_add_{track_id(1)}").click().run()
    assert seeds(at) == [track_id(0), track_id(1)]
    at.button(key=f"guest_remove_{track_id(0)}").click().run()
    assert seeds(at) == [track_id(1)]
    at.button(key="guest_clear_seeds").click().run()
    assert seeds(at) == []
    assert "No seed tracks yet" in at.info[0].value


def history(plays):
    return json.dumps(
        [
            {"endTime": "2024-01-01 10:00", "artistName": a, "trackName": t, "msPlayed": ms}
            for t, a, ms in plays
        ]
    ).encode()


def test_upload_ranks_matches_and_seeds_from_the_history():
    data = history(
        [
            ("Crazy in Love", "Beyoncé", 600_000),
            ("Halo", "Beyoncé", 300_000),
            ("Unknown Song", "Nobody", 900_000),
        ]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", data)
    at = app()
    at.file_uploader(key="history_upload").set_value(
        [("my_spotify_data.zip", buffer.getvalue(), "application/zip")]
    ).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["name"]) == ["Unknown Song", "Crazy in Love", "Halo"]
    assert list(table["matched"]) == [
        "not in the catalog",
        "by title and artist",
        "by title and artist",
    ]
    assert "2 of 3 songs in the catalog; the 2 seeds are exact matches" in at.caption[0].value
    assert seeds(at) == [track_id(1), track_id(0)]  # no seeds yet, so the upload fills them
    assert at.session_state["seed_source"] == "upload"


def test_a_bad_upload_is_named_and_the_good_one_still_counts():
    at = app()
    at.file_uploader(key="history_upload").set_value(
        [
            ("Userdata.json", b'{"username": "x"}', "application/json"),
            (
                "StreamingHistory_music_0.json",
                history([("Halo", "Beyoncé", 60_000)]),
                "application/json",
            ),
        ]
    ).run()
    assert not at.exception
    assert at.error[0].value.startswith("Userdata.json: JSON of the wrong shape")
    assert list(at.dataframe[0].value["name"]) == ["Halo"]


def test_adding_a_second_file_rereads_the_first():
    first = ("a.json", history([("Halo", "Beyoncé", 60_000)]), "application/json")
    second = ("b.json", history([("Halo", "Beyoncé", 90_000)]), "application/json")
    at = app()
    at.file_uploader(key="history_upload").set_value([first]).run()
    at.file_uploader(key="history_upload").set_value([first, second]).run()
    assert not at.exception
    assert at.error == []
    assert list(at.dataframe[0].value["listened"]) == ["0:02:30"]


def test_use_top_n_replaces_seeds_picked_by_search():
    at = app()
    at.text_input(key="guest_search").input("queen").run()
    at.button(key=f"guest_add_{track_id(2)}").click().run()
    at.file_uploader(key="history_upload").set_value(
        [
            (
                "h.json",
                history([("Halo", "Beyoncé", 90_000), ("Crazy in Love", "Beyoncé", 60_000)]),
                "application/json",
            )
        ]
    ).run()
    assert seeds(at) == [track_id(2)]  # existing seeds are kept until asked
    at.slider(key="history_seed_count").set_value(1).run()
    at.button(key="history_use_seeds").click().run()
    assert seeds(at) == [track_id(0)]


def lonely_app():
    from tests.factories import make_catalog
    from ui import guest

    guest.surprise_button(make_catalog([{"name": "Alone", "artists": ["Solo"]}]))


def test_surprise_on_a_catalog_without_groups_warns():
    at = AppTest.from_function(lonely_app, default_timeout=30).run()
    at.button(key="surprise_me").click().run()
    assert not at.exception
    assert "Cannot surprise you" in at.warning[0].value
    assert "seed_ids" not in at.session_state or seeds(at) == []


def _dated(plays):
    """Account-data plays with their own end times: (title, artist, ms, "YYYY-MM-DD")."""
    return json.dumps(
        [
            {"endTime": f"{day} 10:00", "artistName": a, "trackName": t, "msPlayed": ms}
            for t, a, ms, day in plays
        ]
    ).encode()


def _upload(at, *files):
    return (
        at.file_uploader(key="history_upload")
        .set_value([(name, data, "application/json") for name, data in files])
        .run()
    )


def test_the_history_can_be_narrowed_to_its_last_weeks():
    # Halo was played most over the years; Bohemian Rhapsody in the last four weeks.
    data = _dated(
        [
            ("Halo", "Beyoncé", 9_000_000, "2023-01-10"),
            ("Bohemian Rhapsody", "Queen", 400_000, "2024-05-28"),
            ("Crazy in Love", "Beyoncé", 300_000, "2024-05-30"),
        ]
    )
    at = _upload(app(), ("StreamingHistory_music_0.json", data))
    assert not at.exception
    assert seeds(at)[0] == track_id(0)
    at.radio(key="history_range").set_value("short_term").run()
    assert list(at.dataframe[0].value["name"]) == ["Bohemian Rhapsody", "Crazy in Love"]
    at.slider(key="history_seed_count").set_value(2).run()
    at.button(key="history_use_seeds").click().run()
    assert seeds(at) == [track_id(2), track_id(1)]


def test_a_seed_from_the_upload_is_swapped_for_another_song_without_uploading_again():
    data = history(
        [
            ("Halo", "Beyoncé", 600_000),
            ("Bohemian Rhapsody", "Queen", 500_000),
            ("Rock Song 3", "Band 3", 400_000),
        ]
    )
    at = _upload(app(), ("StreamingHistory_music_0.json", data))
    at.slider(key="history_seed_count").set_value(2).run()
    at.button(key="history_use_seeds").click().run()
    assert seeds(at) == [track_id(0), track_id(2)]
    picker = at.multiselect(key="history_swap")
    assert picker.value == [track_id(0), track_id(2)]
    rock_3 = track_id(6)  # the third song of the history, not a seed yet
    assert rock_3 in picker.options or "Rock Song 3 – Band 3" in picker.options
    picker.unselect(track_id(0)).select(rock_3).run()
    assert not at.exception
    assert seeds(at) == [track_id(2), rock_3]
    assert at.session_state["seed_source"] == "upload"


def test_the_librarys_banned_tracks_and_artists_become_not_this_choices():
    from tests.history_exports import library_json

    data = library_json(
        [("Halo", "Beyoncé", track_id(0)), ("Rock Song 1", "Band 1", track_id(3))],
        banned_tracks=[("Bohemian Rhapsody", "Queen", track_id(2))],
        banned_artists=["Band 4"],
    )
    at = _upload(app(), ("YourLibrary.json", data))
    assert not at.exception
    assert list(at.session_state["excluded_tracks"]) == [track_id(2)]
    assert at.session_state["excluded_artists"] == ["Band 4"]
    assert any("bans 1 track and 1 artist:" in c.value for c in at.caption)
    assert track_id(2) not in seeds(at)


def test_search_hits_that_read_alike_say_which_track_they_are():
    from ui.guest import told_apart

    lines = {"A" * 22: "Opera · 1975 · 5:54", "B" * 22: "Opera · 1975 · 5:54", "C" * 22: "Other"}
    shown = told_apart(lines)
    assert shown["A" * 22] == f"Opera · 1975 · 5:54 · id {'A' * 22}"
    assert shown["B" * 22].endswith("B" * 22)
    assert shown["C" * 22] == "Other"
