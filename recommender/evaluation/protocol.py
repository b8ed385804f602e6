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
from recommender.text import primary_artist

# How many tracks every system returns per playlist; recall and NDCG are read at this depth.
LIST_LENGTH: Final = 50
# The first screen of recommendations: precision, distinct artists and genre agreement.
FIRST_PAGE: Final = 10
MIN_PLAYLIST_TRACKS: Final = 20
DEFAULT_RANDOM_STATE: Final = 20200121
# The Kaggle source name in the catalog's ``sources`` lists: its 114 genre labels are the
# genre task's ground truth. (TidyTuesday tracks are recognised by playlist membership.)
KAGGLE: Final = "kaggle"
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
    intra-list diversity, independent of any system's weights.
    """

    ids: np.ndarray
    position: dict[str, int]
    artist: list[str]
    popularity: np.ndarray
    profile: np.ndarray
    sources: list[frozenset[str]]
    genres: list[frozenset[str]]
    tidytuesday: frozenset[str] = field(default_factory=frozenset)

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
        return cls(
            ids=ids,
            position={str(track_id): i for i, track_id in enumerate(ids)},
            artist=[primary_artist(names or []) for names in tracks["artists"].to_list()],
            popularity=tracks["popularity"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
            profile=np.asarray(features, dtype=float),
            sources=[frozenset(s or ()) for s in tracks["sources"].to_list()],
            genres=[frozenset(g or ()) for g in tracks["genres"].to_list()],
            tidytuesday=frozenset(in_playlists & {str(i) for i in ids.tolist()}),
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


@dataclass(frozen=True)
class EvaluationInputs:
    """The fixed inputs of one evaluation run (derived once, shared by every system).

    ``held_out_rows`` are positions in ``cases`` of the playlists in the held-out half.
    """

    table: TrackTable
    cases: list[PlaylistCase]
    held_out_rows: list[int]
    tidytuesday_skip: frozenset[str]
    genre_rows: list[int]
    genre_skip: frozenset[str]


def prepare(
    catalog: Catalog, *, random_state: int, quick: bool, table: TrackTable | None = None
) -> EvaluationInputs:
    """Split the playlists, pick the genre seeds and the candidate restrictions."""
    table = table or TrackTable.from_catalog(catalog)
    cases = playlist_cases(catalog, random_state=random_state)
    cases = sample(
        cases, QUICK_PLAYLISTS if quick else None, random_state=random_state, salt="quick"
    )
    _, held_out_half = split_halves(cases, random_state=random_state)
    held_out_ids = {case.playlist_id for case in held_out_half}
    labelled = genre_labelled(table)
    labelled_ids = {str(table.ids[i]) for i in labelled}
    genre_rows = sample(
        labelled,
        QUICK_GENRE_SEEDS if quick else GENRE_SEEDS,
        random_state=random_state,
        salt="genre",
    )
    return EvaluationInputs(
        table=table,
        cases=cases,
        held_out_rows=[i for i, case in enumerate(cases) if case.playlist_id in held_out_ids],
        tidytuesday_skip=not_tidytuesday(table),
        genre_rows=genre_rows,
        genre_skip=frozenset(i for i in table.all_ids() if i not in labelled_ids),
    )
