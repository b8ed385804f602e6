"""Reading Spotify exports and Exportify CSVs: formats, size limits, bad files, fuzzing."""

import csv
import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.seeds.history import format_duration, import_history
from recommender.seeds.history_formats import FileProblem, HistoryLimits
from tests.factories import track_id
from tests.history_exports import (
    CATALOG,
    MINUTE,
    account_json,
    exportify_csv,
    extended_json,
    ranked,
    zip_of,
)

# --- the formats --------------------------------------------------------------------------------


def test_account_history_ranks_by_time_and_ignores_plays_under_30_seconds():
    data = account_json(
        [
            ("Halo", "Beyoncé", 3 * MINUTE),
            ("Crazy in Love", "Beyoncé", 29_999),
            ("Halo", "Beyoncé", 2 * MINUTE),
            ("Crazy in Love", "Beyoncé", 4 * MINUTE),
            ("Skipped", "Someone", 5_000),
        ]
    )
    result = import_history([("StreamingHistory_music_0.json", data)])
    assert ranked(result) == [("Halo", 5 * MINUTE), ("Crazy in Love", 4 * MINUTE)]
    assert [p.plays for p in result.plays] == [2, 1]
    assert result.problems == []
    (summary,) = result.files
    assert (summary.kind, summary.rows, summary.counted) == ("account-data streaming history", 5, 3)


def test_extended_history_keeps_track_ids_and_ignores_podcasts():
    data = extended_json(
        [
            ("Crazy in Love", "Beyoncé", track_id(1), 3 * MINUTE),
            ("Halo", "Beyoncé", track_id(0), MINUTE),
        ]
    )
    result = import_history([("Streaming_History_Audio_2023_0.json", data)], catalog=CATALOG)
    assert ranked(result) == [("Crazy in Love", 3 * MINUTE), ("Halo", MINUTE)]
    assert [(m.track_id, m.how) for m in result.matches] == [
        (track_id(1), "by_id"),
        (track_id(0), "by_id"),
    ]


def test_exportify_playlist_counts_rows_in_order_without_listening_time():
    data = exportify_csv(
        [
            ("Halo", "Beyoncé", track_id(0)),
            ("Unknown Song", "Nobody", None),
            ("Halo", "Beyoncé", None),
        ]
    )
    result = import_history([("my_playlist.csv", data)], catalog=CATALOG)
    assert [(p.name, p.plays, p.ms_played) for p in result.plays] == [
        ("Halo", 2, 0),
        ("Unknown Song", 1, 0),
    ]
    assert [m.how for m in result.matches] == ["by_id", "not_found"]
    assert format_duration(result.plays[0].ms_played) == "—"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_exportify_csv_resaved_by_a_spreadsheet_with_another_delimiter(delimiter):
    text = exportify_csv([("Halo", "Beyoncé", track_id(0))]).decode().replace(",", delimiter)
    result = import_history([("playlist.csv", text.encode())], catalog=CATALOG)
    assert [(m.play.name, m.how) for m in result.matches] == [("Halo", "by_id")]


def test_several_files_and_formats_add_up():
    account = account_json([("Halo", "Beyoncé", 2 * MINUTE)])
    extended = extended_json([("Halo", "Beyoncé", track_id(0), 2 * MINUTE)])
    result = import_history([("a.json", account), ("b.json", io.BytesIO(extended))])
    assert ranked(result) == [("Halo", 4 * MINUTE)]
    assert result.plays[0].track_id == track_id(0)


def test_spotify_zip_reads_history_members_and_skips_the_rest():
    archive = zip_of(
        {
            "Spotify Account Data/StreamingHistory_music_0.json": account_json(
                [("Halo", "Beyoncé", 2 * MINUTE)]
            ),
            "Spotify Account Data/StreamingHistory_music_1.json": account_json(
                [("Crazy in Love", "Beyoncé", 5 * MINUTE)]
            ),
            "Spotify Account Data/StreamingHistory_podcast_0.json": b'[{"podcastName": "x"}]',
            "Spotify Account Data/Userdata.json": b'{"username": "someone"}',
            "Spotify Extended Streaming History/Streaming_History_Audio_2020_0.json": extended_json(
                [("Halo", "Beyoncé", track_id(0), 4 * MINUTE)]
            ),
            "Spotify Extended Streaming History/ReadMeFirst.pdf": b"%PDF-1.4",
        }
    )
    result = import_history([("my_spotify_data.zip", archive)])
    assert result.problems == []
    assert ranked(result) == [("Halo", 6 * MINUTE), ("Crazy in Love", 5 * MINUTE)]
    assert all(s.file.startswith("my_spotify_data.zip/") for s in result.files)
    kinds = {s.file.rsplit("/", 1)[1]: (s.kind, s.counted, s.skipped) for s in result.files}
    assert kinds == {
        "StreamingHistory_music_0.json": ("account-data streaming history", 1, 0),
        "StreamingHistory_music_1.json": ("account-data streaming history", 1, 0),
        "StreamingHistory_podcast_0.json": ("account-data podcast history", 0, 1),
        "Userdata.json": ("other account data", 0, 0),
        "Streaming_History_Audio_2020_0.json": ("extended streaming history", 1, 1),
        "ReadMeFirst.pdf": ("other account data", 0, 0),
    }


