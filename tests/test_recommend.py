import json
import math

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from recommender.cli import main
from recommender.domain import AudioProfile, track_uri
from recommender.engine.features import (
    DENSE_WEIGHTS,
    LAYOUT,
    WEIGHT_NAMES,
    WeightVector,
    resolve_weights,
)
from recommender.engine.model import load_or_train, train
from recommender.engine.recommend import (
    RecommendOptions,
    _Distances,
    _nearest_columns,
    recommend,
)
from recommender.engine.seed_rows import resolve_seeds
from recommender.text import song_key
from tests.engine_samples import tiny_catalog_and_model as _tiny
from tests.factories import make_catalog, track_id
from tests.reference import catalog_env

FEATURES = ("danceability", "energy", "valence", "acousticness", "tempo", "loudness")


# Pure distance order: the list rules (artist variety, seed-artist room, one recording) are
# tested on their own. Made-up rows often share every feature, which the one-recording rule
# reads as one recording, so tests of the distance switch that rule off.
PURE_DISTANCE = {"artists_per_block": None, "seed_artists_per_block": None, "one_recording": False}


def _ids(results):
    return [r.track_id for r in results]


def _random_catalog(seed: int, n: int = 240, *, missing: bool = False):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        row = {
            "name": f"Song {i}",
            "artists": [f"Artist {rng.integers(0, 40)}"],
            "genres": [f"g{rng.integers(0, 6)}"],
            "popularity": int(rng.integers(0, 101)),
            "year": int(rng.integers(1960, 2024)),
            "key": int(rng.integers(0, 12)),
            "mode": int(rng.integers(0, 2)),
            "duration_ms": int(rng.integers(90_000, 400_000)),
        }
        for name in FEATURES:
            row[name] = float(rng.uniform(0, 1)) * (200 if name == "tempo" else 1)
        row["loudness"] = float(rng.uniform(-30, 0))
        if missing:
            if rng.random() < 0.4:
                row["popularity"] = None
            if rng.random() < 0.3:
                row["year"] = None
            if rng.random() < 0.3:
                row["genres"] = []
        rows.append(row)
    catalog = make_catalog(rows)
    return catalog, train(catalog)


def _weights(rng):
    return {name: float(rng.choice([0.0, 0.5, 1.0, 2.0, 3.0])) for name in WEIGHT_NAMES}


def _definition_distance(model, seed, candidate, weights):
    """The documented partial squared distance, term by term, straight from the encoded rows.

    Only the features both tracks know are compared (a label the seed has always is); the
    sum is divided by the compared
    weight and multiplied by the total weight (a random pair stays about 2 Σw² apart).
    """
    w2 = WeightVector.of(weights).squared
    owners = LAYOUT.value_owner_index
    compared_sum, compared_weight = 0.0, 0.0
    for name in DENSE_WEIGHTS:
        j = DENSE_WEIGHTS.index(name)
        if model.known[seed, j] and model.known[candidate, j]:
            owner = WEIGHT_NAMES.index(name)
            compared_weight += w2[owner]
            for column in np.flatnonzero(owners == owner):
                diff = float(model.dense[seed, column]) - float(model.dense[candidate, column])
                compared_sum += w2[owner] * diff * diff
    for block, name in ((model.artists, "artist"), (model.genres, "genre")):
        # A label the candidate lacks counts as not shared (a random pair rarely shares one).
        a, b = block[seed].toarray().ravel(), block[candidate].toarray().ravel()
        if a.any():
            index = WEIGHT_NAMES.index(name)
            compared_sum += w2[index] * (2.0 - 2.0 * float(a @ b))
            compared_weight += w2[index]
    if compared_weight == 0.0:
        return 2.0 * float(w2.sum())
    return float(w2.sum()) * compared_sum / compared_weight


def test_tiny_catalog_finds_the_obvious_neighbour_first():
    catalog, model = _tiny()
    results = recommend(model, catalog, [track_id(0)], options=RecommendOptions(per_seed=3))
    assert _ids(results) == [track_id(1), track_id(2), track_id(4)]
    assert all(r.seed_track_id == track_id(0) for r in results)
    distances = [r.distance for r in results]
    assert distances == sorted(distances)


