"""The feature weights (one list for CLI, sliders and share links) and the feature encoding."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import polars as pl
from sklearn.preprocessing import StandardScaler

from recommender.domain import PROFILE_FEATURES
from recommender.engine.layout import QueryLayout
from recommender.text import fold

# The nine "how it sounds" features first (the radar's), then the descriptors and metadata.
WEIGHT_NAMES: Final = (
    *PROFILE_FEATURES,
    "duration",
    "key",
    "mode",
    "time_signature",
    "popularity",
    "year",
    "artist",
    "genre",
)
WEIGHT_MIN: Final = 0.0
WEIGHT_MAX: Final = 3.0

# The defaults every listener starts from: no radar feature switched off, key/mode/metre low
# (they mostly say "4/4, major"). Why these values, and the figures that chose them:
# docs/decisions/0001-default-weights.md.
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {
        "danceability": 0.5,
        "energy": 0.5,
        "speechiness": 1.0,
        "acousticness": 0.5,
        "instrumentalness": 1.0,
        "liveness": 0.5,
        "valence": 1.0,
        "loudness": 0.5,
        "tempo": 0.5,
        "duration": 0.5,
        "key": 0.25,
        "mode": 0.25,
        "time_signature": 0.25,
        "popularity": 0.5,
        "year": 0.75,
        "artist": 1.0,
        "genre": 0.5,
    }
)


def _preset(**changes: float) -> Mapping[str, float]:
    return MappingProxyType({**DEFAULT_WEIGHTS, **changes})


# Each preset's weights were searched for its own aim on the tuning half of the evaluation's
# playlists (``tune --preset``); the figures and the search: docs/decisions/0007-presets.md.
PRESETS: Final[Mapping[str, Mapping[str, float]]] = MappingProxyType(
    {
        "Sound alike": _preset(
            danceability=2.0,
            energy=2.0,
            speechiness=2.0,
            acousticness=2.0,
            instrumentalness=2.0,
            liveness=2.0,
            valence=2.0,
            loudness=2.0,
            tempo=2.0,
            duration=0.0,
            key=0.0,
            mode=0.0,
            time_signature=0.0,
            popularity=0.0,
            year=0.0,
            artist=1.0,
            genre=0.0,
        ),
        "Same mood": _preset(
            valence=2.5,
            energy=3.0,
            danceability=1.0,
            acousticness=1.0,
            speechiness=0.5,
            mode=0.5,
            time_signature=0.5,
            popularity=1.5,
            year=0.5,
            artist=1.5,
            genre=1.5,
        ),
        "Discover new artists": _preset(
            danceability=1.0,
            acousticness=2.0,
            instrumentalness=0.5,
            time_signature=1.5,
            popularity=1.0,
            year=3.0,
            # Under discover no candidate shares a seed's artist, so a weight here only tilts the
            # source mix (docs/decisions/0007-presets.md): 0 keeps the term out.
            artist=0.0,
            genre=0.0,
        ),
    }
)
# What each preset aims for, in a listener's words; the evaluation scores each on exactly
# this (``evaluation.aims``), so the sentence and the figure cannot drift apart unnoticed.
PRESET_PURPOSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Sound alike": "tracks that sound closest to one of your seeds on the nine radar features",
        "Same mood": "tracks whose mood (valence) and energy sit closest to your seeds' average",
        "Discover new artists": "only artists your seeds do not credit, the likeliest first",
    }
)
# Presets that also switch the "discover" option on (no track by a seed's artist): weights
# alone cannot promise that, so "Discover new artists" would otherwise return a seed's artist.
DISCOVER_PRESETS: Final = frozenset({"Discover new artists"})

# Dense weights in column order. Each is standardised to one column, except `key`, which is a
# point on the circle of fifths (two columns): keys a fifth apart share six of seven notes,
# so they should sit close, and C and B (adjacent numbers, few shared notes) should not.
SCALED_FEATURES: Final = (
    *PROFILE_FEATURES,
    "duration",
    "mode",
    "time_signature",
    "popularity",
    "year",
)
DENSE_WEIGHTS: Final = (*SCALED_FEATURES, "key")
# The features a partial distance compares, in the column order of ``TrackModel.compared``.
COMPARED_WEIGHTS: Final = (*DENSE_WEIGHTS, "artist", "genre")
# The one description of the encoded columns every reader asks (``engine.layout``).
LAYOUT: Final = QueryLayout(
    weight_names=WEIGHT_NAMES,
    defaults=DEFAULT_WEIGHTS,
    scaled=SCALED_FEATURES,
    circular=("key",),
    labels=("artist", "genre"),
)


def _raw_columns(layout: QueryLayout) -> list[pl.Expr]:
    """Catalog columns -> raw numeric values; null where the value is unknown or invalid."""
    positive = {"tempo": "tempo", "time_signature": "time_signature", "year": "year"}
    exprs = []
    for name in layout.scaled:
        if name == "duration":
            # Log seconds: durations are heavily skewed (a few 70-minute recordings).
            duration = pl.col("duration_ms").cast(pl.Float64)
            expr = pl.when(duration > 0).then((duration / 1000.0).log()).otherwise(None)
        elif name in positive:
            # Tempo 0, metre 0 and year 0 are "analysis failed"/"unknown", not values.
            value = pl.col(positive[name]).cast(pl.Float64)
            expr = pl.when(value > 0).then(value).otherwise(None)
        else:
            expr = pl.col(name).cast(pl.Float64)
        exprs.append(expr.alias(name))
    return exprs


def raw_features(
    tracks: pl.DataFrame, layout: QueryLayout | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the raw scaled-feature matrix (NaN = unknown) and the key's pitch class (-1 unknown).

    Raises:
        ValueError: naming the catalog column that is missing.
    """
    layout = layout or LAYOUT
    needed = {*layout.scaled, "duration_ms", *layout.circular} - {"duration"}
    missing = sorted(needed - set(tracks.columns))
    if missing:
        msg = f"tracks table lacks feature column(s) {missing}"
        raise ValueError(msg)
    raw = tracks.select(_raw_columns(layout)).to_numpy().astype(np.float64)
    key = tracks["key"].cast(pl.Int64).fill_null(-1).to_numpy()
    key = np.where((key >= 0) & (key <= 11), key, -1)
    return raw, key


