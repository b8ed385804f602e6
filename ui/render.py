"""Widgets and renderers the pages share: controls return plain values, renderers only draw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Final

import polars as pl
import streamlit as st

from recommender.domain import PROFILE_FEATURES, AudioProfile, Catalog
from recommender.engine.explain import Recommendation
from recommender.engine.features import (
    DISCOVER_PRESETS,
    PRESET_PURPOSES,
    PRESETS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    WEIGHT_NAMES,
)
from recommender.engine.recommend import recommend
from recommender.present.charts import UNITS, profile_of, radar_chart
from recommender.present.export import table_to_csv, with_exportify_columns
from recommender.present.listing import (
    OptionValues,
    feature_rows,
    listener_profile,
    seed_feature_table,
)
from recommender.seeds.share import MAX_SHARED_SEEDS
from ui import state
from ui.loaders import Services
from ui.plain import plain

AUDIO_WEIGHTS: Final = tuple(name for name in WEIGHT_NAMES if name in PROFILE_FEATURES)
OTHER_WEIGHTS: Final = tuple(name for name in WEIGHT_NAMES if name not in PROFILE_FEATURES)


# -- controls ---------------------------------------------------------------------------------
def weight_controls() -> dict[str, float]:
    """Presets, Reset and one slider per engine weight; returns the current weights."""
    st.markdown("**Weights**")
    st.caption("How much each feature counts (0 switches it off).")
    # One button per row: the column is narrow and preset names are several words long.
    active = state.active_preset()
    for name in PRESETS:
        st.button(
            f"✓ {plain(name)}" if name == active else plain(name),
            key=state.PRESET_BUTTON(name.lower().replace(" ", "_")),
            on_click=state.apply_preset,
            args=(name,),
            width="stretch",
            type="primary" if name == active else "secondary",
            help=f"Aims for {plain(PRESET_PURPOSES[name])}. Replaces the values of every slider "
            + "below"
            + (" and turns Discover on." if name in DISCOVER_PRESETS else "."),
        )
    if active is not None:
        st.caption(
            f"Preset **{plain(active)}** is active. It aims for {plain(PRESET_PURPOSES[active])}; "
            "it replaced the sliders' values"
            + (
                " and turned Discover on (no track by a seed's artist)."
                if active in DISCOVER_PRESETS
                else "."
            )
        )
        st.button(
            "Restore previous values",
            key=state.RESTORE_WEIGHTS,
            on_click=state.restore_before_preset,
            width="stretch",
        )
    st.button(
        "Reset to defaults",
        key=state.RESET_WEIGHTS,
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


def option_controls() -> OptionValues:
    """The list options of the recommendations page; returns their values."""
    with st.expander("List options", expanded=False):
        st.number_input("Tracks per seed", min_value=1, max_value=20, **state.bind(state.PER_SEED))
        st.number_input(
            "Total tracks (0 = per seed × seeds, at most 50)",
            min_value=0,
            max_value=200,
            **state.bind(state.LIMIT),
        )
        st.number_input(
            "At most this many per artist (0 = no cap)",
            min_value=0,
            max_value=20,
            **state.bind(state.MAX_PER_ARTIST),
        )
        st.toggle("Discover: leave out the seeds' artists", **state.bind(state.DISCOVER))
        st.number_input(
            "Of every 20, at most this many by the seeds' artists (20 = no cap)",
            min_value=0,
            max_value=20,
            disabled=bool(state.options().discover),
            help="So the list is not the seeds' discographies; raise it for more from these "
            "artists. Discover leaves them out entirely.",
            **state.bind(state.SEED_ARTISTS),
        )
        st.slider("Popularity", min_value=0, max_value=100, **state.bind(state.POPULARITY_RANGE))
        st.caption("A popularity filter also leaves out tracks whose popularity is unknown.")
        st.toggle("Exclude explicit tracks", **state.bind(state.EXCLUDE_EXPLICIT))
        st.caption("Only tracks known to be explicit are removed; most tracks have no label.")
    return current_options()


def current_options() -> OptionValues:
    """The options' values, whether or not their widgets have been drawn in this run."""
    return state.options()


# -- the one core call ------------------------------------------------------------------------
def recommendations_for(
    services: Services,
    seed_ids: Sequence[str],
    weights: Mapping[str, float],
    options: OptionValues,
    profiles: Mapping[str, AudioProfile],
    *,
    skip_ids: frozenset[str] = frozenset(),
    exclude_artists: frozenset[str] = frozenset(),
) -> list[Recommendation]:
    """``recommend()`` for these inputs, remembered per session so an unchanged rerun is free.

    ``skip_ids`` and ``exclude_artists`` are the listener's "not this" choices.
    """
    key = (
        id(services.model),
        services.catalog.fingerprint,
        tuple(seed_ids),
        tuple(sorted(weights.items())),
        options,
        # The profiles themselves, not only their ids: an upload re-read under the same id
        # with other features must not return the old list.
        tuple(sorted(profiles.items(), key=lambda item: item[0])),
        tuple(sorted(skip_ids)),
        tuple(sorted(exclude_artists)),
    )
    memo = state.peek(state.RECOMMENDATIONS_MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]
    result = recommend(
        services.model,
        services.catalog,
        list(seed_ids),
        weights=weights,
        options=replace(options.to_options(), skip_ids=skip_ids, exclude_artists=exclude_artists),
        seed_vectors=dict(profiles) or None,
    )
    state.put(state.RECOMMENDATIONS_MEMO, (key, result))
    return result


