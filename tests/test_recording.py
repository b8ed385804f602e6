"""One recording once (issue 24): the same-recording predicate on generated rows."""

from __future__ import annotations

import random
from typing import Any

import pytest

from recommender.engine.recording import (
    RecordingSet,
    recording_key,
    recording_keys,
    same_recording,
    same_recording_pairs,
)
from recommender.text import credits_overlap, version_marker
from tests.factories import make_tracks

# A generated "Take Five" profile: the values are made up, only their equality matters.
_TAKE_FIVE: dict[str, Any] = {
    "danceability": 0.455,
    "energy": 0.261,
    "speechiness": 0.0415,
    "acousticness": 0.541,
    "instrumentalness": 0.000159,
    "liveness": 0.0674,
    "valence": 0.598,
    "loudness": -13.193,
    "tempo": 174.322,
    "duration_ms": 324_133,
}


def _row(name: str, artists: list[str], **changes: Any) -> dict[str, Any]:
    return {"name": name, "artists": artists, **_TAKE_FIVE, **changes}


def _same(first: dict[str, Any], second: dict[str, Any]) -> bool:
    a, b = (recording_key(row) for row in make_tracks([first, second]).iter_rows(named=True))
    return same_recording(a, b) and same_recording(b, a)


def test_take_five_under_two_credits_is_one_recording() -> None:
    quartet = _row("Take Five", ["The Dave Brubeck Quartet"])
    brubeck = _row("Take Five", ["Dave Brubeck"])
    assert _same(quartet, brubeck)


def test_title_and_contained_credit_suffice_when_the_analyses_differ() -> None:
    quartet = _row("Take Five", ["The Dave Brubeck Quartet"])
    reissue = _row("Take Five - Remastered 2011", ["Dave Brubeck"], energy=0.3, tempo=172.0)
    assert _same(quartet, reissue)


def test_equal_audio_and_length_suffice_under_another_title_and_credit() -> None:
    quartet = _row("Take Five", ["The Dave Brubeck Quartet"])
    other = _row("Take 5", ["Brubeck Quartet & Paul Desmond"], duration_ms=324_133 + 900)
    assert _same(quartet, other)


@pytest.mark.parametrize(
    ("name", "artists", "changes"),
    [
        pytest.param(
            "Take Five (Live at Carnegie Hall)",
            ["Dave Brubeck"],
            {"liveness": 0.71, "duration_ms": 400_000},
            id="live version",
        ),
        pytest.param(
            "Take Five - Club Remix",
            ["The Dave Brubeck Quartet"],
            {"energy": 0.8, "danceability": 0.8},
            id="remix",
        ),
        pytest.param(
            "Take Five",
            ["Al Jarreau"],
            {"energy": 0.5, "duration_ms": 250_000},
            id="cover by another artist",
        ),
        pytest.param(
            "Take Five (Acoustic)",
            ["Dave Brubeck"],
            {"acousticness": 0.9},
            id="acoustic version",
        ),
        pytest.param(
            "Take Six",
            ["Dave Brubeck"],
            {"energy": 0.3},
            id="another song by the artist",
        ),
    ],
)
def test_near_misses_stay_other_recordings(
    name: str, artists: list[str], changes: dict[str, Any]
) -> None:
    seed = _row("Take Five", ["The Dave Brubeck Quartet"])
    assert not _same(seed, _row(name, artists, **changes))


def test_equal_audio_but_lengths_two_seconds_apart_are_two_recordings() -> None:
    seed = _row("Take Five", ["The Dave Brubeck Quartet"])
    assert not _same(seed, _row("Blue Rondo", ["Someone Else"], duration_ms=324_133 + 2000))


def test_unknown_features_never_make_two_tracks_one_recording() -> None:
    first = _row("A", ["X"], valence=None)
    second = _row("B", ["Y"], valence=None)
    assert not _same(first, second)


def test_credit_containment_is_by_whole_words() -> None:
    assert credits_overlap(["dave brubeck"], ["the dave brubeck quartet"])
    assert credits_overlap(["the dave brubeck quartet"], ["dave brubeck"])
    assert not credits_overlap(["low"], ["lowkey"])
    assert not credits_overlap([], ["queen"])


@pytest.mark.parametrize(
    ("title", "marker"),
    [
        ("Take Five", ""),
        ("Take Five - Remastered 2011", ""),
        ("Take Five (Album Version)", ""),
        ("Song (feat. Someone)", ""),
        ("Take Five (Live at Carnegie Hall)", "live at carnegie hall"),
        ("I Don't Care (with Justin Bieber) - Loud Luxury Remix", "loud luxury remix"),
        ("Song [Acoustic]", "acoustic"),
    ],
)
def test_version_marker_keeps_what_makes_another_recording(title: str, marker: str) -> None:
    assert version_marker(title) == marker


def test_version_marker_is_linear_on_unclosed_brackets() -> None:
    # An uploaded history's titles are anyone's text (see text._drop_bracketed).
    assert version_marker("(" * 50_000 + " - live") == "live"


def test_pairs_of_a_generated_list_find_exactly_the_duplicates() -> None:
    rng = random.Random(24)
    rows = [
        _row(
            f"Song {i}",
            [f"Artist {i}"],
            energy=rng.random(),
            valence=rng.random(),
            duration_ms=rng.randrange(120_000, 400_000),
        )
        for i in range(30)
    ]
    rows.insert(7, {**rows[3], "artists": ["The Artist 3 Band"]})
    rows.append({**rows[12], "name": "Totally Different Title", "artists": ["Nobody"]})
    keys = recording_keys(make_tracks(rows))
    assert same_recording_pairs(keys) == [(3, 7), (12, 31)]


def test_a_recording_set_answers_as_comparing_with_every_listed_key() -> None:
    """The set looks only by title and by neighbouring second; the answers must not change."""
    rng = random.Random(2024)
    titles = ["Take Five", "Take Five - Live", "So What", ""]
    credits = [["Dave Brubeck"], ["The Dave Brubeck Quartet"], ["Miles Davis"], ["Nobody"]]
    # Durations on and around second boundaries, where a bucketed lookup could miss a pair.
    durations = [1_000, 1_999, 2_000, 2_999, 3_000, 3_001, 4_000, 324_133, 324_999, 325_133]
    rows = [
        _row(
            rng.choice(titles),
            rng.choice(credits),
            duration_ms=rng.choice(durations),
            energy=rng.choice([0.261, 0.3]),
            valence=None if rng.random() < 0.1 else 0.598,
        )
        for _ in range(160)
    ]
    keys = recording_keys(make_tracks(rows))
    listed, candidates = keys[:40], keys[40:]
    found = RecordingSet(listed)
    expected = [any(same_recording(key, other) for other in listed) for key in candidates]
    assert [key in found for key in candidates] == expected
    assert 0 < sum(expected) < len(expected)  # both answers occur
    assert object() not in found
