import polars as pl
import pytest

from recommender.domain import PROFILE_FEATURES
from recommender.engine.features import DEFAULT_WEIGHTS, PRESETS
from recommender.present import reasons
from recommender.present.charts import profile_of, to_unit_scale
from recommender.text import artist_names
from tests.app_support import new_app, plotly_specs, record_downloads, texts

# The page on made-up tracks (no reference data): 240 tracks by 40 artists, spread-out sound.
SEED_TITLES = ("Song 007", "Song 123")


@pytest.fixture(scope="module")
def catalog(generated_app_settings):
    from recommender.data.store import load_catalog

    return load_catalog(generated_app_settings)


@pytest.fixture
def seed_ids(catalog):
    tracks = catalog.tracks
    ids = [tracks.filter(pl.col("name") == title)["track_id"][0] for title in SEED_TITLES]
    assert len(ids) == 2
    return ids


@pytest.fixture
def app(monkeypatch, generated_app_settings):
    return new_app(monkeypatch, generated_app_settings)


# Real catalog tracks, looked up by title at test time (never copied into the repository), for
# the one test whose expectations were set on the real catalog's neighbourhoods.
REAL_SEED_TITLES = (
    "I Don't Care (with Justin Bieber) - Loud Luxury Remix",
    "Memories - Dillon Francis Remix",
)


@pytest.fixture
def real_seed_ids(reference_catalog):
    tracks = reference_catalog.tracks
    return [tracks.filter(pl.col("name") == title)["track_id"][0] for title in REAL_SEED_TITLES]


@pytest.fixture
def real_app(monkeypatch, reference_settings):
    return new_app(monkeypatch, reference_settings)


def _open_with_seeds(app, seed_ids):
    app.session_state["seed_ids"] = list(seed_ids)
    app.session_state["seed_source"] = "guest search"
    at = app.run()
    return at.switch_page("pages/recommendations.py").run()


def _players(at) -> list[str]:
    """The embed players' addresses (the copy button is an iframe too, with no src)."""
    return [e.proto.src for e in at.get("iframe") if e.proto.src.startswith("https://")]


def _share_link(at) -> str:
    (link,) = [c.value for c in at.code if "?seeds=" in c.value]
    return link


def _copied_links(at) -> list[str]:
    (block,) = [c.value for c in at.code if c.value.startswith("https://open.spotify.com/track/")]
    return block.splitlines()


def _table(at):
    return at.dataframe[0].value


def test_without_seeds_the_page_says_what_to_do(app):
    at = app.run().switch_page("pages/recommendations.py").run()
    assert not at.exception
    assert "No seed tracks yet" in at.info[0].value


def test_table_and_both_radars(app, seed_ids, catalog):
    at = _open_with_seeds(app, seed_ids)
    assert not at.exception
    table = _table(at)
    assert len(table) == 10  # per_seed 5 x 2 seeds
    assert {"title", "artists", "answers seed", "similarity", "why", "spotify"} <= set(
        table.columns
    )
    assert all(url.startswith("https://open.spotify.com/track/") for url in table["spotify"])
    # Readable reasons: the features that made the pair close, both values in human units.
    # The closest reason alone (the detail panel has them all), never the folded names.
    assert all(text and not text.startswith("close: ") for text in table["why"]), table["why"]
    assert any(" vs " in text for text in table["why"]), list(table["why"])
    # The table (and the CSV made from it) has the shown columns in order, then the ids.
    assert list(table.columns) == [
        "title",
        "artists",
        "similarity",
        "why",
        "spotify",
        "answers seed",
        "track_id",
        "seed_track_id",
    ]

    profile_spec, seed_spec = plotly_specs(at)
    names = [trace["name"] for trace in profile_spec["data"]]
    assert names[0] == "Your seeds"
    assert "Recommendations" in names
    # The recommendations' radar is the mean of the shown tracks on the fixed 0-1 scale.
    shown = catalog.tracks.filter(
        pl.col("track_id").is_in([url.rsplit("/", 1)[1] for url in table["spotify"]])
    )
    expected = profile_of(shown, label="x")
    trace = next(t for t in profile_spec["data"] if t["name"] == "Recommendations")
    radius = dict(zip(trace["theta"], trace["r"], strict=False))
    for feature in PROFILE_FEATURES:
        assert radius[feature] == pytest.approx(to_unit_scale(feature, expected.features[feature]))
    assert [t["name"] for t in seed_spec["data"] if t.get("showlegend") is not False] == [
        "Seed",
        "Its neighbours",
    ]


