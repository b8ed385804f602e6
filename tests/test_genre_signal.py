"""The genre signal: observed labels mapped across vocabularies, carried, predicted."""

import numpy as np
import polars as pl
import pytest

from recommender.engine import genre_signal as genre_signal_module
from recommender.engine.genre_signal import (
    CARRIED,
    MIN_LABEL_TRACKS,
    carried_pairs,
    genre_signal,
    mapped_pairs,
    predicted_pairs,
)
from recommender.engine.model import train
from tests.factories import make_catalog


def _pairs(rows: list[int], labels: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"row": rows, "label": labels}, schema={"row": pl.UInt32, "label": pl.String}
    )


def _labels_of(pairs: pl.DataFrame, row: int) -> list[str]:
    return sorted(pairs.filter(pl.col("row") == row)["label"].to_list())


def test_tidytuesday_spellings_map_onto_kaggle_and_the_rest_keep_theirs():
    pairs = _pairs([0, 1, 1, 2, 3], ["rap", "hip pop", "pop", "permanent wave", "r&b"])

    mapped = mapped_pairs(pairs)

    assert _labels_of(mapped, 0) == ["hip-hop"]
    assert _labels_of(mapped, 1) == ["hip-hop", "pop"]  # "pop" twice collapses to once
    assert _labels_of(mapped, 2) == ["permanent wave"]
    assert _labels_of(mapped, 3) == ["r-n-b"]
    assert mapped.height == 5


def test_an_unlabelled_track_carries_its_artists_most_frequent_labels_ties_by_label():
    # Artist "a" has rows 0-4 labelled: rock x3, jazz x2, blues x2, folk x1.
    observed = _pairs(
        [0, 0, 1, 1, 2, 2, 3, 4], ["rock", "jazz", "rock", "jazz", "rock", "blues", "blues", "folk"]
    )
    primary = pl.Series(["a", "a", "a", "a", "a", "a", "b", ""])

    carried = carried_pairs(observed, primary, np.array([5, 6, 7]))

    assert CARRIED == 3
    assert _labels_of(carried, 5) == ["blues", "jazz", "rock"]
    assert "folk" not in _labels_of(carried, 5)
    assert _labels_of(carried, 6) == []  # artist "b" has no labelled track
    assert _labels_of(carried, 7) == []  # uncredited carries nothing
    assert set(carried["row"].to_list()) == {5}


def _clusters(n: int = MIN_LABEL_TRACKS) -> tuple[pl.DataFrame, np.ndarray]:
    """Three labelled clusters far apart in nine features, then three unlabelled probes."""
    rng = np.random.default_rng(3)
    centres = {"ambient": -3.0, "pop": 0.0, "metal": 3.0}
    features, rows, labels = [], [], []
    for label, centre in centres.items():
        for _ in range(n):
            rows.append(len(features))
            labels.append(label)
            features.append(rng.normal(centre, 0.2, size=9))
    for centre in centres.values():
        features.append(np.full(9, centre))
    return _pairs(rows, labels), np.asarray(features, dtype=np.float32)


def test_an_unlabelled_track_is_predicted_from_its_sound():
    observed, features = _clusters()
    probes = np.arange(features.shape[0] - 3, features.shape[0])

    predicted = predicted_pairs(observed, features, probes)

    first = [_labels_of(predicted, int(row)) for row in probes]
    assert "ambient" in first[0]
    assert "metal" not in first[0]
    assert "metal" in first[2]
    assert "ambient" not in first[2]
    assert all(len(labels) == 2 for labels in first)  # PREDICTED labels each
    assert set(predicted["row"].to_list()) == set(probes.tolist())


def test_a_label_with_too_few_tracks_is_never_predicted():
    observed, features = _clusters()
    rare = _pairs([0, 1], ["vaporwave", "vaporwave"])

    predicted = predicted_pairs(pl.concat([observed, rare]), features, np.array([60, 61, 62]))

    assert "vaporwave" not in predicted["label"].to_list()
    too_few = observed.filter(pl.col("label") == "pop").head(MIN_LABEL_TRACKS - 1)
    assert predicted_pairs(too_few, features, np.array([60])).height == 0


def test_each_row_takes_the_first_origin_that_has_labels():
    observed, features = _clusters()
    n = features.shape[0]  # 60 labelled rows, then probes 60, 61, 62
    # Row 60's artist "x" also made row 0 (ambient); rows 61 and 62 have artists with no labels.
    primary = pl.Series(["x"] + [f"p{i}" for i in range(1, n - 3)] + ["x", "y", ""])

    signal = genre_signal(observed, primary=primary, features=features)

    assert signal.count("observed") == n - 3
    assert signal.count("carried") == 1
    assert signal.count("predicted") == 2
    assert _labels_of(signal.pairs, 60) == ["ambient"]  # carried, not predicted
    assert _labels_of(signal.pairs, 0) == ["ambient"]  # its own label only
    assert "metal" in _labels_of(signal.pairs, 62)
    # Leak-free: no label that the given catalog does not hold is ever produced.
    assert set(signal.pairs["label"].to_list()) <= set(observed["label"].to_list())


def _genre_catalog():
    rng = np.random.default_rng(5)
    rows = [
        {
            "name": f"Song {i}",
            "artists": [f"Artist {i % 7}"],
            "energy": float(rng.uniform(0, 1)),
            "genres": [] if i % 2 else (["rap"] if i % 7 == 0 else ["rock"]),
        }
        for i in range(70)
    ]
    return make_catalog(rows)


@pytest.mark.parametrize("mode", ["observed", "filled"])
def test_the_model_records_how_it_encoded_genres(mode):
    model = train(_genre_catalog(), genres=mode)

    assert model.schema["genres"] == mode
    # Kaggle's spelling only when the signal maps TidyTuesday's "rap".
    assert ("hip-hop" in model.genre_vocabulary) == (mode == "filled")


def test_a_filled_model_gives_every_credited_track_a_genre_and_observed_does_not():
    catalog = _genre_catalog()
    observed = train(catalog, genres="observed")
    filled = train(catalog, genres="filled")

    labelled = np.diff(filled.genres.indptr) > 0
    assert labelled.all()
    assert not (np.diff(observed.genres.indptr) > 0).all()
    # Row 7 (Artist 0, odd) has no labels of its own: it carries its artist's "rap".
    hip_hop = filled.genre_vocabulary.index("hip-hop")
    assert filled.genres[7, hip_hop] > 0
    assert observed.genres[7].nnz == 0
    # The dense block and artists do not depend on the genre mode.
    assert np.array_equal(filled.dense, observed.dense)


def test_a_large_labelled_set_is_sampled_for_training_the_same_way_every_time(monkeypatch):
    observed, features = _clusters(n=40)
    probes = np.arange(features.shape[0] - 3, features.shape[0])
    monkeypatch.setattr(genre_signal_module, "MAX_TRAINING_TRACKS", 60)

    first = predicted_pairs(observed, features, probes, random_state=4)
    again = predicted_pairs(observed, features, probes, random_state=4)

    assert first.equals(again)
    assert "ambient" in _labels_of(first, int(probes[0]))
    assert "metal" in _labels_of(first, int(probes[2]))
