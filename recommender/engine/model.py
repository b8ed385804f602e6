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

from recommender.domain import PROFILE_FEATURES, Catalog, LoadNote, LoadNoteKind
from recommender.engine.features import LAYOUT, encode_dense, fit_scaler, raw_features
from recommender.engine.genre_signal import GENRES, GenreMode, genre_signal
from recommender.engine.layout import QueryLayout
from recommender.engine.track_ids import RowIndex, TrackIds
from recommender.settings import Settings
from recommender.text_columns import base_title_column, credit_names, fold_column

logger = logging.getLogger(__name__)

# Bump when the encoding changes: an artifact of another format is retrained, not misread.
# 2: ``dense`` holds the value columns only (format 1 also had one "unknown" flag per feature).
# 3: ``track_ids`` is stored as one bytes array (``TrackIds``), not a list of strings.
MODEL_FORMAT: Final = 3
MODEL_FILENAME: Final = "track_model.joblib"
# A second process waits this long for the first to finish training before training itself.
LOCK_TIMEOUT_SECONDS: Final = 600.0

Clock = Callable[[], datetime]
# The reason given when there is no artifact yet (a first start, not a workaround).
_NO_MODEL: Final = "no model at {path}"


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose objects the artifact pickles."""
    return {
        "scikit-learn": sklearn.__version__,
        "joblib": joblib.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def _schema(layout: QueryLayout = LAYOUT, *, genres: GenreMode = GENRES) -> dict[str, Any]:
    return {
        "format": MODEL_FORMAT,
        "weights": list(layout.weight_names),
        "values": list(layout.value_owners),
        "compared": list(layout.compared_features),
        "genres": genres,
    }


@dataclass(eq=False)
class TrackModel:
    """Everything a query needs, fitted once per catalog.

    Rows follow ``catalog.tracks`` (sorted by track id). ``dense`` holds the value columns
    and ``known`` the dense features each track has, as ``layout`` names them (see
    ``features.encode_dense``); ``artists``/``genres`` are L2-normalised multi-hot rows. A
    weight change only rescales columns inside the query, so nothing here is refitted when a
    slider moves.
    """

    track_ids: TrackIds
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
    # Not persisted: a stored model is read with ``LAYOUT``, and ``schema`` says it matches.
    layout: QueryLayout = LAYOUT
    # Derived at construction, never persisted.
    index: RowIndex = field(init=False, repr=False)
    artists_t: sp.csr_matrix = field(init=False, repr=False)
    genres_t: sp.csr_matrix = field(init=False, repr=False)
    compared: np.ndarray = field(init=False, repr=False)
    # One transposed, contiguous matrix the query multiplies by (one BLAS call; a strided
    # view would make numpy skip BLAS): ``compared``, the value columns and their squares
    # (|x_c|² under any column weights is then one product), stacked as ``layout`` says.
    query_t: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        layout = self.layout
        if self.dense.shape[1] != layout.n_values or self.known.shape[1] != len(
            layout.dense_features
        ):
            msg = (
                f"dense {self.dense.shape[1]} / known {self.known.shape[1]} columns do not "
                f"match the layout ({layout.n_values} / {len(layout.dense_features)})"
            )
            raise ValueError(msg)
        self.index = self.track_ids.rows
        self.artists_t = self.artists.T.tocsr()
        self.genres_t = self.genres.T.tocsr()
        # Which features each track is compared on (``layout.compared_features``): partial
        # distances compare a feature only where seed and candidate both know it. Artist and
        # genre are labels: two random tracks almost never share one, so an unlabelled
        # candidate is compared as "no shared label" (what its label would most likely be),
        # not skipped. Skipping would favour the source that has no genres (Hit Predictor),
        # as the evaluation's source-mix table showed.
        query_t = np.empty((layout.n_query_rows, len(self.track_ids)), dtype=np.float32)
        compared_t = query_t[layout.compared_rows]
        compared_t[: len(layout.dense_features)] = self.known.T
        compared_t[layout.label_compared] = 1.0
        query_t[layout.value_rows] = self.dense.T
        np.square(query_t[layout.value_rows], out=query_t[layout.square_rows])
        self.query_t = query_t
        # ``dense`` and ``compared`` become views of ``query_t``: one copy of the values,
        # not three (at a million tracks each copy is about 80 MB).
        self.dense = query_t[layout.value_rows].T
        self.compared = query_t[layout.compared_rows].T

    @property
    def n_tracks(self) -> int:
        """Number of catalog tracks the model covers."""
        return len(self.track_ids)

    @property
    def n_features(self) -> int:
        """Number of encoded columns (dense + artist one-hot + genre one-hot)."""
        return int(self.dense.shape[1] + self.artists.shape[1] + self.genres.shape[1])

    def to_payload(self) -> dict[str, Any]:
        """The persisted fields as a plain dict (no class pickled, so old files stay readable)."""
        payload = {name: getattr(self, name) for name in _PERSISTED}
        payload["track_ids"] = self.track_ids.encoded
        payload["dense"] = np.ascontiguousarray(self.dense)
        return payload


_PERSISTED: Final = tuple(f.name for f in fields(TrackModel) if f.init and f.name != "layout")


def _codes(keys: pl.Series) -> np.ndarray:
    """Integer codes such that equal keys get equal codes (first-seen order, deterministic)."""
    frame = pl.DataFrame({"key": keys})
    first_seen = frame.unique("key", maintain_order=True).with_row_index("code")
    coded = frame.join(first_seen, on="key", how="left", maintain_order="left")
    return coded["code"].cast(pl.Int32).to_numpy()


def _multi_hot(pairs: pl.DataFrame, n_rows: int) -> tuple[sp.csr_matrix, list[str]]:
    """L2-normalised multi-hot rows from distinct ``(row, label)`` pairs, and the vocabulary.

    Columns sorted, each labelled row's values ``1/sqrt(labels in the row)`` (so every
    labelled row has norm 1, an unlabelled one stays empty); the vocabulary sorted by code point.
    """
    vocabulary = sorted(pairs["label"].unique().to_list())
    columns = pl.DataFrame({"label": vocabulary}, schema={"label": pl.String}).with_row_index("col")
    coded = pairs.join(columns, on="label").sort("row", "col")
    rows = coded["row"].to_numpy()
    counts = np.bincount(rows, minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    data = (1.0 / np.sqrt(counts[rows].astype(np.float64))).astype(np.float32)
    matrix = sp.csr_matrix(
        (data, coded["col"].cast(pl.Int32).to_numpy(), indptr), shape=(n_rows, len(vocabulary))
    )
    return matrix, vocabulary


def _credited_artist_columns(tracks: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Distinct ``(row, label)`` artist pairs and each row's folded primary artist.

    Column-wise ``text.artist_names`` / ``text.primary_artist``: each distinct credit string is
    split and folded once (``text_columns.credit_names``), then joined back to the tracks.
    """
    credited = (
        tracks.select(pl.col("artists").fill_null([]))
        .with_row_index("row")
        .with_columns(pl.col("artists").list.first().alias("first"))
    )
    names = credit_names(credited["artists"].explode())
    exploded = credited.select("row", "artists").explode("artists").drop_nulls("artists")
    pairs = (
        exploded.join(names, left_on="artists", right_on="credit")
        .select("row", pl.col("names").alias("label"))
        .explode("label")
        .drop_nulls("label")
        .unique()
    )
    primary = credited.join(
        names.select("credit", "primary"),
        left_on="first",
        right_on="credit",
        how="left",
        maintain_order="left",
    )["primary"].fill_null("")
    return pairs, primary


