"""Readable reasons (features and both values in human units) and the embed player's URL."""

import pytest

from recommender.present.listen import embed_url
from recommender.present.reasons import explain_pair
from tests.factories import track_id

WEIGHTS = {
    "energy": 1.0,
    "tempo": 1.0,
    "instrumentalness": 1.0,
    "time_signature": 1.0,
    "loudness": 1.0,
    "artist": 1.0,
}
SEED = {
    "energy": 0.80,
    "tempo": 120.0,
    "instrumentalness": 0.0,
    "time_signature": 4,
    "loudness": -5.0,
    "artists": ["Queen"],
}


def test_close_features_are_named_with_both_values_and_trivial_matches_are_skipped():
    track = {
        "energy": 0.78,
        "tempo": 122.4,
        "instrumentalness": 0.0,
        "time_signature": 4,
        "loudness": -14.0,
        "artists": ["Queen"],
    }
    contributions = {
        "energy": 0.01,
        "tempo": 0.02,
        "instrumentalness": 0.0,
        "time_signature": 0.0,
        "loudness": 0.97,
        "artist": 0.0,
    }
    reasons = explain_pair(seed=SEED, track=track, contributions=contributions, weights=WEIGHTS)
    assert reasons.close == ("same artist: Queen", "energy 80% vs 78%", "tempo 120 vs 122 BPM")
    assert reasons.apart == "loudness -5.0 vs -14.0 dB"
    assert not any("instrumentalness" in r or "time signature" in r for r in reasons.close)
    assert reasons.cell() == "same artist: Queen"
    assert reasons.sentences()[-1] == "Furthest apart on loudness -5.0 vs -14.0 dB"


def test_unusual_values_are_informative_and_weights_at_zero_are_not_reasons():
    seed = {**SEED, "instrumentalness": 0.9, "time_signature": 3}
    track = {**seed, "energy": 0.2}
    contributions = {"energy": 0.9, "instrumentalness": 0.05, "time_signature": 0.05}
    weights = {"energy": 1.0, "instrumentalness": 1.0, "time_signature": 1.0, "tempo": 0.0}
    reasons = explain_pair(seed=seed, track=track, contributions=contributions, weights=weights)
    assert "instrumental 90% vs 90%" in reasons.close
    assert "time signature 3/4 vs 3/4" in reasons.close
    assert not any("tempo" in r for r in reasons.close)
    assert reasons.apart == "energy 80% vs 20%"


def test_plain_words_display_names_and_nothing_said_by_shared_absences():
    weights = {"valence": 1.0, "acousticness": 1.0, "speechiness": 1.0, "artist": 1.0}
    seed = {"valence": 0.52, "acousticness": 0.01, "speechiness": 0.004, "artists": ["Queen"]}
    track = {
        "valence": 0.48,
        "acousticness": 0.03,
        "speechiness": 0.003,
        "artists": ["Led Zeppelin", "AC/DC"],
    }
    contributions = {"valence": 0.0, "acousticness": 0.0, "speechiness": 0.0, "artist": 1.0}
    reasons = explain_pair(seed=seed, track=track, contributions=contributions, weights=weights)
    assert reasons.close == ("mood (valence) 52% vs 48%",)
    apart_only = explain_pair(
        seed=seed,
        track=track,
        contributions={"artist": 1.0, "acousticness": 0.0},
        weights={"artist": 1.0, "acousticness": 1.0},
    )
    # Too long for the list's cell: the cell names the feature, the detail says it in full.
    assert apart_only.cell() == "furthest apart: artist"
    assert apart_only.sentences() == ["Furthest apart on artist: Queen vs Led Zeppelin, AC/DC"]
    # The catalog's spelling, not the folded key the engine compares.
    assert reasons.apart == "artist: Queen vs Led Zeppelin, AC/DC"
    zero = explain_pair(
        seed={"danceability": 0.001},
        track={"danceability": 0.002},
        contributions={"danceability": 0.0},
        weights={"danceability": 1.0},
    )
    assert zero.close == ()  # "0% vs 0%" is no reason


def test_a_cell_holds_a_whole_reason_or_its_name_never_a_cut_phrase():
    weights = {"genre": 1.0, "valence": 1.0, "tempo": 1.0, "loudness": 1.0}
    seed = {"genres": ["dance pop", "electro house", "big room"], "valence": 0.52, "tempo": 120}
    track = {"genres": ["dance pop", "electro house", "big room"], "valence": 0.48, "tempo": 122}
    contributions = {"genre": 0.0, "valence": 0.01, "tempo": 0.02, "loudness": 0.97}
    reasons = explain_pair(
        seed={**seed, "loudness": -5.0},
        track={**track, "loudness": -14.0},
        contributions=contributions,
        weights=weights,
    )
    assert reasons.close[0] == "same genre: dance pop, electro house, big room"
    assert reasons.close_names == ("same genre", "mood", "tempo")
    assert reasons.cell() == "same genre"  # the whole reason is longer than CELL_CHARS
    assert reasons.cell(max_chars=60) == reasons.close[0]
    # The phone's cell: the closest features' short names, as many as fit.
    assert reasons.short_cell() == "same genre"  # "same genre, mood" is 16 > 14 characters
    assert reasons.short_cell(max_chars=16) == "same genre, mood"
    assert reasons.short_cell(max_chars=5) == ""


def test_missing_values_give_no_reason_rather_than_a_guess():
    reasons = explain_pair(
        seed={"tempo": None},
        track={"tempo": 100.0},
        contributions={"tempo": 0.0},
        weights={"tempo": 1.0},
    )
    assert reasons.close == ()
    assert reasons.cell() == ""


def test_embed_url_only_from_a_valid_track_id_and_never_for_demo_tracks():
    assert embed_url(track_id(1)) == f"https://open.spotify.com/embed/track/{track_id(1)}"
    assert embed_url(track_id(1), synthetic=True) is None
    assert embed_url("DEMO" + "0" * 18) is None
    for bad in (
        "",
        track_id(1)[:21],
        track_id(1) + "x",
        "javascript:alert(1)xxxxxx",
        "../../evil/aaaaaaaaaaaa",
        f"{track_id(1)[:21]}/",
    ):
        with pytest.raises(ValueError, match="not a Spotify track id"):
            embed_url(bad)
