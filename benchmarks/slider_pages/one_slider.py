"""Reference page (c) of ``benchmarks/bench_browser_slider.py``: one slider and a table.

The floor of a Streamlit slider move: the smallest page whose results (a table with
``BENCH_ROWS`` rows that follow the slider) change on every move.
"""

from __future__ import annotations

import os
import random

import polars as pl
import streamlit as st

ROWS = int(os.environ.get("BENCH_ROWS", "25"))

value = st.slider("energy", min_value=0.0, max_value=3.0, value=0.5, step=0.25, key="weight_energy")
rng = random.Random(value)
st.dataframe(
    pl.DataFrame(
        {
            "title": [f"Track {rng.randrange(10_000):04d}" for _ in range(ROWS)],
            "similarity": [round(100 * rng.random(), 1) for _ in range(ROWS)],
        }
    ),
    hide_index=True,
)
