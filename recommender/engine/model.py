"""The fitted model bundle: encoded catalog features, persisted as one self-renewing artifact."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import tempfile
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import joblib
import numpy as np
import polars as pl
import scipy
import scipy.sparse as sp
import sklearn
from filelock import FileLock, Timeout
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.preprocessing import StandardScaler

from recommender.domain import Catalog
from recommender.engine.features import (
    WEIGHT_NAMES,
    encode_dense,
    fit_scaler,
    genre_labels,
    one_hot,
    raw_features,
)
from recommender.settings import Settings
from recommender.text import artist_names, primary_artist, song_key

logger = logging.getLogger(__name__)

# Bump when the encoding changes: an artifact of another format is retrained, not misread.
MODEL_FORMAT: Final = 1
MODEL_FILENAME: Final = "track_model.joblib"
# A second process waits this long for the first to finish training before training itself.
LOCK_TIMEOUT_SECONDS: Final = 600.0

Clock = Callable[[], datetime]


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose objects the artifact pickles."""
    return {
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def _schema() -> dict[str, Any]:
    return {"format": MODEL_FORMAT, "weights": list(WEIGHT_NAMES)}


@dataclass(eq=False)
class TrackModel:
    """Everything a query needs, fitted once per catalog.

    Rows follow ``catalog.tracks`` (sorted by track id). ``dense`` holds the standardised
    features plus one "unknown" column per dense weight (see ``features.encode_dense``);
    ``artists``/``genres`` are L2-normalised multi-hot rows. A weight change only rescales
    columns inside the query, so nothing here is refitted when a slider moves.
    """

    track_ids: list[str]
    dense: np.ndarray
    known: np.ndarray
    artists: sp.csr_matrix
    genres: sp.csr_matrix
    song_codes: np.ndarray
    primary_codes: np.ndarray
    popularity: np.ndarray
    explicit: np.ndarray
    scaler: StandardScaler
    artist_vocabulary: list[str]
    genre_vocabulary: list[str]
    catalog_fingerprint: str
    trained_at: datetime
    versions: dict[str, str] = field(default_factory=library_versions)
    schema: dict[str, Any] = field(default_factory=_schema)
    # Derived at construction, never persisted.
    index: dict[str, int] = field(init=False, repr=False)
    dense_squared: np.ndarray = field(init=False, repr=False)
    artists_t: sp.csr_matrix = field(init=False, repr=False)
    genres_t: sp.csr_matrix = field(init=False, repr=False)
    genre_known: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = {track_id: i for i, track_id in enumerate(self.track_ids)}
        # |x_c|² under any column weights is one product with x²; kept to avoid a pass per query.
        self.dense_squared = self.dense**2
        self.artists_t = self.artists.T.tocsr()
        self.genres_t = self.genres.T.tocsr()
        self.genre_known = np.diff(self.genres.indptr) > 0

    @property
    def n_tracks(self) -> int:
        """Number of catalog tracks the model covers."""
        return len(self.track_ids)

    @property
    def n_features(self) -> int:
        """Number of encoded columns (dense + artist one-hot + genre one-hot)."""
        return self.dense.shape[1] + self.artists.shape[1] + self.genres.shape[1]

    def to_payload(self) -> dict[str, Any]:
        """The persisted fields as a plain dict (no class pickled, so old files stay readable)."""
        return {name: getattr(self, name) for name in _PERSISTED}


_PERSISTED: Final = tuple(f.name for f in fields(TrackModel) if f.init)


def _codes(keys: list[str]) -> np.ndarray:
    """Integer codes such that equal keys get equal codes (first-seen order, deterministic)."""
    seen: dict[str, int] = {}
    return np.array([seen.setdefault(key, len(seen)) for key in keys], dtype=np.int32)


def train(catalog: Catalog, *, now: datetime | None = None) -> TrackModel:
    """Fit the scaler and encode every catalog track (deterministic for a given catalog).

    Raises:
        ValueError: when the catalog is empty or lacks a feature column.
    """
    tracks = catalog.tracks
    if tracks.height == 0:
        msg = "cannot train on an empty catalog (0 tracks)"
        raise ValueError(msg)
    raw, key = raw_features(tracks)
    scaler = fit_scaler(raw)
    dense, known = encode_dense(raw, key, scaler)
    track_artists = [tuple(a or ()) for a in tracks["artists"].to_list()]
    # Credits repeat (an artist has many tracks): normalise each distinct credit once.
    distinct = {credit: (artist_names(credit), primary_artist(credit)) for credit in track_artists}
    artist_rows = [distinct[credit][0] for credit in track_artists]
    genre_rows = [genre_labels(labels) for labels in tracks["genres"].to_list()]
    artist_vocabulary = sorted({name for row in artist_rows for name in row})
    genre_vocabulary = sorted({label for row in genre_rows for label in row})
    names = tracks["name"].fill_null("").to_list()
    return TrackModel(
        track_ids=tracks["track_id"].to_list(),
        dense=dense,
        known=known,
        artists=one_hot(artist_rows, {a: i for i, a in enumerate(artist_vocabulary)}),
        genres=one_hot(genre_rows, {g: i for i, g in enumerate(genre_vocabulary)}),
        song_codes=_codes([song_key(n, a) for n, a in zip(names, track_artists, strict=True)]),
        primary_codes=_codes([distinct[credit][1] for credit in track_artists]),
        popularity=tracks["popularity"].cast(pl.Float32).to_numpy().astype(np.float32),
        explicit=tracks["explicit"].cast(pl.Int8).fill_null(-1).to_numpy().astype(np.int8),
        scaler=scaler,
        artist_vocabulary=artist_vocabulary,
        genre_vocabulary=genre_vocabulary,
        catalog_fingerprint=catalog.fingerprint,
        trained_at=now or datetime.now(UTC),
    )


def model_path(settings: Settings) -> Path:
    """Where the artifact lives: one file in the cache directory."""
    return settings.cache_dir / MODEL_FILENAME


def needs_retrain(
    model: TrackModel, catalog: Catalog, settings: Settings, *, now: datetime
) -> str | None:
    """Return why ``model`` must be retrained for ``catalog``, or None when it is current."""
    if model.schema != _schema():
        return f"built for model schema {model.schema}, this code uses {_schema()}"
    if model.catalog_fingerprint != catalog.fingerprint:
        return (
            f"built from catalog {model.catalog_fingerprint!r}, "
            f"the current catalog is {catalog.fingerprint!r}"
        )
    if model.versions != library_versions():
        return f"made by libraries {model.versions}, running {library_versions()}"
    age = now - model.trained_at
    if age > timedelta(days=settings.max_model_age_days):
        return (
            f"trained {age.total_seconds() / 86400:.1f} days ago, "
            f"older than RECOMMENDER_MAX_MODEL_AGE_DAYS={settings.max_model_age_days:g}"
        )
    return None


def save_model(model: TrackModel, path: Path) -> None:
    """Write the artifact atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        joblib.dump(model.to_payload(), temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


# What a truncated, foreign or garbage file can raise while unpickling.
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    ImportError,
    zlib.error,
)


def load_model(path: Path) -> TrackModel:
    """Read an artifact written by :func:`save_model` (only ever load your own files).

    Raises:
        ValueError: when the file is unreadable, not a model bundle, or was pickled by other
            library versions (the message says which).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            payload = joblib.load(path)
        if not isinstance(payload, dict):
            msg = f"{path} holds a {type(payload).__name__}, not a model bundle"
            raise TypeError(msg)
        return TrackModel(**payload)
    except InconsistentVersionWarning as exc:
        msg = f"{path} was pickled by other library versions: {exc}"
        raise ValueError(msg) from exc
    except _UNREADABLE as exc:
        msg = f"{path} is unreadable: {type(exc).__name__}: {exc}"
        raise ValueError(msg) from exc


def _current(
    path: Path, catalog: Catalog, settings: Settings, now: datetime
) -> tuple[TrackModel | None, str]:
    """The stored model when it is current, else None and the reason."""
    if not path.exists():
        return None, f"no model at {path}"
    try:
        model = load_model(path)
    except ValueError as exc:
        return None, str(exc)
    reason = needs_retrain(model, catalog, settings, now=now)
    return (None, reason) if reason else (model, "")


def load_or_train(
    catalog: Catalog,
    settings: Settings,
    *,
    clock: Clock | None = None,
    force: bool = False,
) -> TrackModel:
    """Return a current model for ``catalog``, retraining (and saving) it when needed.

    Retrains when the artifact is missing, unreadable, older than
    ``settings.max_model_age_days``, or made from another catalog, schema or library versions;
    the reason is logged. Training happens under a file lock, and a process that waited for
    the lock uses the model the other one just wrote. A failure to write the artifact is
    logged and the freshly trained model is still returned.
    """
    clock = clock or (lambda: datetime.now(UTC))
    path = model_path(settings)
    if not force:
        model, reason = _current(path, catalog, settings, clock())
        if model is not None:
            return model
    else:
        reason = "forced"
    with contextlib.ExitStack() as stack:
        _hold_lock(stack, path)
        if not force:
            # Another process may have trained while this one waited for the lock.
            model, reason = _current(path, catalog, settings, clock())
            if model is not None:
                return model
        logger.info("training the model: %s", reason)
        model = train(catalog, now=clock())
        try:
            save_model(model, path)
        except OSError as exc:
            logger.warning("could not write the model to %s: %s", path, exc)
        return model


def _hold_lock(stack: contextlib.ExitStack, path: Path) -> None:
    """Hold the training lock until ``stack`` closes; train unguarded if it cannot be had."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stack.enter_context(FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS))
    except (OSError, Timeout) as exc:
        logger.warning("model lock for %s unavailable (%s); training without it", path, exc)
