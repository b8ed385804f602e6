import re

import pytest
from hypothesis import given
from hypothesis import strategies as hyp

from recommender.text import (
    artist_names,
    base_title,
    fold,
    primary_artist,
    song_key,
    split_artists,
)
from tests.factories import count_artists


def test_fold_removes_case_and_accents():
    assert fold("  Beyoncé   KNOWLES ") == "beyonce knowles"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("I Don't Care (with Justin Bieber) - Loud Luxury Remix", "i don't care"),
        ("Memories - Dillon Francis Remix", "memories"),
        ("Halo [Live]", "halo"),
        ("O Holy Night - Remastered 1999", "o holy night"),
        ("Señorita", "senorita"),
    ],
)
def test_base_title_drops_version_markers(title, expected):
    assert base_title(title) == expected


@pytest.mark.parametrize(
    ("credit", "names"),
    [
        ("A, B", ["A", "B"]),
        ("A & B", ["A", "B"]),
        ("A feat. B", ["A", "B"]),
        ("A featuring B", ["A", "B"]),
        ("A x B", ["A", "B"]),
        ("A;B", ["A", "B"]),
        ("Xavier", ["Xavier"]),
    ],
)
def test_split_artists_on_every_separator(credit, names):
    assert split_artists(credit) == names


def test_primary_artist_from_list_and_credit():
    assert primary_artist(["Ed Sheeran", "Justin Bieber"]) == "ed sheeran"
    assert primary_artist("Ed Sheeran feat. Justin Bieber") == "ed sheeran"
    assert primary_artist([]) == ""


def test_song_key_equal_for_versions_and_different_for_other_artists():
    original = song_key("I Don't Care", ["Ed Sheeran", "Justin Bieber"])
    remix = song_key("I Don't Care (with Justin Bieber) - Loud Luxury Remix", ["Ed Sheeran"])
    cover = song_key("I Don't Care", ["Someone Else"])
    assert original == remix
    assert original != cover


def test_artist_names_fold_split_and_deduplicate():
    assert artist_names(["Beyoncé feat. JAY-Z", "Beyonce"]) == ["beyonce", "jay-z"]
    assert artist_names(["Kaggle A", " "]) == ["kaggle a"]
    assert artist_names(None) == []
    assert artist_names([]) == []


def test_count_artists_counts_names_not_credits_and_ignores_missing():
    credits = ["Beyoncé", "Beyonce feat. JAY-Z", "JAY-Z & Kanye West", None, ""]
    assert count_artists(credits) == 3  # beyonce, jay-z, kanye west
    assert count_artists([]) == 0


_OLD_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_OLD_ARTIST_SPLIT = re.compile(
    r"\s*[,;]\s*|\s+&\s+|\s+feat\.\s+|\s+featuring\s+|\s+x\s+", flags=re.IGNORECASE
)


@given(hyp.text(alphabet="ab ()[]-x,;&", max_size=40))
def test_bracket_removal_matches_the_regex_it_replaced(text):
    assert base_title(text) == fold(_OLD_BRACKETED.sub(" ", text.split(" - ", 1)[0]))


@given(hyp.text(alphabet="ab \t()x,;&.featurng", max_size=40))
def test_artist_split_matches_the_regex_it_replaced(text):
    old = [fold(p.strip()) for p in _OLD_ARTIST_SPLIT.split(text) if p.strip()]
    assert [fold(p) for p in split_artists(text)] == old
