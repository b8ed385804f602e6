"""What the entrypoint does before a page runs: share links and the sidebar."""

from __future__ import annotations

import streamlit as st

from recommender.seeds.share import SEEDS_PARAM, WEIGHTS_PARAM, parse_share, split_known
from ui import loaders, login, state
from ui.plain import plain


def open_share_link(target: st.Page) -> None:
    """Consume ``?seeds=…&weights=…``: set this guest's seeds and weights, then open ``target``.

    Unknown or malformed ids are reported on the recommendations page; the rest still work.
    The parameters are removed so a rerun or a refresh does not apply them again.
    """
    if SEEDS_PARAM not in st.query_params:
        return
    selection = parse_share(st.query_params.get(SEEDS_PARAM), st.query_params.get(WEIGHTS_PARAM))
    for name in (SEEDS_PARAM, WEIGHTS_PARAM):
        if name in st.query_params:
            del st.query_params[name]
    services = loaders.load_services()
    if services is None:
        return
    known, unknown = split_known(selection.seed_ids, set(services.model.track_ids))
    problems = list(selection.problems)
    if unknown:
        problems.append(
            f"{len(unknown)} track(s) of the link are not in the catalog and were left out: "
            + ", ".join(unknown[:10])
        )
    if not known:
        problems.append("None of the link's tracks is in the catalog; pick seeds on Home instead.")
    state.set_seeds(known, source="share link")
    state.set_weights(selection.weights)
    st.session_state["share_problems"] = problems
    st.switch_page(target)


def sidebar() -> None:
    """Who is here, where the seeds come from, and the catalog kind."""
    with st.sidebar:
        if login.spotify_session() is None:
            st.markdown("**Guest**")
        seeds = state.seed_ids()
        source = state.seed_source()
        if seeds:
            st.caption(f"{len(seeds)} seed track(s) from {plain(source or 'several sources')}")
        else:
            st.caption("No seed tracks yet")
        if loaders.using_demo():
            st.warning("Demo catalog: synthetic tracks")
