"""Recommendations: weights and options -> one engine call -> radars, table, save, export, share."""

import streamlit as st

from recommender.present.export import recommendation_table
from recommender.present.listing import describe_recommendations, seed_labels
from ui import loaders, render, save, state
from ui.plain import plain

st.title("Recommended for you")
services = loaders.load_services()
if services is None:
    st.stop()
seeds = state.seed_ids()
for problem in st.session_state.pop("share_problems", []):
    st.warning(plain(problem))
if not seeds:
    st.info(
        "No seed tracks yet. Pick a few on Home (search, your Spotify top tracks or an upload)."
    )
    st.page_link("pages/home.py", label="Pick seeds on Home", icon=":material/home:")
    st.stop()

# The controls live in the sidebar: beside the results on a laptop, folded away on a phone.
with st.sidebar:
    st.divider()
    weights = render.weight_controls()
    options = render.option_controls()
results = st.container()
profiles = state.seed_profiles()
try:
    recs = render.recommendations_for(services, seeds, weights, options, profiles)
except ValueError as error:
    results.error(f"{plain(error)}. Remove that seed on Home and try again.")
    st.stop()

with results:
    labels = seed_labels(services.catalog, seeds, profiles)
    if not recs:
        st.warning(
            "No track passes these options. Widen the popularity range or turn off Discover."
        )
        st.stop()
    table = recommendation_table(recs, seed_names=labels)
    st.caption(plain(describe_recommendations(recs, len(seeds))))
    render.radar_section(services.catalog, seeds, recs, profiles, labels)
    render.results_table(table)
    save.save_section(table)
    render.export_button(table)
    # Seeds known only by an approximate profile cannot be reproduced from a link.
    render.share_box([s for s in seeds if s not in profiles], weights)
