"""The evaluation protocol: which playlists, how they split, which tracks are candidates.

Everything here is fixed by the catalog and the random state, before any system answers:
the playlist cases (seeds and hidden tracks), the tuning and held-out halves, the genre
task's seeds, and the per-track arrays the metrics read (:class:`TrackTable`).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

import numpy as np
import polars as pl

from recommender.domain import PROFILE_FEATURES, Catalog
from recommender.engine.features import genre_labels
from recommender.text import artist_names, fold, primary_artist

# How many tracks every system returns per playlist; recall and NDCG are read at this depth.
LIST_LENGTH: Final = 50
# The first screen of recommendations: precision, distinct artists and genre agreement.
FIRST_PAGE: Final = 10
MIN_PLAYLIST_TRACKS: Final = 20
# "Same mood" is scored on these two (the "mood agreement").
MOOD_FEATURES: Final = ("valence", "energy")
DEFAULT_RANDOM_STATE: Final = 20200121
# The Kaggle source name in the catalog's ``sources`` lists: its 114 genre labels are the
# genre task's ground truth. (TidyTuesday tracks are recognised by playlist membership.)
KAGGLE: Final = "kaggle"
TIDYTUESDAY: Final = "tidytuesday"
HIT_PREDICTOR: Final = "hit_predictor"
SOURCES: Final = (TIDYTUESDAY, KAGGLE, HIT_PREDICTOR)
# Single-track seeds per source (Kaggle-only, Hit-Predictor-only) for the source-mix table.
SOURCE_SEEDS: Final = 300
QUICK_SOURCE_SEEDS: Final = 30
# Tuning-half playlists the artist-rule trade-off is measured on.
TRADEOFF_PLAYLISTS: Final = 60
QUICK_TRADEOFF_PLAYLISTS: Final = 10
LEAK_FREE: Final = "-leak-free-genres"
QUICK_PLAYLISTS: Final = 30
QUICK_GENRE_SEEDS: Final = 60
GENRE_SEEDS: Final = 300

_Item = TypeVar("_Item")


def stable_seed(*parts: str) -> int:
    """A seed for ``np.random.default_rng`` that depends on ``parts`` only (not on hash salt)."""
    return zlib.crc32("\x1f".join(parts).encode())


def sample(items: Sequence[_Item], n: int | None, *, random_state: int, salt: str) -> list[_Item]:
    """``n`` of ``items`` drawn without replacement, in their original order (all when None)."""
    if n is None or n >= len(items):
        return list(items)
    rng = np.random.default_rng([random_state, stable_seed(salt)])
    return [items[i] for i in sorted(rng.choice(len(items), size=n, replace=False))]


@dataclass(frozen=True, slots=True)
class PlaylistCase:
    """One playlist split into the seeds a system sees and the tracks it should find."""

    playlist_id: str
    seeds: tuple[str, ...]
    hidden: frozenset[str]


def playlist_cases(
    catalog: Catalog, *, random_state: int, min_tracks: int = MIN_PLAYLIST_TRACKS
) -> list[PlaylistCase]:
    """Split each playlist with at least ``min_tracks`` catalog tracks into seeds and hidden halves.

    Each playlist's split depends only on ``random_state`` and its id, so taking a subset of the
    playlists never changes the split of the others. Seeds get the smaller half of an odd count.
    """
    known = catalog.tracks.select("track_id")
    members = (
        catalog.playlists.select("playlist_id", "track_id")
        .unique()
        .join(known, on="track_id", how="semi")
        .sort("playlist_id", "track_id")
    )
    cases = []
    for (playlist_id,), group in members.group_by("playlist_id", maintain_order=True):
        ids = [str(track_id) for track_id in group["track_id"].to_list()]
        if len(ids) < min_tracks:
            continue
        rng = np.random.default_rng([random_state, stable_seed(str(playlist_id))])
        order = rng.permutation(len(ids))
        half = len(ids) // 2
        cases.append(
            PlaylistCase(
                playlist_id=str(playlist_id),
                seeds=tuple(ids[i] for i in order[:half]),
                hidden=frozenset(ids[i] for i in order[half:]),
            )
        )
    return cases


def split_halves(
    cases: Sequence[PlaylistCase], *, random_state: int
) -> tuple[list[PlaylistCase], list[PlaylistCase]]:
    """Divide the playlists into a tuning half and a held-out half (seeded, order-independent)."""
    ordered = sorted(cases, key=lambda case: case.playlist_id)
    rng = np.random.default_rng([random_state, stable_seed("halves")])
    order = rng.permutation(len(ordered))
    half = len(ordered) // 2
    tuning_half = sorted((ordered[i] for i in order[:half]), key=lambda case: case.playlist_id)
    held_out_half = sorted((ordered[i] for i in order[half:]), key=lambda case: case.playlist_id)
    return tuning_half, held_out_half


@dataclass(frozen=True)
class TrackTable:
    """Per-track arrays the metrics need, indexed by track id.

    ``profile`` holds the nine profile features z-scored over the catalog: one fixed space for
    intra-list diversity and "sounds like", independent of any system's weights. ``mood``
    holds the raw valence and energy (0-1; NaN where unknown), which "Same mood" is scored on.
    """

    ids: np.ndarray
    position: dict[str, int]
    artist: list[str]
    popularity: np.ndarray
    profile: np.ndarray
    sources: list[frozenset[str]]
    genres: list[frozenset[str]]
    tidytuesday: frozenset[str] = field(default_factory=frozenset)
    # Every credited artist (``text.artist_names``): "by a seed's artist" means sharing one.
    names: list[frozenset[str]] = field(default_factory=list)
    mood: np.ndarray = field(default_factory=lambda: np.empty((0, len(MOOD_FEATURES))))

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> TrackTable:
        """Build the arrays once per catalog."""
        tracks = catalog.tracks
        ids = tracks["track_id"].to_numpy()
        features = tracks.select(
            ((pl.col(name) - pl.col(name).mean()) / pl.col(name).std()).fill_null(0.0).fill_nan(0.0)
            for name in PROFILE_FEATURES
        ).to_numpy()
        in_playlists = {str(track_id) for track_id in catalog.playlists["track_id"].to_list()}
        credits = [tuple(names or ()) for names in tracks["artists"].to_list()]
        # Credits repeat (an artist has many tracks): fold each distinct credit once.
        folded = {credit: frozenset(artist_names(credit)) for credit in set(credits)}
        return cls(
            ids=ids,
            position={str(track_id): i for i, track_id in enumerate(ids)},
            artist=[primary_artist(names or []) for names in tracks["artists"].to_list()],
            popularity=tracks["popularity"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            profile=np.asarray(features, dtype=float),
            sources=[frozenset(s or ()) for s in tracks["sources"].to_list()],
            genres=[frozenset(g or ()) for g in tracks["genres"].to_list()],
            tidytuesday=frozenset(in_playlists & {str(i) for i in ids.tolist()}),
            names=[folded[credit] for credit in credits],
            mood=tracks.select(
                pl.col(name).cast(pl.Float64).fill_null(np.nan) for name in MOOD_FEATURES
            ).to_numpy(),
        )

    def rows(self, track_ids: Iterable[str]) -> list[int]:
        """Row positions of ``track_ids``; unknown ids raise, naming the id."""
        rows = []
        for track_id in track_ids:
            if track_id not in self.position:
                msg = f"system returned track id {track_id!r}, which is not in the catalog"
                raise ValueError(msg)
            rows.append(self.position[track_id])
        return rows

    def popularity_of(self, track_ids: Iterable[str]) -> list[float | None]:
        """Known popularity values (None where missing)."""
        values = self.popularity[self.rows(track_ids)]
        return [None if math.isnan(v) else float(v) for v in values]

    def seed_artists(self, seeds: Iterable[str]) -> frozenset[str]:
        """Every artist name credited on the seeds."""
        return frozenset().union(*(self.names[row] for row in self.rows(seeds)))

    def all_ids(self) -> list[str]:
        """Every catalog track id, in table order."""
        return [str(track_id) for track_id in self.ids]


def genre_labelled(table: TrackTable) -> list[int]:
    """Rows whose only source is Kaggle and that carry a genre.

    Tracks also in TidyTuesday are left out: their ``genres`` mix in the playlist genre, and
    some labels ("pop", "rock", "latin", "edm") are spelled alike in both datasets.
    """
    return [
        i
        for i, (sources, genres) in enumerate(zip(table.sources, table.genres, strict=True))
        if sources == {KAGGLE} and genres
    ]


def not_tidytuesday(table: TrackTable) -> frozenset[str]:
    """The ids to skip so that only TidyTuesday tracks remain candidates."""
    return frozenset(i for i in table.all_ids() if i not in table.tidytuesday)


def only_source(table: TrackTable, source: str) -> list[int]:
    """Rows whose one and only source is ``source``."""
    return [i for i, sources in enumerate(table.sources) if sources == {source}]


def leak_free_genres(catalog: Catalog) -> Catalog:
    """The catalog with each track's genres stripped of its TidyTuesday playlists' labels.

    The merged ``genres`` of a TidyTuesday track hold ``playlist_genre`` and
    ``playlist_subgenre`` of the playlists it is in, so the genre feature would carry the
    label of the very playlist being continued. What is left is what another source (Kaggle)
    says; a Kaggle label spelled like a playlist label of the same track goes too (the
    conservative side).
    """
    labels = (
        catalog.playlists.select(
            "track_id",
            pl.concat_list(pl.col("playlist_genre"), pl.col("playlist_subgenre")).alias("label"),
        )
        .explode("label")
        .drop_nulls("label")
    )
    by_track: dict[str, set[str]] = {}
    for track_id, label in labels.iter_rows():
        by_track.setdefault(str(track_id), set()).add(fold(str(label)))
    genres = [
        [g for g in genre_labels(values) if g not in by_track.get(str(track_id), ())]
        for track_id, values in zip(
            catalog.tracks["track_id"].to_list(), catalog.tracks["genres"].to_list(), strict=True
        )
    ]
    tracks = catalog.tracks.with_columns(
        pl.Series("genres", genres, dtype=catalog.tracks.schema["genres"])
    )
    return Catalog(
        tracks=tracks, playlists=catalog.playlists, fingerprint=catalog.fingerprint + LEAK_FREE
    )


def halves(catalog: Catalog, *, random_state: int) -> tuple[list[PlaylistCase], list[PlaylistCase]]:
    """The tuning half and the held-out half of every qualifying playlist.

    ``tune`` searches only the first; ``evaluate`` scores only the second (a test pins it).
    """
    return split_halves(
        playlist_cases(catalog, random_state=random_state), random_state=random_state
    )


@dataclass(frozen=True)
class EvaluationInputs:
    """The fixed inputs of one evaluation run (derived once, shared by every system).

    ``cases`` are the held-out half (a sample of it with ``quick``); ``tradeoff_cases`` a
    sample of the tuning half, where the artist rule's trade-off is measured.
    """

    table: TrackTable
    playlists: int
    cases: list[PlaylistCase]
    tradeoff_cases: list[PlaylistCase]
    tidytuesday_skip: frozenset[str]
    genre_rows: list[int]
    genre_skip: frozenset[str]
    source_seed_rows: dict[str, list[int]]


def prepare(
    catalog: Catalog, *, random_state: int, quick: bool, table: TrackTable | None = None
) -> EvaluationInputs:
    """Split the playlists (then sample within each half), pick the seeds and candidate pools."""
    table = table or TrackTable.from_catalog(catalog)
    tuning_half, held_out_half = halves(catalog, random_state=random_state)
    cases = sample(
        held_out_half, QUICK_PLAYLISTS if quick else None, random_state=random_state, salt="quick"
    )
    tradeoff_cases = sample(
        tuning_half,
        QUICK_TRADEOFF_PLAYLISTS if quick else TRADEOFF_PLAYLISTS,
        random_state=random_state,
        salt="tradeoff",
    )
    labelled = genre_labelled(table)
    labelled_ids = {str(table.ids[i]) for i in labelled}
    genre_rows = sample(
        labelled,
        QUICK_GENRE_SEEDS if quick else GENRE_SEEDS,
        random_state=random_state,
        salt="genre",
    )
    source_seed_rows = {
        source: sample(
            only_source(table, source),
            QUICK_SOURCE_SEEDS if quick else SOURCE_SEEDS,
            random_state=random_state,
            salt=source,
        )
        for source in (KAGGLE, HIT_PREDICTOR)
    }
    return EvaluationInputs(
        table=table,
        playlists=len(tuning_half) + len(held_out_half),
        cases=cases,
        tradeoff_cases=tradeoff_cases,
        tidytuesday_skip=not_tidytuesday(table),
        genre_rows=genre_rows,
        genre_skip=frozenset(i for i in table.all_ids() if i not in labelled_ids),
        source_seed_rows=source_seed_rows,
    )