@pytest.mark.parametrize(
    ("case", "n"),
    # 3,000 tracks take the sampled-threshold path of the partial sort, 240 the plain one.
    [(0, 240), (1, 240), (2, 3000), (3, 3000)],
)
def test_two_routes_agree_with_sklearn_brute_force_on_random_data(case, n):
    catalog, model = _random_catalog(case, n)
    rng = np.random.default_rng(100 + case)
    weights = _weights(rng)
    w = WeightVector.of(weights).values
    # Route 2: the same features as one explicit matrix, weighted, searched by scikit-learn.
    expanded = np.hstack(
        [
            model.dense * w[LAYOUT.value_owner_index],
            model.artists.toarray() * w[WEIGHT_NAMES.index("artist")],
            model.genres.toarray() * w[WEIGHT_NAMES.index("genre")],
        ]
    )
    seed = int(rng.integers(0, model.n_tracks))
    index = NearestNeighbors(algorithm="brute").fit(expanded)
    distance, neighbours = index.kneighbors(expanded[[seed]], n_neighbors=11)
    expected = [i for i in neighbours[0] if i != seed][:10]
    # Pure distance order: the artist-diversity rule is tested on its own.
    options = RecommendOptions(per_seed=10, **PURE_DISTANCE)
    results = recommend(model, catalog, [track_id(seed)], weights=weights, options=options)
    assert _ids(results) == [track_id(i) for i in expected]
    reference = [d for i, d in zip(neighbours[0], distance[0], strict=True) if i != seed][:10]
    assert [r.distance for r in results] == pytest.approx(reference, rel=1e-4, abs=1e-4)


@pytest.mark.parametrize(("n", "width"), [(500, 500), (500, 7), (5000, 64), (5000, 1 << 16)])
def test_nearest_columns_equals_a_full_sort(n, width):
    rng = np.random.default_rng(n)
    distances = rng.random((7, n)).astype(np.float32)
    distances[:, rng.random(n) < 0.3] = np.inf
    expected = np.unique(np.argsort(distances, axis=1, kind="stable")[:, :20])
    blocks = ((start, distances[:, start : start + width]) for start in range(0, n, width))
    assert np.array_equal(_nearest_columns(blocks, 20), expected)


def test_distances_by_block_and_by_column_are_the_same_numbers():
    """A query never builds seeds x catalog; its blocks and chosen columns must agree."""
    _, model = _random_catalog(7, missing=True)
    seeds = resolve_seeds(model, [track_id(i) for i in (0, 3, 11)], None)
    distances = _Distances(model, seeds, WeightVector.of({"genre": 2.0}, model.layout))
    width = 17
    whole = np.hstack(
        [
            distances.block(start, min(start + width, model.n_tracks))
            for start in range(0, model.n_tracks, width)
        ]
    )
    assert whole.shape == (3, model.n_tracks)
    columns = np.array([5, 0, model.n_tracks - 1, 42])
    # BLAS rounds a product's last bit by its shape, so "the same" is float32 rounding.
    assert np.allclose(distances.columns(columns), whole[:, columns], rtol=1e-6, atol=1e-5)
    assert np.allclose(whole, distances.block(0, model.n_tracks), rtol=1e-6, atol=1e-5)
    # A seed is at distance 0 from itself, every other track further.
    assert whole[0, 0] == pytest.approx(0.0, abs=1e-4)
    assert (whole[0, 1:] > 0).all()


