"""The recommendations page's results: one fragment from the weights to the saved playlist.

Everything that depends on the weights and options lives in one ``st.fragment``: the sliders
(written into the sidebar from inside it), the engine call and what shows its answer. A
slider move therefore reruns only this fragment (not the entrypoint's login handling,
navigation and account sidebar, nor the page's title and seed checks), and the browser
receives only the fragment's elements. The results table comes first, so the list a person
is looking at is redrawn before the radars are computed.
"""

from __future__ import annotations

import streamlit as st

from ui import loaders, render, save, state


@st.fragment
def recommendations_view() -> None:
    """Weights and options (sidebar) -> one engine call -> table, radars, save, export, share."""
    services = loaders.load_services()
    seeds = state.seed_ids()
    if services is None or not seeds:
        return
    profiles = state.seed_profiles()
    with st.sidebar:
        weights = render.weight_controls()
        options = render.option_controls()
    try:
        recs = render.recommendations_for(services, seeds, weights, options, profiles)
    except ValueError as error:
        st.error(f"{error}. Remove that seed on Home and try again.")
        return
    labels = render.seed_labels(services.catalog, seeds)
    if not recs:
        st.warning(
            "No track passes these options. Widen the popularity range or turn off Discover."
        )
        return
    table = render.build_table(recs, labels)
    st.caption(render.describe_recommendations(recs, len(seeds)))
    render.results_table(table)
    render.radar_section(services.catalog, seeds, recs, profiles, labels)
    save.save_section(table)
    render.export_button(table)
    # Seeds known only by an approximate profile cannot be reproduced from a link.
    render.share_box([s for s in seeds if s not in profiles], weights)
