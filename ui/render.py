"""Widgets and renderers the pages share: controls return plain values, renderers only draw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import polars as pl
import streamlit as st

from recommender.domain import PROFILE_FEATURES, AudioProfile, Catalog
from recommender.engine.features import PRESETS, WEIGHT_MAX, WEIGHT_MIN, WEIGHT_NAMES
from recommender.engine.recommend import Recommendation, RecommendOptions, recommend
from recommender.present.charts import profile_of, radar_chart
from recommender.present.export import recommendation_table, table_to_csv
from recommender.seeds.share import share_query
from ui import state
from ui.loaders import Services
from ui.plain import plain

AUDIO_WEIGHTS: Final = tuple(name for name in WEIGHT_NAMES if name in PROFILE_FEATURES)
OTHER_WEIGHTS: Final = tuple(name for name in WEIGHT_NAMES if name not in PROFILE_FEATURES)
_RECS_MEMO: Final = "_recommendations_memo"


def catalog_rows(catalog: Catalog, track_ids: Sequence[str]) -> pl.DataFrame:
    """The catalog rows of ``track_ids`` in that order (ids not in the catalog are left out)."""
    if not track_ids:
        return catalog.tracks.head(0)
    order = pl.DataFrame({"track_id": list(track_ids), "_order": range(len(track_ids))})
    return catalog.tracks.join(order, on="track_id", how="inner").sort("_order").drop("_order")


def track_label(name: str | None, artists: Sequence[str] | None) -> str:
    """Display text of a track: title, a dash, the artists."""
    return f"{name or 'Unknown title'} — {', '.join(artists or []) or 'unknown artist'}"


def seed_labels(catalog: Catalog, seed_ids: Sequence[str]) -> dict[str, str]:
    """Display label of every seed (catalog title, else the approximate profile's label)."""
    rows = catalog_rows(catalog, seed_ids)
    labels = {
        row["track_id"]: track_label(row["name"], row["artists"])
        for row in rows.select("track_id", "name", "artists").iter_rows(named=True)
    }
    for track_id, profile in state.seed_profiles().items():
        labels.setdefault(track_id, f"{profile.label} (approx.)")
    return {track_id: labels.get(track_id, track_id) for track_id in seed_ids}


# -- controls ---------------------------------------------------------------------------------
def weight_controls() -> dict[str, float]:
    """Presets, Reset and one slider per engine weight; returns the current weights."""
    st.markdown("**Weights**")
    st.caption("How much each feature counts (0 switches it off).")
    # One button per row: the column is narrow and preset names are several words long.
    for name in PRESETS:
        st.button(
            plain(name),
            key=f"preset_{name.lower().replace(' ', '_')}",
            on_click=state.apply_preset,
            args=(name,),
            width="stretch",
        )
    st.button(
        "Reset to defaults",
        key="reset_weights",
        on_click=state.reset_weights,
        width="stretch",
        type="tertiary",
    )
    for title, names, expanded in (
        ("Sound", AUDIO_WEIGHTS, True),
        ("Artist, genre and more", OTHER_WEIGHTS, False),
    ):
        with st.expander(plain(title), expanded=expanded):
            for name in names:
                st.slider(
                    plain(name.replace("_", " ")),
                    min_value=WEIGHT_MIN,
                    max_value=WEIGHT_MAX,
                    step=0.25,
                    **state.bind_weight(name),
                )
    return state.weights()


@dataclass(frozen=True, slots=True)
class OptionValues:
    """What the option widgets say, before it becomes the engine's ``RecommendOptions``."""

    per_seed: int
    limit: int
    max_per_artist: int
    discover: bool
    popularity_range: tuple[int, int]
    exclude_explicit: bool

    def to_options(self) -> RecommendOptions:
        """The engine's options (0 and the full range mean "no limit")."""
        low, high = self.popularity_range
        return RecommendOptions(
            per_seed=self.per_seed,
            limit=self.limit or None,
            max_per_artist=self.max_per_artist or None,
            discover=self.discover,
            popularity_range=None if (low, high) == (0, 100) else (low, high),
            exclude_explicit=self.exclude_explicit,
        )


def option_controls() -> OptionValues:
    """The list options of the recommendations page; returns their values."""
    with st.expander("List options", expanded=False):
        st.number_input("Tracks per seed", min_value=1, max_value=20, **state.bind("per_seed"))
        st.number_input(
            "Total tracks (0 = per seed × seeds, at most 50)",
            min_value=0,
            max_value=200,
            **state.bind("limit"),
        )
        st.number_input(
            "At most this many per artist (0 = no cap)",
            min_value=0,
            max_value=20,
            **state.bind("max_per_artist"),
        )
        st.toggle("Discover: leave out the seeds' artists", **state.bind("discover"))
        st.slider("Popularity", min_value=0, max_value=100, **state.bind("popularity_range"))
        st.caption("A popularity filter also leaves out tracks whose popularity is unknown.")
        st.toggle("Exclude explicit tracks", **state.bind("exclude_explicit"))
        st.caption("Only tracks known to be explicit are removed; most tracks have no label.")
    return OptionValues(
        per_seed=int(state.option("per_seed")),
        limit=int(state.option("limit")),
        max_per_artist=int(state.option("max_per_artist")),
        discover=bool(state.option("discover")),
        popularity_range=tuple(state.option("popularity_range")),  # type: ignore[arg-type]
        exclude_explicit=bool(state.option("exclude_explicit")),
    )


# -- the one core call ------------------------------------------------------------------------
def recommendations_for(
    services: Services,
    seed_ids: Sequence[str],
    weights: Mapping[str, float],
    options: OptionValues,
    profiles: Mapping[str, AudioProfile],
) -> list[Recommendation]:
    """``recommend()`` for these inputs, remembered per session so an unchanged rerun is free."""
    key = (
        id(services.model),
        services.catalog.fingerprint,
        tuple(seed_ids),
        tuple(sorted(weights.items())),
        options,
        tuple(sorted(profiles)),
    )
    memo = st.session_state.get(_RECS_MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]
    result = recommend(
        services.model,
        services.catalog,
        list(seed_ids),
        weights=weights,
        options=options.to_options(),
        seed_vectors=dict(profiles) or None,
    )
    st.session_state[_RECS_MEMO] = (key, result)
    return result


# -- renderers --------------------------------------------------------------------------------
def _feature_rows(catalog: Catalog, ids: Sequence[str]) -> pl.DataFrame:
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


def _seed_radar(
    catalog: Catalog,
    seed_ids: Sequence[str],
    recs: Sequence[Recommendation],
    profiles: Mapping[str, AudioProfile],
    labels: Mapping[str, str],
) -> None:
    answered = [s for s in seed_ids if any(r.seed_track_id == s for r in recs)]
    if not answered:
        st.info("None of the seeds has a recommendation with these options.")
        return
    bound = state.bind("radar_seed", answered[0])
    # The remembered seed may have left the list (removed, or no longer answered).
    if st.session_state["radar_seed"] not in answered:
        st.session_state["radar_seed"] = answered[0]
    chosen = st.selectbox(
        "Seed track",
        answered,
        format_func=lambda track_id: labels.get(track_id, track_id),
        **bound,
    )
    seed_rows = _feature_rows(catalog, [chosen])
    if seed_rows.height:
        seed_profile = profile_of(seed_rows, label="Seed", with_spread=False)
    else:
        approx = profiles[chosen]
        seed_profile = AudioProfile(label="Seed", features=approx.features, approximate=True)
    neighbours = _feature_rows(catalog, [r.track_id for r in recs if r.seed_track_id == chosen])
    st.plotly_chart(
        radar_chart(
            [seed_profile, profile_of(neighbours, label="Its neighbours")],
            title="One seed and its neighbours",
        ),
        key="radar_seed_chart",
        width="stretch",
    )


def radar_section(
    catalog: Catalog,
    seed_ids: Sequence[str],
    recs: Sequence[Recommendation],
    profiles: Mapping[str, AudioProfile],
    labels: Mapping[str, str],
) -> None:
    """Both radars: the listener vs the recommendations, and one seed vs its neighbours."""
    left, right = st.columns(2)
    seeds_profile = listener_profile(catalog, seed_ids, profiles)
    recs_profile = profile_of(
        _feature_rows(catalog, [r.track_id for r in recs]), label="Recommendations"
    )
    left.plotly_chart(
        radar_chart([seeds_profile, recs_profile], title="Your taste vs the recommendations"),
        key="radar_profile",
        width="stretch",
    )
    with right:
        _seed_radar(catalog, seed_ids, recs, profiles, labels)


def results_table(table: pl.DataFrame) -> None:
    """The recommendations as a table with Spotify links."""
    st.dataframe(
        table.drop("track_id"),
        hide_index=True,
        width="stretch",
        # What matters most first; the seed column is the longest and goes last.
        column_order=("title", "artists", "similarity", "why", "spotify", "answers seed"),
        column_config={
            "title": st.column_config.TextColumn("title", width="medium"),
            "similarity": st.column_config.ProgressColumn(
                "similarity", min_value=0, max_value=100, format="%.0f", width="small"
            ),
            "why": st.column_config.TextColumn("why", width="medium"),
            "spotify": st.column_config.LinkColumn("Spotify", display_text="Open ↗", width="small"),
        },
    )


def export_button(table: pl.DataFrame) -> None:
    """CSV download of the shown table (formula-injection safe)."""
    st.download_button(
        "Download CSV",
        data=table_to_csv(table),
        file_name=f"recommendations-{datetime.now(UTC):%Y-%m-%d}.csv",
        mime="text/csv",
        key="export_csv",
        on_click="ignore",
    )


def share_box(seed_ids: Sequence[str], weights: Mapping[str, float]) -> None:
    """The link that reopens these seeds and weights for anyone, as a guest."""
    if not seed_ids:
        return
    query = share_query(seed_ids, weights)
    base = ""
    try:
        base = (st.context.url or "").split("?", 1)[0]
    except (AttributeError, RuntimeError):
        base = ""
    root = base.rsplit("/", 1)[0] + "/" if base else "/"
    st.caption(
        "Share link: anyone who opens it sees these recommendations as a guest. It holds only "
        "the seed track ids and the weights you changed."
    )
    st.code(f"{root}?{query}", language=None)


def default_playlist_name() -> str:
    """A sensible default with the date."""
    return f"Recommended {datetime.now(UTC):%Y-%m-%d}"


def describe_recommendations(recs: Sequence[Recommendation], n_seeds: int) -> str:
    """One line above the table."""
    answered = len({r.seed_track_id for r in recs})
    return f"{len(recs)} tracks for {answered} of {n_seeds} seed{'s' if n_seeds != 1 else ''}"


def build_table(recs: Sequence[Recommendation], labels: Mapping[str, str]) -> pl.DataFrame:
    """The table shown, exported and saved (one source for all three)."""
    return recommendation_table(recs, seed_names=labels)