@pytest.mark.parametrize("case", range(3))
def test_two_routes_agree_with_missing_values_and_several_seeds(case):
    catalog, model = _random_catalog(10 + case, missing=True)
    rng = np.random.default_rng(200 + case)
    weights = _weights(rng)
    seeds = [int(s) for s in rng.choice(model.n_tracks, size=3, replace=False)]
    results = recommend(
        model,
        catalog,
        [track_id(s) for s in seeds],
        weights=weights,
        options=RecommendOptions(per_seed=4, **PURE_DISTANCE),
    )
    assert len(results) == 12
    for r in results:
        candidate = model.index[r.track_id]
        by_seed = {s: _definition_distance(model, s, candidate, weights) for s in seeds}
        assert model.index[r.seed_track_id] == min(by_seed, key=by_seed.get)
        assert r.distance == pytest.approx(math.sqrt(by_seed[model.index[r.seed_track_id]]))
    # Each seed's quota is its own nearest tracks among those assigned to it.
    for s in seeds:
        mine = [r for r in results if r.seed_track_id == track_id(s)]
        others = set(_ids(results))
        closer = [
            c
            for c in range(model.n_tracks)
            if c not in seeds
            and track_id(c) not in others
            and min(seeds, key=lambda x, c=c: _definition_distance(model, x, c, weights)) == s
            and _definition_distance(model, s, c, weights) < mine[-1].distance ** 2 - 1e-6
        ]
        assert closer == []


