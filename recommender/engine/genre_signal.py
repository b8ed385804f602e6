"""A genre for every track, whatever its source: observed, carried from its artist, or predicted.

The sources label tracks in different vocabularies (TidyTuesday's playlist genres and
subgenres, Kaggle's 114 genres) or not at all (Hit Predictor, the 1.2M set), so "shares a
genre" marked the dataset more than the sound. Each track's genre labels are, in order:

- **observed**: its own labels, with TidyTuesday's spellings mapped onto Kaggle's where both
  name the same genre (``SYNONYMS``: "rap" is Kaggle's "hip-hop");
- **carried**: none of its own, so the labels its primary artist's observed tracks carry most
  often (at most ``CARRIED``);
- **predicted**: neither, so the ``PREDICTED`` most likely labels of a classifier trained on
  the observed tracks' nine profile features (never on year, popularity or any field only
  some sources have, which would mark the source again).

The model is trained on whatever catalog it is given: the evaluation trains on
``leak_free_genres``, so neither carried nor predicted labels saw a playlist's own labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

Origin = Literal["observed", "carried", "predicted"]
# How the model encodes genres: the tracks' own labels only, or a label for every track.
GenreMode = Literal["observed", "filled"]
GENRES: Final[GenreMode] = "observed"
ORIGINS: Final[tuple[Origin, ...]] = ("observed", "carried", "predicted")
CARRIED: Final = 3
PREDICTED: Final = 2
# A label needs this many observed tracks to be predicted: fewer is noise, not a genre.
MIN_LABEL_TRACKS: Final = 20
# The classifier sees at most this many observed tracks (a seeded sample): enough for nine
# features, and training stays seconds at any catalog size.
MAX_TRAINING_TRACKS: Final = 60_000
PREDICT_BLOCK: Final = 65_536

# Folded TidyTuesday labels -> the folded Kaggle labels that name the same genre. A label not
# here keeps its own spelling; a subgenre with no Kaggle twin ("permanent wave") stays its own.
SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "rap": ("hip-hop",),
        "hip hop": ("hip-hop",),
        "southern hip hop": ("hip-hop",),
        "gangster rap": ("hip-hop",),
        "trap": ("hip-hop",),
        "hip pop": ("hip-hop", "pop"),
        "latin hip hop": ("latin", "hip-hop"),
        "r&b": ("r-n-b",),
        "neo soul": ("soul", "r-n-b"),
        "new jack swing": ("r-n-b",),
        "urban contemporary": ("r-n-b",),
        "hard rock": ("hard-rock",),
        "album rock": ("rock",),
        "classic rock": ("rock",),
        "dance pop": ("dance", "pop"),
        "post-teen pop": ("pop",),
        "electropop": ("synth-pop", "pop"),
        "indie poptimism": ("indie-pop",),
        "latin pop": ("latin", "pop"),
        "tropical": ("latin",),
        "electro house": ("electro", "house"),
        "progressive electro house": ("progressive-house",),
        "big room": ("edm", "house"),
        "pop edm": ("edm", "pop"),
    }
)


@dataclass(frozen=True, slots=True)
class GenreSignal:
    """Every track's ``(row, label)`` pairs and where each row's labels came from."""

    pairs: pl.DataFrame  # columns row (u32), label (str); distinct
    origin: np.ndarray  # per row: 0 none, 1 observed, 2 carried, 3 predicted (ORIGINS + 1)

    def count(self, origin: Origin) -> int:
        """How many rows got their labels this way."""
        return int(np.count_nonzero(self.origin == ORIGINS.index(origin) + 1))


def mapped_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Observed ``(row, label)`` pairs with ``SYNONYMS`` applied, distinct."""
    synonyms = pl.DataFrame(
        {"label": list(SYNONYMS), "mapped": [list(v) for v in SYNONYMS.values()]},
        schema={"label": pl.String, "mapped": pl.List(pl.String)},
    )
    return (
        pairs.join(synonyms, on="label", how="left")
        .select(
            "row",
            pl.when(pl.col("mapped").is_null())
            .then(pl.concat_list(pl.col("label")))
            .otherwise(pl.col("mapped"))
            .alias("label"),
        )
        .explode("label")
        .unique()
    )


