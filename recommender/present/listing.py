"""What the recommendations page lists, without Streamlit: rows, labels, options, summaries.

The pure helpers of ``ui/render.py``: each takes plain values (the catalog, ids, profiles) and
returns data, so the pages stay thin and these are tested without a running app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import numpy as np
import polars as pl

from recommender.domain import PROFILE_FEATURES, AudioProfile, Catalog
from recommender.engine.explain import Recommendation
from recommender.engine.list_builder import SEED_ARTIST_BLOCK
from recommender.engine.recommend import SEED_ARTISTS_PER_BLOCK, RecommendOptions
from recommender.present.charts import profile_of


def catalog_rows(catalog: Catalog, track_ids: Sequence[str]) -> pl.DataFrame:
    """The catalog rows of ``track_ids`` in that order (ids not in the catalog are left out)."""
    return rows_by_id(catalog.tracks, track_ids)


def rows_by_id(tracks: pl.DataFrame, track_ids: Sequence[str]) -> pl.DataFrame:
    """The rows of ``tracks`` (with a ``track_id`` column) of ``track_ids``, in that order."""
    if not track_ids:
        return tracks.head(0)
    ids = tracks["track_id"]
    if ids.flags["SORTED_ASC"]:
        # The stored catalog is sorted by id: bisect for the few rows, never scan them all
        # (a join probes every track, about 15 ms at a million; this is under one).
        wanted = pl.Series(list(track_ids), dtype=pl.String)
        at = np.minimum(ids.search_sorted(wanted).to_numpy(), max(len(ids) - 1, 0))
        found = (ids.gather(at) == wanted).fill_null(False).to_numpy()
        rows: pl.DataFrame = tracks[at[found]]
        return rows
    order = pl.DataFrame({"track_id": list(track_ids), "_order": range(len(track_ids))})
    return tracks.join(order, on="track_id", how="inner").sort("_order").drop("_order")


def track_label(name: str | None, artists: Sequence[str] | None) -> str:
    """Display text of a track: title, a dash, the artists."""
    return f"{name or 'Unknown title'} — {', '.join(artists or []) or 'unknown artist'}"


def seed_labels(
    catalog: Catalog, seed_ids: Sequence[str], profiles: Mapping[str, AudioProfile]
) -> dict[str, str]:
    """Display label of every seed (catalog title, else the approximate profile's label)."""
    rows = catalog_rows(catalog, seed_ids)
    labels = {
        row["track_id"]: track_label(row["name"], row["artists"])
        for row in rows.select("track_id", "name", "artists").iter_rows(named=True)
    }
    for track_id, profile in profiles.items():
        labels.setdefault(track_id, f"{profile.label} (approx.)")
    return {track_id: labels.get(track_id, track_id) for track_id in seed_ids}


@dataclass(frozen=True, slots=True)
class OptionValues:
    """What the option widgets say, before it becomes the engine's ``RecommendOptions``."""

    per_seed: int
    limit: int | None  # None: the engine's default, min(50, per_seed x seeds)
    max_per_artist: int | None  # None: no cap
    discover: bool
    popularity_range: tuple[int, int]
    exclude_explicit: bool
    # Of every 20, how many may credit a seed's artist (20: no cap).
    seed_artists_per_block: int = SEED_ARTISTS_PER_BLOCK

    def to_options(self) -> RecommendOptions:
        """The engine's options (the full popularity range means no popularity filter)."""
        low, high = self.popularity_range
        return RecommendOptions(
            per_seed=self.per_seed,
            limit=self.limit,
            max_per_artist=self.max_per_artist,
            discover=self.discover,
            popularity_range=None if (low, high) == (0, 100) else (low, high),
            exclude_explicit=self.exclude_explicit,
            seed_artists_per_block=(
                None
                if self.seed_artists_per_block >= SEED_ARTIST_BLOCK
                else self.seed_artists_per_block
            ),
        )


def seed_feature_table(
    catalog: Catalog, seed_ids: Sequence[str], profiles: Mapping[str, AudioProfile]
) -> pl.DataFrame:
    """One row per seed, in seed order: its label and the nine profile features.

    A seed known only by an approximate profile (an artist's average from an upload) shows
    that profile, its label marked "(approx.)"; a seed with neither is left out.
    """
    labels = seed_labels(catalog, seed_ids, profiles)
    known = catalog_rows(catalog, seed_ids).select("track_id", *PROFILE_FEATURES)
    values = {row["track_id"]: row for row in known.iter_rows(named=True)}
    rows = []
    for track_id in seed_ids:
        features = values.get(track_id)
        if features is None and track_id in profiles:
            features = dict(profiles[track_id].features)
        if features is None:
            continue
        rows.append({"seed": labels[track_id], **{f: features[f] for f in PROFILE_FEATURES}})
    schema = {"seed": pl.String, **dict.fromkeys(PROFILE_FEATURES, pl.Float64)}
    return pl.DataFrame(rows, schema=schema, orient="row")


def feature_rows(catalog: Catalog, ids: Sequence[str]) -> pl.DataFrame:
    """The profile features of these catalog tracks, in order (for radar charts)."""
    return catalog_rows(catalog, ids).select(PROFILE_FEATURES)


def listener_profile(
    catalog: Catalog, seed_ids: Sequence[str], profiles: Mapping[str, AudioProfile]
) -> AudioProfile:
    """Mean and spread of the seeds; seeds known only approximately make it approximate."""
    rows = catalog_rows(catalog, seed_ids)
    known = set(rows["track_id"].to_list())
    extra = [profiles[s].features for s in seed_ids if s not in known and s in profiles]
    features = rows.select(PROFILE_FEATURES)
    if extra:
        features = pl.concat(
            [features, pl.DataFrame(extra).select(PROFILE_FEATURES).cast(pl.Float64)],
            how="vertical_relaxed",
        )
    return profile_of(features, label="Your seeds", approximate=bool(extra))


def default_playlist_name() -> str:
    """A sensible default with the date."""
    return f"Recommended {datetime.now(UTC):%Y-%m-%d}"


def describe_recommendations(recs: Sequence[Recommendation], n_seeds: int) -> str:
    """One line above the table."""
    answered = len({r.seed_track_id for r in recs})
    return f"{len(recs)} tracks for {answered} of {n_seeds} seed{'s' if n_seeds != 1 else ''}"


MOVED_DOWN: Final = "moved down: artist rules"


def order_notes(similarities: Sequence[float]) -> list[str]:
    """What to put before each row's reason so the order reads.

    The list is in similarity order within each block of 10; a track that would crowd its
    block with one artist, or with the seeds' artists, waits for a later block. So a row more
    similar than the one above it is there because of those rules, and says so.
    """
    notes = [""] * len(similarities)
    for i in range(1, len(similarities)):
        if similarities[i] > similarities[i - 1] + 0.05:
            notes[i] = MOVED_DOWN
    return notes