def test_weight_zero_removes_a_feature():
    rows = [
        {"name": "Seed", "artists": ["A"], "energy": 0.9, "valence": 0.5},
        {"name": "Same energy", "artists": ["A"], "energy": 0.9, "valence": 0.1},
        {"name": "Same valence", "artists": ["A"], "energy": 0.1, "valence": 0.5},
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    options = RecommendOptions(per_seed=2)
    equal = {"energy": 1.0, "valence": 1.0}  # the tuned defaults weigh them unequally
    with_energy = recommend(model, catalog, [track_id(0)], weights=equal, options=options)
    assert _ids(with_energy)[0] == track_id(1)
    without = recommend(model, catalog, [track_id(0)], weights={"energy": 0}, options=options)
    assert _ids(without)[0] == track_id(2)
    assert without[0].contributions.get("energy") is None
    assert without[0].distance == pytest.approx(0.0, abs=1e-6)


def _labelled_vs_unlabelled(weight_name, values, missing_value):
    rng = np.random.default_rng(7)
    seed_value = values["seed"]
    rows = [{"name": "Seed", "artists": ["S"], weight_name: seed_value}]
    for i in range(12):
        row = {
            "name": f"L{i}",
            "artists": [f"L{i}"],
            weight_name: seed_value,
            "energy": float(rng.uniform(0, 1)),
            "valence": float(rng.uniform(0, 1)),
        }
        # The unknown twin gets the lower track id, so a tie would rank it first.
        rows.append({**row, "name": f"U{i}", "artists": [f"U{i}"], weight_name: missing_value})
        rows.append(row)
    for i in range(6):
        rows.append(
            {
                "name": f"O{i}",
                "artists": [f"O{i}"],
                weight_name: values["other"],
                "energy": float(rng.uniform(0, 1)),
            }
        )
    return make_catalog(rows)


@pytest.mark.parametrize(
    ("weight_name", "values", "missing_value"),
    [
        ("genres", {"seed": ["rock"], "other": ["jazz"]}, []),
        ("popularity", {"seed": 60, "other": 5}, None),
    ],
)
def test_raising_a_weight_never_lifts_unknown_tracks_above_known_matches(
    weight_name, values, missing_value
):
    catalog = _labelled_vs_unlabelled(weight_name, values, missing_value)
    model = train(catalog)
    weight = "genre" if weight_name == "genres" else weight_name
    names = catalog.tracks["name"].to_list()
    previous: dict[str, int] | None = None
    for value in (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0):
        results = recommend(
            model,
            catalog,
            [track_id(0)],
            weights={weight: value},
            options=RecommendOptions(per_seed=catalog.tracks.height - 1, one_recording=False),
        )
        rank = {names[model.index[r.track_id]]: i for i, r in enumerate(results)}
        for i in range(12):
            # Same features otherwise: the unknown twin is never closer than the known match.
            assert rank[f"L{i}"] < rank[f"U{i}"] or value == 0
        if previous is not None:
            for u in (n for n in rank if n.startswith("U")):
                for known in (n for n in rank if n.startswith("L")):
                    if previous[u] > previous[known]:
                        assert rank[u] > rank[known], (value, u, known)
        previous = rank
    # No "all known above all unknown" at the top weight: a partial distance judges an unknown
    # track on what it shares with the seed, so a field one source lacks cannot bury it.


def test_a_seed_lacking_a_feature_ignores_it_and_treats_candidates_alike():
    rows = [
        {"name": "Seed", "artists": ["S"], "popularity": None, "genres": []},
        {"name": "Known", "artists": ["K"], "popularity": 90, "genres": ["rock"]},
        {"name": "Unknown", "artists": ["U"], "popularity": None, "genres": []},
        {"name": "Far", "artists": ["F"], "popularity": 10, "energy": 0.1, "genres": ["pop"]},
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    orders = []
    for value in (0.0, 3.0):
        results = recommend(
            model,
            catalog,
            [track_id(0)],
            weights={"popularity": value, "genre": value},
            options=RecommendOptions(per_seed=3, one_recording=False),
        )
        by_id = {r.track_id: r for r in results}
        assert by_id[track_id(1)].distance == pytest.approx(by_id[track_id(2)].distance)
        assert "popularity" not in by_id[track_id(1)].contributions
        orders.append([r.track_id for r in results][-1])
    assert orders == [track_id(3), track_id(3)]


def test_distances_of_seeds_with_and_without_a_feature_stay_comparable():
    # A seed lacking popularity pays its expected cost, so it does not win every assignment.
    catalog, model = _random_catalog(3, missing=True)
    lacking = next(i for i in range(model.n_tracks) if not model.known[i, 12])
    having = next(i for i in range(model.n_tracks) if model.known[i, 12])
    results = recommend(
        model,
        catalog,
        [track_id(lacking), track_id(having)],
        weights={"popularity": 3.0},
        options=RecommendOptions(per_seed=5, limit=40),
    )
    seeds = {r.seed_track_id for r in results}
    assert seeds == {track_id(lacking), track_id(having)}


def test_options_filter_and_cap():
    rows = [{"name": "Seed", "artists": ["Star"], "popularity": 50}]
    rows += [
        {"name": f"Star {i}", "artists": ["Star"], "energy": 0.5 + i / 100} for i in range(1, 6)
    ]
    rows += [
        {"name": f"Other {i}", "artists": [f"Band {i % 2}"], "energy": 0.4 - i / 100}
        for i in range(1, 7)
    ]
    rows += [
        {"name": "Explicit", "artists": ["E"], "explicit": True},
        {"name": "Unknown explicit", "artists": ["F"], "explicit": None},
        {"name": "Unpopular", "artists": ["G"], "popularity": 3},
        {"name": "No popularity", "artists": ["H"], "popularity": None},
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    names = dict(zip(catalog.tracks["track_id"], catalog.tracks["name"], strict=True))

    def run(**options):
        results = recommend(
            model,
            catalog,
            [track_id(0)],
            options=RecommendOptions(per_seed=30, one_recording=False, **options),
        )
        return [names[r.track_id] for r in results]

    everything = run()
    assert "Star 1" in everything
    assert "Explicit" in everything
    assert not any(n.startswith("Star") for n in run(discover=True))
    capped = run(max_per_artist=1)
    assert sum(n.startswith("Star") for n in capped) == 1
    assert sum(n.startswith("Other") for n in capped) == 2  # Band 0 and Band 1, one each
    no_explicit = run(exclude_explicit=True)
    assert "Explicit" not in no_explicit
    assert "Unknown explicit" in no_explicit
    ranged = run(popularity_range=(20, 100))
    assert "Unpopular" not in ranged
    assert "No popularity" in ranged
    skipped = run(skip_ids=frozenset({track_id(1)}))
    assert "Star 1" not in skipped
    assert "Star 1" in everything
    # "Not this artist": any spelling of the name, every track crediting it; others stay.
    without_band = run(exclude_artists=frozenset({"BAND 0", "Nobody In The Catalog"}))
    assert [n for n in everything if n not in without_band] == [
        n for n in everything if n in {"Other 2", "Other 4", "Other 6"}
    ]
    assert run(exclude_artists=frozenset()) == everything


def test_limits_and_top_up():
    catalog, model = _random_catalog(5)
    seeds = [track_id(1), track_id(2)]
    assert len(recommend(model, catalog, seeds)) == 10
    assert len(recommend(model, catalog, seeds, options=RecommendOptions(limit=3))) == 3
    topped = recommend(model, catalog, seeds, options=RecommendOptions(per_seed=1, limit=30))
    assert len(topped) == 30
    assert len({r.track_id for r in topped}) == 30
    many = [track_id(i) for i in range(20)]
    assert len(recommend(model, catalog, many)) == 50


def test_same_song_versions_are_excluded_and_deduplicated():
    rows = [
        {"name": "Hello", "artists": ["Ann"]},
        {"name": "Hello - Remastered 2011", "artists": ["Ann", "Bob"], "energy": 0.5},
        {"name": "Hello (Live)", "artists": ["Ann feat. Cy"], "energy": 0.5},
        {"name": "Goodbye", "artists": ["Ann"], "energy": 0.52},
        {"name": "Goodbye - Radio Edit", "artists": ["Ann"], "energy": 0.53},
        {"name": "Goodbye (Acoustic)", "artists": ["Ann"], "energy": 0.9},
        {"name": "Hello", "artists": ["Zed"], "energy": 0.6},
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    results = recommend(model, catalog, [track_id(0)], options=RecommendOptions(per_seed=10))
    assert _ids(results) == [track_id(3), track_id(6)]
    only_versions = make_catalog(rows[:3])
    assert recommend(train(only_versions), only_versions, [track_id(0)]) == []


def test_seeds_by_uri_by_profile_and_unknown():
    catalog, model = _tiny()
    by_uri = recommend(model, catalog, [track_uri(track_id(0))])
    assert _ids(by_uri) == _ids(recommend(model, catalog, [track_id(0)]))
    profile = AudioProfile(label="mine", features={"energy": 0.05, "valence": 0.05})
    results = recommend(
        model, catalog, ["X" * 22], seed_vectors={"X" * 22: profile}, options=RecommendOptions()
    )
    assert results[0].track_id == track_id(3)
    assert results[0].seed_track_id == "X" * 22
    with pytest.raises(ValueError, match=r"unknown seed track id 'Y{22}'"):
        recommend(model, catalog, ["Y" * 22])


def test_bad_inputs_fail_loudly():
    catalog, model = _tiny()
    with pytest.raises(ValueError, match="valid weights"):
        recommend(model, catalog, [track_id(0)], weights={"energi": 1})
    with pytest.raises(ValueError, match="per_seed"):
        recommend(model, catalog, [track_id(0)], options=RecommendOptions(per_seed=0))
    other = make_catalog([{"name": "x", "artists": ["y"]}])
    with pytest.raises(ValueError, match="retrain"):
        recommend(model, other, [track_id(0)])
    with pytest.raises(ValueError, match="no seed"):
        recommend(model, catalog, [])


def test_recommendations_are_deterministic():
    catalog, model = _random_catalog(9)
    again = train(catalog)
    seeds = [track_id(3), track_id(4)]
    assert recommend(model, catalog, seeds) == recommend(again, catalog, seeds)


# --- the reference catalog (built once per session) -----------------------------------------

I_DONT_CARE = "6f807x0ima9a1j3VPbc7VN"


@pytest.fixture(scope="module")
def reference_model(reference_catalog, reference_settings):
    return load_or_train(reference_catalog, reference_settings)


@pytest.mark.slow
def test_real_versions_of_the_seed_song_are_never_returned(reference_catalog, reference_model):
    tracks = reference_catalog.tracks
    names, artists = tracks["name"].to_list(), tracks["artists"].to_list()
    keys = [song_key(n or "", a or ()) for n, a in zip(names, artists, strict=True)]
    seed_key = keys[reference_model.index[I_DONT_CARE]]
    versions = [t for t, k in zip(tracks["track_id"], keys, strict=True) if k == seed_key]
    assert len(versions) > 1, "the reference catalog should hold other versions of the seed"
    results = recommend(
        reference_model, reference_catalog, [I_DONT_CARE], options=RecommendOptions(per_seed=50)
    )
    result_keys = [keys[reference_model.index[r.track_id]] for r in results]
    assert len(results) == 50
    assert seed_key not in result_keys
    assert len(set(result_keys)) == len(result_keys)


@pytest.mark.slow
def test_cli_recommend_json_on_the_reference_catalog(
    reference_settings, reference_model, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog_env(reference_settings))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(reference_settings.cache_dir))
    assert main(["recommend", "--seed", I_DONT_CARE, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert len(payload) == 5
    for item in payload:
        assert {"track_id", "name", "artists", "seed_track_id", "distance", "similarity"} <= set(
            item
        )
        assert item["contributions"]
        assert not item["name"].casefold().startswith("i don't care")
    seeds_file = tmp_path / "seeds.txt"
    seeds_file.write_text(f"# my seeds\n\nspotify:track:{I_DONT_CARE}  # remix\n")
    code = main(["recommend", "--seeds-file", str(seeds_file), "--weight", "energy=2", "--json"])
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)) == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "Z" * 22], "valid seeds are"),
        (["--seed", I_DONT_CARE, "--weight", "energi=2"], "valid weights: danceability"),
        (["--seed", "not-an-id"], "not a Spotify track id"),
        ([], "give at least one --seed"),
    ],
)
@pytest.mark.slow
def test_cli_recommend_rejects_bad_input_without_traceback(
    generated_app_settings, monkeypatch, capsys, argv, message
):
    # Rejected before any model is needed; the made-up catalog does not hold I_DONT_CARE,
    # which only matters to the weight case (weights are checked first).
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog_env(generated_app_settings))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(generated_app_settings.cache_dir))
    assert main(["recommend", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\xf9\xfa binary", "not UTF-8 text (byte 0xf9 at offset 1)"),
        (b"# ok\n" + b"x" * 5 + b"\n", "line 2: not a Spotify track id: 'xxxxx'"),
    ],
)
def test_cli_seeds_file_problems_name_the_file(tmp_path, capsys, content, message):
    seeds_file = tmp_path / "my seeds.bin"
    seeds_file.write_bytes(content)
    assert main(["recommend", "--seeds-file", str(seeds_file)]) == 2
    err = capsys.readouterr().err
    assert f"seeds file {seeds_file}" in err
    assert message in err
    assert "codec" not in err


