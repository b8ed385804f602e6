"""Reference page (b) of ``benchmarks/bench_browser_slider.py``: a plain full-rerun page.

The same sidebar widgets as the recommendations page (presets, Reset, the 17 weight sliders,
the list options), the same table with as many rows (``BENCH_ROWS``) and two radar charts,
but no recommender work and no fragment: every slider move reruns the whole script and
re-sends everything. The table's values and the radars follow the weights, so every move
changes what is drawn, as it does on the real page.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import polars as pl
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.domain import PROFILE_FEATURES, AudioProfile
from recommender.present.charts import radar_chart
from ui import render, results, state

ROWS = int(os.environ.get("BENCH_ROWS", "25"))

st.set_page_config(page_title="Full-rerun reference", layout="wide")
state.init()
with st.sidebar:
    st.markdown("**Guest**")
    st.caption("5 seed track(s) from share link")
    st.divider()
    weights = render.weight_controls()
    render.option_controls()

rng = random.Random(repr(sorted(weights.items())))


def _profile(label: str) -> AudioProfile:
    features = {name: rng.random() for name in PROFILE_FEATURES}
    features |= {"loudness": -30 * rng.random(), "tempo": 60 + 120 * rng.random()}
    spread = dict.fromkeys(PROFILE_FEATURES, 0.1)
    return AudioProfile(label=label, features=features, spread=spread)


# For benchmarks/bench_browser_open.py: the list appears only after a click on the same
# button the app's Home has, so both pages are timed from the click to the drawn list. Like
# Home with seeds, the page first shows a radar and a small table, so the browser has the
# chart and table code before the click.
if os.environ.get("BENCH_BUTTON") == "1" and not st.session_state.get("bench_opened"):
    st.plotly_chart(radar_chart([_profile("Your seeds")], title="Seeds"), key="bench_radar")
    st.dataframe(pl.DataFrame({"seed": ["Seed 0"], "energy": [0.5]}), key="bench_seeds")
    st.button(
        "Get recommendations",
        key="get_recommendations",
        on_click=lambda: st.session_state.update(bench_opened=True),
    )
    st.stop()


table = pl.DataFrame(
    {
        "title": [f"Track {rng.randrange(10_000):04d}" for _ in range(ROWS)],
        "artists": [f"Artist {rng.randrange(100):02d}" for _ in range(ROWS)],
        "similarity": sorted((round(100 * rng.random(), 1) for _ in range(ROWS)), reverse=True),
        "why": [f"close on energy ({rng.random():.2f} vs {rng.random():.2f})" for _ in range(ROWS)],
        "spotify": [f"https://open.spotify.com/track/{i:022d}" for i in range(ROWS)],
        "answers seed": [f"Seed {i % 5} — Seed artist" for i in range(ROWS)],
        "track_id": [f"{i:022d}" for i in range(ROWS)],
        "seed_track_id": [f"{i % 5:022d}" for i in range(ROWS)],
    }
)
st.caption(f"{ROWS} tracks for 5 of 5 seeds")
listing, detail = st.columns([2, 1], gap="medium")
results.list_styles()
with listing:
    results.results_table(table)
    # The app sends the phone's grid of the same list too (CSS shows one by width).
    st.dataframe(
        table.select("title", "artists", "track_id").with_columns(
            pl.Series("close on", ["energy, tempo"] * ROWS)
        ),
        hide_index=True,
        height=results.ROW_HEIGHT * (ROWS + 1) + 3,
        column_order=results.PHONE_COLUMNS,
        key="phone_list_0",
        on_select="rerun",
        selection_mode="single-row",
    )
with detail:
    st.info(results.SELECT_HINT)
left, right = st.columns(2)
left.plotly_chart(
    radar_chart([_profile("Your seeds"), _profile("Recommendations")], title="Your taste"),
    key="radar_profile",
    width="stretch",
)
with right:
    st.selectbox("Seed track", [f"Seed {i}" for i in range(5)], key="radar_seed")
    st.plotly_chart(
        radar_chart([_profile("Seed"), _profile("Its neighbours")], title="One seed"),
        key="radar_seed_chart",
        width="stretch",
    )
