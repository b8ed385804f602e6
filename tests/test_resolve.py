"""Feature resolution: every path, the coverage report, and the online source via the fake."""

import math

import polars as pl
import pytest

from recommender.domain import PROFILE_FEATURES, Track
from recommender.seeds.resolve import (
    CachedSource,
    CatalogIndex,
    OnlineSourceError,
    ReccoBeatsSource,
    online_source,
    resolve_features,
)
from recommender.settings import Settings
from recommender.spotify import library as spotify
from tests.factories import make_catalog, track_id
from tests.spotify_support import log_in

ROWS = [
    {"name": "Blue Hour", "artists": ["Nova"], "energy": 0.2, "popularity": 40},
    {"name": "Blue Hour - Live", "artists": ["Nova"], "energy": 0.3, "popularity": 90},
    {"name": "Red Sky", "artists": ["Nova", "Guest"], "energy": 0.8, "popularity": 10},
    {"name": "Quiet", "artists": ["Solo Act"], "energy": 0.1, "tempo": 70.0},
    {"name": "Loud", "artists": ["Other"], "energy": 0.9, "tempo": 0.0},
]


@pytest.fixture(scope="module")
def catalog():
    return make_catalog(ROWS)


def unknown(n: int, name: str, artists: tuple[str, ...]) -> Track:
    return Track(track_id=track_id(900 + n), name=name, artists=artists)


class FakeOnline:
    name = "Fake source"

    def __init__(self, known: dict[str, dict[str, float]], fail: bool = False):
        self.known = known
        self.fail = fail
        self.asked: list[list[str]] = []

    def audio_features(self, track_ids):
        self.asked.append(list(track_ids))
        if self.fail:
            raise OnlineSourceError("Fake source audio features failed: boom")
        return {t: self.known[t] for t in track_ids if t in self.known}


def test_each_path_and_the_coverage_report(catalog):
    by_id = Track(track_id(3), "Quiet", ("Solo Act",))
    by_title = unknown(1, "Blue Hour (2011 Remaster)", ("Nova",))
    online = unknown(2, "Fresh Thing", ("Web Star",))
    by_artist = unknown(3, "Never Heard", ("Nova feat. Someone",))
    missing = unknown(4, "Nothing", ("Nobody",))
    source = FakeOnline({online.track_id: {"energy": 0.5, "tempo": 100.0}})
    result = resolve_features([by_id, by_title, online, by_artist, missing], catalog, online=source)
    assert [i.outcome for i in result.items] == [
        "by_id", "by_title", "online", "artist_profile", "not_found",
    ]  # fmt: skip
    assert source.asked == [[online.track_id, by_artist.track_id, missing.track_id]]
    assert result.items[0].catalog_id == track_id(3)
    # The most popular version of the same song wins.
    assert result.items[1].catalog_id == track_id(1)
    assert result.items[2].profile.features["energy"] == 0.5
    assert result.items[3].approximate
    assert result.items[3].profile.approximate
    assert not result.items[2].approximate
    assert result.seed_ids == [track_id(3), track_id(1), online.track_id, by_artist.track_id]
    assert set(result.seed_profiles) == {online.track_id, by_artist.track_id}
    assert result.report("top tracks") == (
        "4 of 5 top tracks profiled: 1 by id, 1 by title, 1 online, 1 by artist profile; "
        "1 not found"
    )
    assert result.warnings == ()


def test_artist_profile_is_the_mean_of_that_artists_catalog_tracks(catalog):
    result = resolve_features([unknown(1, "Demo", ("NOVA",))], catalog)
    profile = result.items[0].profile
    novas = catalog.tracks.filter(pl.col("artists").list.first().str.to_lowercase() == "nova")
    assert novas.height == 3
    for feature in PROFILE_FEATURES:
        assert math.isclose(profile.features[feature], novas[feature].mean())
    assert math.isclose(profile.spread["energy"], novas["energy"].std(ddof=0))
    assert "3 catalog tracks" in profile.label