def test_cli_missing_seeds_file_is_named(tmp_path, capsys):
    missing = tmp_path / "nowhere.txt"
    assert main(["recommend", "--seeds-file", str(missing)]) == 2
    assert f"seeds file {missing}: cannot be read" in capsys.readouterr().err


def test_resolve_weights_is_what_recommend_uses():
    assert resolve_weights({"energy": 2})["energy"] == 2


def _one_artist_crowd(others: int):
    """A seed, 30 near tracks by one artist, and ``others`` farther tracks by distinct artists."""
    rows = [{"name": "Seed", "artists": ["Seed artist"], "energy": 0.5, "valence": 0.5}]
    rows += [
        {"name": f"Near {i}", "artists": ["Crowd"], "energy": 0.5 + i / 1000, "valence": 0.5}
        for i in range(30)
    ]
    rows += [
        {"name": f"Far {i}", "artists": [f"Solo {i}"], "energy": 0.7 + i / 500, "valence": 0.5}
        for i in range(others)
    ]
    catalog = make_catalog(rows)
    return catalog, train(catalog)


def _primary_artists(results):
    return [song_key("", r.artists).split("\x1f")[0] for r in results]


def test_every_block_of_ten_holds_eight_distinct_artists_by_default():
    catalog, model = _one_artist_crowd(40)
    options = RecommendOptions(per_seed=30, limit=30)
    results = recommend(model, catalog, [track_id(0)], options=options)
    assert len(results) == 30
    artists = _primary_artists(results)
    for start in range(0, 30, 10):
        assert len(set(artists[start : start + 10])) >= 8, artists[start : start + 10]
    # Nearest first within each block; without the rule the crowd fills the whole list.
    for start in range(0, 30, 10):
        block = [r.distance for r in results[start : start + 10]]
        assert block == sorted(block)
    plain = recommend(
        model,
        catalog,
        [track_id(0)],
        options=RecommendOptions(per_seed=30, limit=30, **PURE_DISTANCE),
    )
    assert set(_primary_artists(plain)) == {"crowd"}