def _genre_pairs(tracks: pl.DataFrame) -> pl.DataFrame:
    """Distinct ``(row, label)`` genre pairs: column-wise ``features.genre_labels``."""
    exploded = tracks.select("genres").with_row_index("row").explode("genres").drop_nulls("genres")
    folded = exploded.select("row", fold_column(exploded["genres"]).alias("label"))
    return folded.filter(pl.col("label") != "").unique()


def train(
    catalog: Catalog,
    *,
    now: datetime | None = None,
    layout: QueryLayout = LAYOUT,
    genres: GenreMode = GENRES,
) -> TrackModel:
    """Fit the scaler and encode every catalog track (deterministic for a given catalog).

    ``genres="filled"`` gives every track a genre (``genre_signal``: observed, carried from
    its artist, or predicted from its sound); ``"observed"`` keeps only the tracks' own.

    The text-derived columns (artist and genre multi-hots, same-song and primary-artist codes)
    are built column-wise (``text_columns``), with the same results as the per-track ``text``
    functions, which a test checks on the reference catalog.

    Raises:
        ValueError: when the catalog is empty or lacks a feature column.
    """
    tracks = catalog.tracks
    if tracks.height == 0:
        msg = "cannot train on an empty catalog (0 tracks)"
        raise ValueError(msg)
    raw, key = raw_features(tracks, layout)
    scaler = fit_scaler(raw)
    dense, known = encode_dense(raw, key, scaler, layout)
    del raw, key  # float64, n x 14: the largest temporary; the model keeps float32 only
    artist_pairs, primary = _credited_artist_columns(tracks)
    artists, artist_vocabulary = _multi_hot(artist_pairs, tracks.height)
    del artist_pairs
    genre_pairs = _genre_pairs(tracks)
    if genres == "filled":
        profile = [layout.scaled.index(name) for name in PROFILE_FEATURES]
        genre_pairs = genre_signal(genre_pairs, primary=primary, features=dense[:, profile]).pairs
    genre_block, genre_vocabulary = _multi_hot(genre_pairs, tracks.height)
    del genre_pairs
    song_keys = primary + "\x1f" + base_title_column(tracks["name"])
    return TrackModel(
        track_ids=TrackIds.of(tracks["track_id"]),
        dense=dense,
        known=known,
        artists=artists,
        genres=genre_block,
        song_codes=_codes(song_keys),
        primary_codes=_codes(primary),
        popularity=tracks["popularity"].cast(pl.Float32).to_numpy().astype(np.float32),
        explicit=tracks["explicit"].cast(pl.Int8).fill_null(-1).to_numpy().astype(np.int8),
        scaler=scaler,
        artist_vocabulary=artist_vocabulary,
        genre_vocabulary=genre_vocabulary,
        catalog_fingerprint=catalog.fingerprint,
        trained_at=now or datetime.now(UTC),
        schema=_schema(layout, genres=genres),
        layout=layout,
    )