def test_radar_seed_switches_the_second_radar(app, seed_ids, catalog):
    at = _open_with_seeds(app, seed_ids)
    before = plotly_specs(at)[1]["data"][0]["r"]
    at.selectbox(key="radar_seed").set_value(seed_ids[1]).run()
    assert not at.exception
    after = plotly_specs(at)[1]["data"][0]["r"]
    row = catalog.tracks.filter(pl.col("track_id") == seed_ids[1])
    assert after[1] == pytest.approx(to_unit_scale("energy", row["energy"][0]))
    assert before != after


def test_weight_change_changes_the_table(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    before = _table(at)[["title", "similarity"]].to_dict("records")
    at.slider(key="weight_energy").set_value(3.0).run()
    assert not at.exception
    assert at.session_state["weights"]["energy"] == 3.0
    assert _table(at)[["title", "similarity"]].to_dict("records") != before


def test_presets_and_reset_move_the_sliders(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    at.button(key="preset_same_mood").click().run()
    assert not at.exception
    for name, value in PRESETS["Same mood"].items():
        assert at.slider(key=f"weight_{name}").value == value
    at.button(key="reset_weights").click().run()
    for name, value in DEFAULT_WEIGHTS.items():
        assert at.slider(key=f"weight_{name}").value == value
    assert at.session_state["weights"] == dict(DEFAULT_WEIGHTS)


def test_discover_preset_never_returns_a_seeds_artist_and_restores_in_one_click(
    app, seed_ids, reference_catalog
):
    at = _open_with_seeds(app, seed_ids)
    before = dict(at.session_state["weights"])
    at.button(key="preset_discover_new_artists").click().run()
    assert not at.exception
    assert at.toggle(key="discover").value
    assert at.button(key="preset_discover_new_artists").label.startswith("✓ ")
    assert any("Discover new artists** is active" in c.value for c in at.caption)
    tracks = reference_catalog.tracks
    seed_artists = {
        name
        for credits in tracks.filter(pl.col("track_id").is_in(seed_ids))["artists"].to_list()
        for name in artist_names(credits)
    }
    shown = [url.rsplit("/", 1)[1] for url in _table(at)["spotify"]]
    assert len(shown) == 10
    for credits in tracks.filter(pl.col("track_id").is_in(shown))["artists"].to_list():
        assert seed_artists.isdisjoint(artist_names(credits)), credits
    at.button(key="restore_weights").click().run()
    assert at.session_state["weights"] == before
    assert not at.toggle(key="discover").value
    assert not at.button(key="preset_discover_new_artists").label.startswith("✓ ")


def test_weights_survive_a_visit_to_another_page(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    at.slider(key="weight_valence").set_value(2.5).run()
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/recommendations.py").run()
    assert at.slider(key="weight_valence").value == 2.5


def test_options_limit_the_list(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    at.number_input(key="per_seed").set_value(3).run()
    assert len(_table(at)) == 6
    at.number_input(key="max_per_artist").set_value(1).run()
    table = _table(at)
    assert not at.exception
    assert len(set(table["artists"])) == len(table)


def test_export_is_the_shown_table(app, seed_ids, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = _open_with_seeds(app, seed_ids)
    assert at.get("download_button")[0].proto.label == "Download CSV"
    content, mimetype, filename = downloads[-1]
    assert mimetype == "text/csv"
    assert filename.endswith(".csv")
    lines = content.decode("utf-8").splitlines()
    table = _table(at)
    assert len(lines) == len(table) + 1
    # The table's columns in the table's order, then the ids, then Exportify's columns.
    assert lines[0] == (
        "title,artists,similarity,why,spotify,answers seed,track_id,seed_track_id,"
        "Track URI,Track Name,Artist Name(s),Album Name,Album Release Date,"
        "Track Duration (ms),Explicit,Popularity"
    )


def test_without_a_login_the_guest_gets_the_routes_that_need_none(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    shown = texts(at)
    assert "Log in on Home" not in shown
    assert "needs a Spotify login" not in shown
    assert not [b for b in at.button if b.key == "save_playlist"]
    assert "Take the list to Spotify" in [s.value for s in at.subheader]
    assert "desktop app" in shown
    # The one login that exists without a configured app: the listener's own.
    assert "“Use your own Spotify app” on Home" in shown
    links = _copied_links(at)
    assert links == [f"https://open.spotify.com/track/{i}" for i in _table(at)["track_id"]]
    assert any(e.label == f"The {len(links)} links, to copy by hand" for e in at.expander)


def test_share_link_reproduces_seeds_and_weights(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    at.slider(key="weight_energy").set_value(2.0).run()
    link = _share_link(at)
    assert f"seeds={seed_ids[0]},{seed_ids[1]}" in link
    assert "weights=energy:2" in link


def test_radar_seed_is_kept_across_pages_and_follows_removed_seeds(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    at.selectbox(key="radar_seed").set_value(seed_ids[1]).run()
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/recommendations.py").run()
    assert at.selectbox(key="radar_seed").value == seed_ids[1]
    at.session_state["seed_ids"] = [seed_ids[0]]
    at.run()
    assert not at.exception
    assert at.selectbox(key="radar_seed").value == seed_ids[0]


def test_whole_guest_flow_in_one_session(app, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = app.run()
    for query in ("song 007 artist 07", "song 123 artist 03"):
        at.text_input(key="guest_search").set_value(query).run()
        next(b for b in at.button if b.key and b.key.startswith("guest_add_")).click().run()
    seeds = list(at.session_state["seed_ids"])
    assert len(seeds) == 2
    at.switch_page("pages/recommendations.py").run()
    assert not at.exception
    assert len(plotly_specs(at)) == 2
    before = _table(at)[["title", "similarity"]].to_dict("records")
    at.slider(key="weight_energy").set_value(3.0).run()
    after = _table(at)
    assert after[["title", "similarity"]].to_dict("records") != before
    content = downloads[-1][0].decode("utf-8").splitlines()
    assert len(content) == len(after) + 1
    assert after["title"].iloc[0].replace('"', "") in content[1].replace('"', "")


def _select(at, track_id):
    """What selecting a row of the list does (AppTest cannot click a grid cell)."""
    at.session_state["_selected_recommendation"] = track_id
    return at.run()


def test_selecting_a_recommendation_plays_it_and_its_seed(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    assert "Select a row" in texts(at)
    assert not _players(at)
    table = _table(at)
    chosen = table["track_id"].iloc[3]
    at = _select(at, chosen)
    assert not at.exception
    sources = _players(at)
    assert sources == [
        f"https://open.spotify.com/embed/track/{chosen}",
        f"https://open.spotify.com/embed/track/{table['seed_track_id'].iloc[3]}",
    ]
    # The full reasons, with both values, under the player.
    assert "Close on" in texts(at)


def test_not_this_artist_stays_out_and_its_chip_brings_it_back(real_app, real_seed_ids):
    # On the made-up catalog an energy weight of 2.5 moves the artist out of the top 10 anyway.
    at = _open_with_seeds(real_app, real_seed_ids)
    before = _table(at)
    artist = before["artists"].iloc[0].split(", ")[0]
    at = _select(at, before["track_id"].iloc[0])
    at.button(key="exclude_artist").click().run()
    assert not at.exception
    after = _table(at)
    assert not any(artist in a for a in after["artists"]), list(after["artists"])
    assert at.session_state["excluded_artists"] == [artist]
    # The next rerun (a weight move) keeps the artist out.
    at.slider(key="weight_energy").set_value(2.5).run()
    assert not any(artist in a for a in _table(at)["artists"])
    chip = at.button(key="include_artist_0")
    assert artist in chip.label
    assert f"not_artist={artist.replace(' ', '+')}" in _share_link(at)
    chip.click().run()
    assert at.session_state["excluded_artists"] == []
    assert any(artist in a for a in _table(at)["artists"])


def test_not_this_track_is_a_removable_chip(app, seed_ids):
    at = _open_with_seeds(app, seed_ids)
    gone = _table(at)["track_id"].iloc[2]
    at = _select(at, gone)
    at.button(key="exclude_track").click().run()
    assert gone not in set(_table(at)["track_id"])
    assert f"not={gone}" in _share_link(at)
    at.button(key=f"include_track_{gone}").click().run()
    assert gone in set(_table(at)["track_id"])


def test_the_phone_grid_is_the_same_list_with_the_closest_features_named(app, seed_ids):
    """Below 640 px the page's style shows this grid instead (tests/browser measure that)."""
    at = _open_with_seeds(app, seed_ids)
    wide, phone = at.dataframe[0].value, at.dataframe[1].value
    assert list(phone["track_id"]) == list(wide["track_id"])
    assert list(phone["title"]) == list(wide["title"])
    closest = [cell for cell in phone["close on"] if cell]
    assert closest, "no row names a close feature"
    # Short names only, never the values: the values are in the wide grid and the detail.
    assert not any("%" in cell or "vs" in cell for cell in closest), closest
    assert all(len(cell) <= reasons.SHORT_CELL_CHARS for cell in phone["close on"])