def test_a_bad_member_is_reported_and_the_rest_of_the_zip_counts():
    archive = zip_of(
        {
            "StreamingHistory_music_0.json": account_json([("Halo", "Beyoncé", MINUTE)]),
            "StreamingHistory_music_1.json": b"[{",
        }
    )
    result = import_history([("export.zip", archive)])
    assert ranked(result) == [("Halo", MINUTE)]
    assert [p.file for p in result.problems] == ["export.zip/StreamingHistory_music_1.json"]


def test_rows_with_bad_fields_are_skipped_and_counted():
    rows = [
        {"endTime": "x", "artistName": "Beyoncé", "trackName": "Halo", "msPlayed": MINUTE},
        {"endTime": "x", "artistName": "Beyoncé", "trackName": "Halo", "msPlayed": "a lot"},
        {"endTime": "x", "artistName": None, "trackName": "Halo", "msPlayed": MINUTE},
        "not a row",
    ]
    result = import_history([("h.json", json.dumps(rows).encode())])
    assert ranked(result) == [("Halo", MINUTE)]
    assert result.files[0].skipped == 3


# --- every bad file gets a message naming it --------------------------------------------------

SMALL = HistoryLimits(
    max_file_bytes=50_000, max_members=5, max_total_uncompressed=200_000, max_member_bytes=60_000
)


def _bomb():
    return zip_of({"StreamingHistory_music_0.json": b" " * (3 * 1024 * 1024)})


def _too_many_members():
    return zip_of({f"StreamingHistory_music_{i}.json": b"[]" for i in range(6)})


def _too_big_unpacked():
    # Members under 1 MB are not ratio-checked, so this trips the total, not the bomb ratio.
    return zip_of({f"StreamingHistory_music_{i}.json": b" " * 120_000 for i in range(2)})


def _traversal(name):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("placeholder.json")
        archive.writestr(info, account_json([("Halo", "Beyoncé", MINUTE)]))
    # zipfile normalises "../" away when writing, so the name is patched in the raw bytes.
    return buffer.getvalue().replace(b"placeholder.json", name.encode().ljust(16, b"x")[:16])


def _corrupt_member():
    data = bytearray(
        zip_of({"StreamingHistory_music_0.json": account_json([("a", "b", MINUTE)] * 50)})
    )
    start = 30 + len("StreamingHistory_music_0.json")
    data[start + 5 : start + 25] = b"\xff" * 20
    return bytes(data)