# -- renderers --------------------------------------------------------------------------------
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
    bound = state.bind(state.RADAR_SEED, answered[0])
    # The remembered seed may have left the list (removed, or no longer answered).
    if state.get(state.RADAR_SEED, "") not in answered:
        state.put(state.RADAR_SEED, answered[0])
    chosen = st.selectbox(
        "Seed track",
        answered,
        format_func=lambda track_id: labels.get(track_id, track_id),
        **bound,
    )
    seed_rows = feature_rows(catalog, [chosen])
    if seed_rows.height:
        seed_profile = profile_of(seed_rows, label="Seed", with_spread=False)
    else:
        approx = profiles[chosen]
        seed_profile = AudioProfile(label="Seed", features=approx.features, approximate=True)
    neighbours = feature_rows(catalog, [r.track_id for r in recs if r.seed_track_id == chosen])
    st.plotly_chart(
        radar_chart(
            [seed_profile, profile_of(neighbours, label="Its neighbours")],
            title="One seed and its neighbours",
        ),
        key=state.RADAR_SEED_CHART,
        width="stretch",
    )


_SEED_FORMATS: Final = {
    "loudness": f"%.1f {UNITS['loudness']}",
    "tempo": f"%.0f {UNITS['tempo']}",
}


def seeds_sound(
    catalog: Catalog, seed_ids: Sequence[str], profiles: Mapping[str, AudioProfile]
) -> None:
    """The seeds' sound before any recommendation (Home): their mean radar, each seed's values.

    Besides showing a listener their taste while they pick, it makes the browser load the
    chart and table code then, not after the click on "Get recommendations": a new visitor's
    first list otherwise waits for that code (docs/benchmarks.md, opening the list).
    """
    table = seed_feature_table(catalog, seed_ids, profiles)
    if table.height == 0:
        st.caption("The seeds' sound shows once a seed has audio features.")
        return
    st.plotly_chart(
        radar_chart(
            [listener_profile(catalog, seed_ids, profiles)], title="The sound of your seeds"
        ),
        key=state.HOME_SEEDS_RADAR,
        width="stretch",
    )
    st.dataframe(
        table,
        hide_index=True,
        key=state.HOME_SEEDS_TABLE,
        column_config={
            "seed": st.column_config.TextColumn("Seed", width="medium"),
            # The radar's units and precision (present.charts.format_value).
            **{
                name: st.column_config.NumberColumn(name, format=_SEED_FORMATS.get(name, "%.2f"))
                for name in PROFILE_FEATURES
            },
        },
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
        feature_rows(catalog, [r.track_id for r in recs]), label="Recommendations"
    )
    left.plotly_chart(
        radar_chart([seeds_profile, recs_profile], title="Your taste vs the recommendations"),
        key=state.RADAR_PROFILE,
        width="stretch",
    )
    with right:
        _seed_radar(catalog, seed_ids, recs, profiles, labels)


def export_button(table: pl.DataFrame, catalog: Catalog) -> None:
    """CSV download of the shown table plus Exportify's columns (formula-injection safe)."""
    st.download_button(
        "Download CSV",
        data=table_to_csv(
            with_exportify_columns(table, catalog.tracks, synthetic=catalog.synthetic)
        ),
        file_name=f"recommendations-{datetime.now(UTC):%Y-%m-%d}.csv",
        mime="text/csv",
        key=state.EXPORT_CSV,
        on_click="ignore",
    )
    st.caption(
        "The CSV also has the columns of an Exportify playlist export (Track URI, Track Name, "
        "Artist Name(s), …), so playlist-transfer services that read Exportify files read it, "
        "and Home's upload reads it back as seeds."
    )


def share_box(query: str, *, estimated: int = 0, beyond_link: int = 0) -> None:
    """The link that reopens this list for anyone, as a guest: the page's own address.

    ``estimated`` seeds (an artist's average sound from an upload) cannot be carried in a
    link; the page says so.
    """
    if estimated:
        st.caption(
            f"{estimated:d} of your seeds {'is an estimate' if estimated == 1 else 'are estimates'}"
            " from your upload (an artist's average sound), which a link cannot carry: the "
            "address and the share link hold the other seeds, so their list differs from "
            "this one."
        )
    if beyond_link:
        st.caption(
            f"{beyond_link:,} of your left-out tracks and artists are beyond what a link "
            f"carries ({MAX_SHARED_SEEDS:d} of each): they stay left out here, and the link "
            "leaves them out of its list only up to that number."
        )
    if not query:
        return
    base = ""
    try:
        base = (st.context.url or "").split("?", 1)[0]
    except (AttributeError, RuntimeError):
        base = ""
    root = base.rsplit("/", 1)[0] + "/" if base else "/"
    st.caption(
        "Share link (the copy button is at its right; it is also this page's address, so a "
        "reload or a bookmark shows the same list): anyone who opens it sees these "
        "recommendations as a guest. It holds only track ids, the weights and list options you "
        "changed and what you left out."
    )
    # Wrapped, so the whole link is readable; st.code has a copy button.
    st.code(f"{root}?{query}", language=None, wrap_lines=True)