def test_the_artist_rule_yields_when_the_candidates_do_not_allow_it():
    catalog, model = _one_artist_crowd(3)
    results = recommend(
        model, catalog, [track_id(0)], options=RecommendOptions(per_seed=20, limit=20)
    )
    assert len(results) == 20  # the list is filled rather than cut short
    assert len(set(_primary_artists(results)[:10])) == 4  # all three solos and the crowd


# -- the list a listener would save: seed artists in their place, one recording once ------------
def test_the_same_recording_under_another_credit_is_left_out_and_versions_stay():
    rows = [
        {"name": "Take Five", "artists": ["The Dave Brubeck Quartet"], "energy": 0.30},
        # The same recording credited to the band leader: features analysed a hair apart.
        {"name": "Take Five", "artists": ["Dave Brubeck"], "energy": 0.301},
        {"name": "Take Five - Live", "artists": ["Dave Brubeck"], "energy": 0.31},
        # A remix under the remixer's name (another song key), crediting the band leader.
        {"name": "Take Five - DJ Remix", "artists": ["DJ", "Dave Brubeck"], "energy": 0.32},
        {"name": "Blue Rondo", "artists": ["The Dave Brubeck Quartet"], "energy": 0.33},
        {"name": "Blue Rondo - Remastered 2011", "artists": ["Dave Brubeck"], "energy": 0.331},
    ]
    rows += [
        {"name": f"Other {i}", "artists": [f"Band {i}"], "energy": 0.5 + i / 50} for i in range(8)
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    names = dict(zip(catalog.tracks["track_id"], catalog.tracks["name"], strict=True))
    options = RecommendOptions(per_seed=12, artists_per_block=None, seed_artists_per_block=None)
    listed = [names[r.track_id] for r in recommend(model, catalog, [track_id(0)], options=options)]
    assert "Take Five" not in listed  # the seed's own recording
    assert "Take Five - Live" in listed
    assert "Take Five - DJ Remix" in listed
    # Of one recording listed twice, the nearer stays.
    assert ("Blue Rondo" in listed) != ("Blue Rondo - Remastered 2011" in listed)
    off = recommend(
        model, catalog, [track_id(0)], options=RecommendOptions(per_seed=12, **PURE_DISTANCE)
    )
    assert "Take Five" in [names[r.track_id] for r in off]


def test_tracks_crediting_a_seeds_artist_take_at_most_5_of_each_20():
    rows = [{"name": "Seed", "artists": ["Star"], "energy": 0.5}]
    # The nearest 30 credit the seed's artist, as primary or featured; 40 others come after.
    rows += [
        {
            "name": f"Star {i}",
            "artists": ["Star"] if i % 2 else ["Guest", "Star"],
            "energy": 0.5 + i / 1000,
        }
        for i in range(30)
    ]
    rows += [
        {"name": f"Other {i}", "artists": [f"Band {i}"], "energy": 0.6 + i / 500} for i in range(40)
    ]
    catalog = make_catalog(rows)
    model = train(catalog)
    names = dict(zip(catalog.tracks["track_id"], catalog.tracks["name"], strict=True))
    results = recommend(
        model, catalog, [track_id(0)], options=RecommendOptions(per_seed=40, one_recording=False)
    )
    listed = [names[r.track_id] for r in results]
    assert len(listed) == 40
    for start in (0, 20):
        assert sum(name.startswith("Star") for name in listed[start : start + 20]) == 5
    uncapped = recommend(
        model,
        catalog,
        [track_id(0)],
        options=RecommendOptions(per_seed=40, seed_artists_per_block=None, one_recording=False),
    )
    assert sum(names[r.track_id].startswith("Star") for r in uncapped[:20]) > 5
    with pytest.raises(ValueError, match="seed_artists_per_block must be 0-20"):
        recommend(
            model, catalog, [track_id(0)], options=RecommendOptions(seed_artists_per_block=21)
        )