def fit_scaler(raw: np.ndarray) -> StandardScaler:
    """Fit a StandardScaler on the catalog, ignoring unknown values (NaN).

    A column that is unknown for every track is fitted on zeros so it stays finite.
    """
    empty = np.isnan(raw).all(axis=0)
    if not empty.any():
        return StandardScaler().fit(raw)
    # Copy only in the rare case there is something to fill (a million rows: 112 MB).
    filled = raw.copy()
    filled[:, empty] = 0.0
    return StandardScaler().fit(filled)


def encode_dense(
    raw: np.ndarray, key: np.ndarray, scaler: StandardScaler, layout: QueryLayout | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Standardise and encode the dense block; return ``(values, known)``.

    ``values`` (float32, n x ``layout.n_values``): the standardised features, an unknown one
    at the mean (0), then the key as a point on the circle of fifths (the origin when
    unknown). ``known`` (bool, n x ``len(layout.dense_features)``) says which features a track
    has: the partial distance (``engine.recommend``) compares a feature only where the seed
    and the candidate both know it, so the 0 of an unknown value is never compared.
    """
    layout = layout or LAYOUT
    n = raw.shape[0]
    scaled = scaler.transform(raw)
    known_scaled = ~np.isnan(scaled)
    key_known = key >= 0
    # Circle of fifths: pitch class p sits at position 7p mod 12.
    angle = ((key * 7) % 12) * (2.0 * math.pi / 12.0)
    key_xy = np.column_stack([np.cos(angle), np.sin(angle)]) * key_known[:, None]
    known = np.column_stack([known_scaled, key_known])
    values = np.empty((n, layout.n_values), dtype=np.float32)
    columns = layout.scaled_columns
    # Assign, then zero the unknowns in place: no second n x 14 float64 temporary.
    values[:, columns] = scaled
    del scaled
    values[:, columns][~known_scaled] = 0.0
    values[:, layout.circle_columns("key")] = key_xy
    return values, known


def genre_labels(genres: Sequence[str] | None) -> list[str]:
    """Folded, de-duplicated genre labels of one track."""
    return list(dict.fromkeys(label for label in (fold(g) for g in genres or ()) if label))


def resolve_weights(
    weights: Mapping[str, float] | None, *, defaults: Mapping[str, float] = DEFAULT_WEIGHTS
) -> dict[str, float]:
    """``defaults`` overlaid with ``weights``; every value checked.

    Raises:
        ValueError: naming an unknown weight (and listing the valid ones) or a value outside
            ``WEIGHT_MIN``-``WEIGHT_MAX``.
    """
    resolved = dict(defaults)
    for name, value in (weights or {}).items():
        if name not in resolved:
            msg = f"unknown weight {name!r}; valid weights: {', '.join(defaults)}"
            raise ValueError(msg)
        number = float(value)
        if not WEIGHT_MIN <= number <= WEIGHT_MAX:
            msg = f"weight {name}={value} is outside {WEIGHT_MIN:g}-{WEIGHT_MAX:g}"
            raise ValueError(msg)
        resolved[name] = number
    return resolved


def parse_weights(text: str) -> dict[str, float]:
    """Parse "energy:2,valence:0.5" (or "energy=2" pieces) into the weights it names.

    Raises:
        ValueError: on a malformed piece, an unknown name (listing the valid ones) or a value
            outside the allowed range.
    """
    parsed: dict[str, float] = {}
    for piece in text.replace(";", ",").split(","):
        piece = piece.strip()
        if not piece:
            continue
        name, sep, value = piece.replace("=", ":", 1).partition(":")
        name = name.strip().lower()
        if not sep:
            msg = f"weight {piece!r} is not NAME:VALUE or NAME=VALUE"
            raise ValueError(msg)
        try:
            number = float(value)
        except ValueError:
            msg = f"weight {piece!r}: {value.strip()!r} is not a number"
            raise ValueError(msg) from None
        if not math.isfinite(number):
            msg = f"weight {piece!r} is not a finite number"
            raise ValueError(msg)
        parsed[name] = number
    resolve_weights(parsed)
    return parsed


def _short(number: float) -> str:
    return f"{number:g}"


def format_weights(weights: Mapping[str, float]) -> str:
    """Format weights as "energy:2,valence:0.5", only those that differ from the defaults."""
    resolved = resolve_weights(weights)
    return ",".join(
        f"{name}:{_short(resolved[name])}"
        for name in WEIGHT_NAMES
        if not math.isclose(resolved[name], DEFAULT_WEIGHTS[name])
    )


@dataclass(frozen=True, slots=True)
class WeightVector:
    """Weights as an array in ``WEIGHT_NAMES`` order, plus the squared weights."""

    values: np.ndarray

    @classmethod
    def of(
        cls, weights: Mapping[str, float] | None, layout: QueryLayout | None = None
    ) -> WeightVector:
        """Resolve and order ``weights`` (``layout``'s defaults for the names not given)."""
        layout = layout or LAYOUT
        resolved = resolve_weights(weights, defaults=layout.defaults)
        return cls(np.array([resolved[n] for n in layout.weight_names], dtype=np.float64))

    @property
    def squared(self) -> np.ndarray:
        """``w**2`` per weight: the factor on each feature's squared difference."""
        return self.values**2