BAD_FILES = [
    ("cover.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, expected JSON, CSV or zip"),
    ("notes.txt", b"hello there", "not a Spotify export"),
    ("my_spotify_data.zip", zip_of({"a.json": b"[]"})[:40], "corrupt or truncated zip"),
    ("renamed.zip", b"just text", "not a zip file"),
    ("export.zip", _corrupt_member(), "corrupt or truncated zip member"),
    ("bomb.zip", _bomb(), "zip bomb"),
    ("many.zip", _too_many_members(), "6 members, more than the 5 allowed"),
    ("huge.zip", _too_big_unpacked(), "unpacks to 234 kB, over the 195 kB limit (zip bomb?)"),
    ("evil.zip", _traversal("../../etc/x.json"), "unsafe member name '../../etc/x.js"),
    ("abs.zip", _traversal("/etc/passwd.json"), "unsafe member name '/etc/passwd.jso"),
    ("empty.zip", zip_of({}), "no streaming history in the zip"),
    ("other.zip", zip_of({"Userdata.json": b"{}"}), "no streaming history in the zip"),
    ("user.json", b'{"username": "x"}', "expected a list of plays, got an object"),
    ("ints.json", b"[1, 2, 3]", "expected a list of objects, got a list of a number"),
    ("other.json", b'[{"foo": 1}]', "rows need endTime, artistName, trackName, msPlayed"),
    ("partial.json", b'[{"endTime": "x", "msPlayed": 40000}]', "missing fields"),
    ("ext.json", b'[{"ts": "x", "ms_played": 40000}]', "master_metadata_track_name"),
    ("allbad.json", b'[{"trackName": 1, "artistName": 2, "msPlayed": "x"}]', "no usable rows"),
    ("latin1.json", '[{"trackName": "Déjà vu"}]'.encode("latin-1"), "not UTF-8 text"),
    ("empty.json", b"[]", "empty history"),
    ("blank.json", b"  \n", "empty file"),
    ("cut.json", account_json([("Halo", "Beyoncé", MINUTE)])[:-10], "not valid JSON"),
    ("deep.json", b"[" * 40_000, "nested too deeply"),
    ("big.json", b"[" + b" " * 60_000 + b"]", "58.6 kB, over the 48.8 kB upload limit"),
    ("cols.csv", b"a,b,c\n1,2,3\n", "CSV without the Exportify columns"),
    ("header.csv", b"Track URI,Track Name,Artist Name(s)\n", "empty playlist"),
    ("nul.csv", b"Track Name,Artist Name(s)\nA\x00,B\n", "binary data"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_a_message_naming_it(name, data, expected):
    result = import_history([(name, data)], limits=SMALL)
    assert result.plays == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.file.startswith(name)
    assert expected in problem.problem
    assert str(problem).startswith(f"{name}")


def test_in_a_multi_file_upload_good_files_still_count():
    good = account_json([("Halo", "Beyoncé", MINUTE)])
    files = [(name, data) for name, data, _ in BAD_FILES] + [("good.json", good)]
    result = import_history(files, limits=SMALL)
    assert ranked(result) == [("Halo", MINUTE)]
    assert {p.file.split("/")[0] for p in result.problems} == {name for name, _, _ in BAD_FILES}


def test_file_objects_are_read_like_bytes():
    data = zip_of({"StreamingHistory_music_0.json": account_json([("Halo", "Beyoncé", MINUTE)])})
    assert ranked(import_history([("z.zip", io.BytesIO(data))])) == ranked(
        import_history([("z.zip", data)])
    )


# --- fuzzing: no parser lets an unexpected exception out ------------------------------------------

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
field_values = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)


def assert_handled(files):
    result = import_history(files, limits=SMALL)
    names = {name for name, _ in files}
    assert all(
        isinstance(p, FileProblem) and p.file.split("/")[0] in names for p in result.problems
    )
    assert all(p.ms_played >= 0 for p in result.plays)
    return result


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.json", "x.csv", "x.zip", "x"]))
def test_fuzz_arbitrary_bytes(data, name):
    assert_handled([(name, data)])


@FUZZ
@given(value=json_values)
def test_fuzz_arbitrary_json(value):
    assert_handled([("x.json", json.dumps(value).encode())])


@FUZZ
@given(
    rows=st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "endTime",
                    "artistName",
                    "trackName",
                    "msPlayed",
                    "ts",
                    "ms_played",
                    "master_metadata_track_name",
                    "master_metadata_album_artist_name",
                    "spotify_track_uri",
                ]
            ),
            field_values,
        ),
        max_size=8,
    )
)
def test_fuzz_history_rows(rows):
    result = assert_handled([("StreamingHistory_music_0.json", json.dumps(rows).encode())])
    assert all(p.ms_played >= SMALL.min_ms_played for p in result.plays)


@FUZZ
@given(
    header=st.lists(
        st.sampled_from(["Track URI", "Track Name", "Artist Name(s)", "Album Name", "x"]),
        min_size=1,
        max_size=5,
    ),
    cells=st.lists(st.lists(st.text(max_size=15), max_size=6), max_size=6),
)
def test_fuzz_exportify_csv(header, cells):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(cells)
    assert_handled([("playlist.csv", out.getvalue().encode())])


@FUZZ
@given(
    members=st.dictionaries(
        st.text(alphabet="abcSTRHistory_music_0./", min_size=1, max_size=30),
        st.binary(max_size=200),
        max_size=4,
    ),
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=3),
    cut=st.integers(min_value=0, max_value=4000),
)
def test_fuzz_zip_archives(members, flips, cut):
    data = bytearray(zip_of(members))
    for position, value in flips:
        data[position % len(data)] = value
    assert_handled([("x.zip", bytes(data[: max(cut, 4)]))])


@FUZZ
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=12), st.text(max_size=12), st.integers(-10, 10 * MINUTE)),
        min_size=1,
        max_size=6,
    ),
    cut=st.integers(min_value=0, max_value=3000),
)
def test_fuzz_truncated_spotify_zip(rows, cut):
    archive = zip_of({"Spotify Account Data/StreamingHistory_music_0.json": account_json(rows)})
    assert_handled([("my_spotify_data.zip", archive[:cut])])