def carried_pairs(observed: pl.DataFrame, primary: pl.Series, rows: np.ndarray) -> pl.DataFrame:
    """For each of ``rows``, its primary artist's ``CARRIED`` most frequent observed labels.

    Ties break by label, so the result does not depend on row order. An empty primary artist
    (an uncredited track) carries nothing.
    """
    artists = pl.DataFrame({"row": np.arange(len(primary), dtype=np.uint32), "artist": primary})
    by_artist = (
        observed.join(artists, on="row")
        .filter(pl.col("artist") != "")
        .group_by("artist", "label")
        .len()
        .sort(["artist", "len", "label"], descending=[False, True, False])
        .group_by("artist", maintain_order=True)
        .head(CARRIED)
        .select("artist", "label")
    )
    wanted = artists.select(pl.all().gather(rows))
    return wanted.join(by_artist, on="artist").select("row", "label").unique()


def predicted_pairs(
    observed: pl.DataFrame, features: np.ndarray, rows: np.ndarray, *, random_state: int = 0
) -> pl.DataFrame:
    """For each of ``rows``, the ``PREDICTED`` most likely labels from ``features``.

    One training example per observed ``(track, label)`` pair; labels with fewer than
    ``MIN_LABEL_TRACKS`` tracks are left out. Empty when fewer than two labels qualify.
    """
    empty = pl.DataFrame(schema={"row": pl.UInt32, "label": pl.String})
    counts = observed.group_by("label").len().filter(pl.col("len") >= MIN_LABEL_TRACKS)
    if counts.height < 2 or rows.size == 0:
        return empty
    examples = observed.join(counts.select("label"), on="label").sort("row", "label")
    labelled = np.unique(examples["row"].to_numpy())
    if labelled.size > MAX_TRAINING_TRACKS:
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(labelled, size=MAX_TRAINING_TRACKS, replace=False))
        kept = pl.DataFrame({"row": keep.astype(np.uint32)})
        examples = examples.join(kept, on="row").sort("row", "label")
    x = features[examples["row"].to_numpy()]
    classifier = LogisticRegression(max_iter=300, random_state=random_state)
    classifier.fit(x, examples["label"].to_numpy())
    classes = classifier.classes_
    found_rows, found_labels = [], []
    take = min(PREDICTED, len(classes))
    for start in range(0, rows.size, PREDICT_BLOCK):
        block = rows[start : start + PREDICT_BLOCK]
        probabilities = classifier.predict_proba(features[block])
        best = np.argsort(-probabilities, axis=1, kind="stable")[:, :take]
        found_rows.append(np.repeat(block, take))
        found_labels.append(classes[best].ravel())
    return pl.DataFrame(
        {
            "row": np.concatenate(found_rows).astype(np.uint32),
            "label": np.concatenate(found_labels).astype(str),
        }
    )


def genre_signal(
    observed: pl.DataFrame, *, primary: pl.Series, features: np.ndarray, random_state: int = 0
) -> GenreSignal:
    """Labels for every row: observed (mapped), else carried from the artist, else predicted.

    Args:
        observed: distinct folded ``(row, label)`` pairs of the tracks' own genres.
        primary: each row's folded primary artist ("" when uncredited).
        features: each row's nine standardised profile features (unknown values at 0).
        random_state: fixes the classifier's training sample and fit.
    """
    n_rows = len(primary)
    own = mapped_pairs(observed.with_columns(pl.col("row").cast(pl.UInt32)))
    origin = np.zeros(n_rows, dtype=np.int8)
    origin[own["row"].unique().to_numpy()] = 1
    carried = carried_pairs(own, primary, np.flatnonzero(origin == 0))
    origin[carried["row"].unique().to_numpy()] = 2
    predicted = predicted_pairs(
        own, features, np.flatnonzero(origin == 0), random_state=random_state
    )
    origin[predicted["row"].unique().to_numpy()] = 3
    pairs = pl.concat([own, carried, predicted]).unique().sort("row", "label")
    return GenreSignal(pairs=pairs, origin=origin)