def test_without_an_online_source_unknown_artists_are_not_found(catalog):
    result = resolve_features(
        [unknown(1, "A", ("Web Star",)), Track(track_id(0), "Blue Hour", ("Nova",))], catalog
    )
    assert [i.outcome for i in result.items] == ["not_found", "by_id"]
    assert result.report("songs") == "1 of 2 songs profiled: 1 by id; 1 not found"
    assert result.seed_ids == [track_id(0)]


def test_online_failure_falls_back_and_says_so(catalog):
    by_artist = unknown(1, "Never Heard", ("Solo Act",))
    result = resolve_features([by_artist], catalog, online=FakeOnline({}, fail=True))
    assert result.items[0].outcome == "artist_profile"
    assert "boom" in result.warnings[0]


def test_prebuilt_index_gives_the_same_answer(catalog):
    tracks = [unknown(1, "Red Sky", ("Nova",)), unknown(2, "x", ("Other",))]
    index = CatalogIndex.build(catalog)
    assert resolve_features(tracks, catalog, index=index) == resolve_features(tracks, catalog)


def test_empty_input_reports_zero(catalog):
    assert resolve_features([], catalog).report() == "0 of 0 tracks profiled"


def test_online_source_is_off_unless_configured():
    assert online_source(Settings.from_sources(env={}, secrets={})) is None
    on = online_source(
        Settings.from_sources(env={"AUDIO_FEATURE_SOURCES": "reccobeats"}, secrets={})
    )
    assert isinstance(on, CachedSource)
    with pytest.raises(ValueError, match="soundstat"):
        online_source(Settings.from_sources(env={"AUDIO_FEATURE_SOURCES": "soundstat"}, secrets={}))


def test_reccobeats_batches_of_40_matched_back_by_href(fake_spotify, fake_catalog):
    ids = fake_catalog.tracks["track_id"].head(90).to_list()
    for n, tid in enumerate(ids[::2]):
        fake_spotify.audio_features[tid] = {"energy": n / 100, "tempo": 100.0 + n, "key": 3}
    source = ReccoBeatsSource(fake_spotify.reccobeats_url)
    found = source.audio_features(ids)
    calls = fake_spotify.requests("GET", "/reccobeats/v1/audio-features")
    assert [len(c.query["ids"][0].split(",")) for c in calls] == [40, 40, 10]
    assert set(found) == set(ids[::2])
    assert found[ids[2]] == {"energy": 0.01, "tempo": 101.0, "key": 3.0}


def test_reccobeats_errors_become_online_source_errors(fake_spotify):
    fake_spotify.inject("GET", "/reccobeats/v1/audio-features", status=429, retry_after=5)
    with pytest.raises(OnlineSourceError, match="429"):
        ReccoBeatsSource(fake_spotify.reccobeats_url).audio_features([track_id(1)])


@pytest.mark.parametrize("use_online", [True, False])
def test_fake_users_top_tracks_cover_every_path(fake_spotify, fake_catalog, use_online):
    session = log_in(fake_spotify, "alice")
    tracks = spotify.top_tracks(session, "medium_term")
    special = fake_spotify.specials["alice"]
    source = ReccoBeatsSource(fake_spotify.reccobeats_url) if use_online else None
    result = resolve_features(tracks, fake_catalog, online=source)
    outcome = {i.track.track_id: i for i in result.items}
    assert outcome[special.by_title].catalog_id == special.by_title_catalog_id
    assert outcome[special.artist_profile].outcome == "artist_profile"
    assert outcome[special.unknown].outcome == "not_found"
    assert outcome[special.online].outcome == ("online" if use_online else "not_found")
    plain = len(tracks) - 4
    assert result.counts["by_id"] == plain
    online_part = ", 1 online" if use_online else ""
    missing = 1 if use_online else 2
    assert result.report("top tracks") == (
        f"{len(tracks) - missing} of {len(tracks)} top tracks profiled: {plain} by id, "
        f"1 by title{online_part}, 1 by artist profile; {missing} not found"
    )