def model_path(settings: Settings, *, artifact: str = MODEL_FILENAME) -> Path:
    """Where the artifact lives: one file in the cache directory (``artifact`` names it)."""
    return settings.cache_dir / artifact


def needs_retrain(
    model: TrackModel, catalog: Catalog, settings: Settings, *, now: datetime
) -> str | None:
    """Return why ``model`` must be retrained for ``catalog``, or None when it is current."""
    if model.schema != _schema(model.layout):
        return f"built for model schema {model.schema}, this code uses {_schema(model.layout)}"
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
        if payload.get("schema") != _schema():
            # Another format's columns would not fit this layout: say so, do not misread them.
            msg = f"{path} holds model schema {payload.get('schema')}, this code uses {_schema()}"
            raise ValueError(msg)
        payload["track_ids"] = TrackIds(payload["track_ids"])
        return TrackModel(**payload)
    except InconsistentVersionWarning as exc:
        msg = f"{path} was pickled by other library versions: {exc}"
        raise ValueError(msg) from exc
    except _UNREADABLE as exc:
        msg = f"{path} is unreadable: {type(exc).__name__}: {exc}"
        raise ValueError(msg) from exc


@dataclass(frozen=True, slots=True)
class ModelLoad:
    """A current model and how it was had.

    ``trained`` is why it was trained now (None when the stored artifact was current);
    ``notes`` say what the load worked around: a stored model that had to be replaced, an
    artifact or lock that could not be written (a first training with no artifact yet is no
    workaround, so it adds no note).
    """

    model: TrackModel
    trained: str | None = None
    notes: tuple[LoadNote, ...] = ()


def _current(
    path: Path, catalog: Catalog, settings: Settings, now: datetime
) -> tuple[TrackModel | None, str]:
    """The stored model when it is current, else None and the reason."""
    if not path.exists():
        return None, _NO_MODEL.format(path=path)
    try:
        model = load_model(path)
    except ValueError as exc:
        return None, str(exc)
    reason = needs_retrain(model, catalog, settings, now=now)
    return (None, reason) if reason else (model, "")


def open_model(
    catalog: Catalog,
    settings: Settings,
    *,
    clock: Clock | None = None,
    force: bool = False,
    artifact: str = MODEL_FILENAME,
) -> ModelLoad:
    """Like :func:`load_or_train`, and also say why it trained and what it worked around.

    ``artifact`` is the file name in the cache folder: the quick catalog a staged start
    serves first keeps its own, so neither stage retrains the other's model on a restart.
    """
    clock = clock or (lambda: datetime.now(UTC))
    path = model_path(settings, artifact=artifact)
    notes: list[LoadNote] = []
    if not force:
        model, reason = _current(path, catalog, settings, clock())
        if model is not None:
            return ModelLoad(model=model)
    else:
        reason = "forced"
    with contextlib.ExitStack() as stack:
        _hold_lock(stack, path, notes)
        if not force:
            # Another process may have trained while this one waited for the lock.
            model, reason = _current(path, catalog, settings, clock())
            if model is not None:
                return ModelLoad(model=model, notes=tuple(notes))
        message = f"training the model: {reason}"
        logger.info("%s", message)
        if reason != _NO_MODEL.format(path=path):
            notes.append(LoadNote(kind="model_retrained", message=message))
        model = train(catalog, now=clock())
        try:
            save_model(model, path)
        except OSError as exc:
            _note(notes, "model_unwritable", f"could not write the model to {path}: {exc}")
        return ModelLoad(model=model, trained=reason, notes=tuple(notes))


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
    logged and the freshly trained model is still returned (:func:`open_model` also returns
    what was worked around).
    """
    return open_model(catalog, settings, clock=clock, force=force).model


def _note(notes: list[LoadNote], kind: LoadNoteKind, message: str) -> None:
    # Logged for the server's output and returned for the caller to show.
    logger.warning("%s", message)
    notes.append(LoadNote(kind=kind, message=message))


def _hold_lock(stack: contextlib.ExitStack, path: Path, notes: list[LoadNote]) -> None:
    """Hold the training lock until ``stack`` closes; train unguarded if it cannot be had."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stack.enter_context(FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS))
    except (OSError, Timeout) as exc:
        message = f"model lock for {path} unavailable ({exc}); training without it"
        _note(notes, "model_lock_unavailable", message)
