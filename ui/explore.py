"""The Explore page's sections: catalog overview, feature distributions, a feature scatter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from recommender.data.read import artist_count
from recommender.domain import PROFILE_FEATURES, Catalog
from recommender.present.charts import PALETTE, feature_histogram, feature_scatter
from recommender.present.listing import catalog_rows, track_label
from ui import state
from ui.plain import plain

SCATTER_SAMPLE: Final = 3_000
MARKED_SEEDS: Final = 5
TOP_GENRES: Final = 20
# Streamlit's text colours closest to charts.mark_colour(0..4), in the same order.
MARK_NAMES: Final = ("orange", "blue", "red", "violet", "yellow")


def overview(catalog: Catalog) -> None:
    """Size, sources and genre counts."""
    if catalog.synthetic:
        st.warning("This is the synthetic demo catalog: made-up tracks for trying the app only.")
    tracks = catalog.tracks
    # The build put the count in the report (the same artist_count); counting again would
    # fold every credit on each rerun of the page.
    artists = catalog.report.get("artists")
    if artists is None:
        artists = artist_count(tracks)
    genres = tracks.select(pl.col("genres").explode().drop_nulls().n_unique()).item()
    cols = st.columns(3)
    cols[0].metric("Tracks", f"{tracks.height:,}")
    cols[1].metric("Artists", f"{artists:,}")
    cols[2].metric("Genre labels", f"{genres:,}")
    left, right = st.columns(2)
    sources = (
        tracks.select(pl.col("sources").explode().alias("source"))
        .group_by("source")
        .len("tracks")
        .sort("tracks", descending=True)
    )
    with left:
        st.subheader("Sources")
        st.caption("A track found in several datasets counts once per dataset.")
        st.dataframe(sources, hide_index=True, width="stretch")
    genre_counts = (
        tracks.select(pl.col("genres").explode().drop_nulls().alias("genre"))
        .group_by("genre")
        .len("tracks")
        .sort(["tracks", "genre"], descending=[True, False])
        .head(TOP_GENRES)
    )
    with right:
        st.subheader("Genres")
        unlabelled = tracks.filter(pl.col("genres").list.len().fill_null(0) == 0).height
        st.caption(f"Top {TOP_GENRES}; {unlabelled:,} tracks have no genre label.")
        figure = go.Figure(
            go.Bar(
                x=genre_counts["tracks"].to_list(),
                y=genre_counts["genre"].to_list(),
                orientation="h",
                marker={"color": PALETTE[0]},
            )
        )
        figure.update_layout(
            yaxis={"autorange": "reversed"},
            height=420,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            paper_bgcolor="rgba(0,0,0,0)",
        )
        st.plotly_chart(figure, key=state.GENRE_COUNTS, width="stretch")


def _seed_marks(catalog: Catalog, seeds: Sequence[str], feature: str) -> dict[str, float]:
    rows = catalog_rows(catalog, list(seeds)[:MARKED_SEEDS])
    return {
        (name or "seed")[:24]: float(value)
        for name, value in rows.select("name", feature).iter_rows()
        if value is not None
    }


def distributions(catalog: Catalog, seeds: Sequence[str]) -> None:
    """A histogram per profile feature (binned on the server) with the seeds marked."""
    st.subheader("How each feature is distributed")
    if seeds:
        rows = catalog_rows(catalog, list(seeds)[:MARKED_SEEDS])
        legend = ", ".join(
            f":{MARK_NAMES[i % len(MARK_NAMES)]}[{plain(track_label(name, artists))}]"
            for i, (name, artists) in enumerate(rows.select("name", "artists").iter_rows())
        )
        st.markdown(f"Dashed lines, your seeds: {legend}")
    else:
        st.caption("Pick seeds on Home to see where your tracks sit.")
    columns = st.columns(3)
    for index, feature in enumerate(PROFILE_FEATURES):
        with columns[index % 3]:
            st.plotly_chart(
                feature_histogram(
                    catalog.tracks[feature],
                    feature=feature,
                    marks=_seed_marks(catalog, seeds, feature),
                ),
                key=state.FEATURE_HISTOGRAM(feature),
                width="stretch",
            )


def scatter(catalog: Catalog, seeds: Sequence[str]) -> None:
    """Two features of a fixed sample of tracks, plus the seeds."""
    st.subheader("Two features against each other")
    left, right = st.columns(2)
    x = left.selectbox("Horizontal", PROFILE_FEATURES, **state.bind(state.EXPLORE_X, "energy"))
    y = right.selectbox("Vertical", PROFILE_FEATURES, **state.bind(state.EXPLORE_Y, "valence"))
    sample = catalog.tracks.sample(min(SCATTER_SAMPLE, catalog.tracks.height), seed=0)
    st.plotly_chart(
        feature_scatter(
            sample.select("name", x, y) if x != y else sample.select("name", x),
            x=x,
            y=y,
            seeds=catalog_rows(catalog, seeds),
        ),
        key=state.FEATURE_SCATTER,
        width="stretch",
    )
    st.caption(f"A fixed random sample of {sample.height:,} tracks; stars are your seeds.")
