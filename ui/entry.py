"""What the entrypoint does before a page runs: share links and the sidebar."""

from __future__ import annotations

from typing import Final

import streamlit as st

from recommender.present.listing import seed_labels
from recommender.seeds.share import (
    NOT_ARTISTS_PARAM,
    NOT_TRACKS_PARAM,
    OPTION_PARAMS,
    SEEDS_PARAM,
    WEIGHTS_PARAM,
    parse_share,
)
from ui import address, loaders, login, state
from ui.plain import plain


def open_share_link(target: st.Page) -> None:
    """Apply ``?seeds=…&weights=…&discover=1…``: set this visitor's list, then open ``target``.

    A share link, a reload, back/forward or a bookmark all arrive here. An address this
    session wrote itself (``ui.address``) is not applied again: a rerun must not undo what
    the listener just changed. Unknown or malformed ids and bad options are reported on the
    recommendations page; the rest still work.
    """
    if SEEDS_PARAM not in st.query_params or address.is_own():
        return
    params = st.query_params
    seeds, weights = params.get(SEEDS_PARAM), params.get(WEIGHTS_PARAM)
    not_tracks, not_artists = params.get(NOT_TRACKS_PARAM), params.get_all(NOT_ARTISTS_PARAM)
    options = {name: params[name] for name in OPTION_PARAMS if name in params}
    services = loaders.load_services()
    if services is None:
        return
    # Bounded, linear, catalog-checked, one problem per kind (recommender.seeds.share).
    selection = parse_share(
        seeds,
        weights,
        not_tracks=not_tracks,
        not_artists=not_artists,
        known=services.model.index,
        options=options,
    )
    excluded = list(selection.excluded_ids)
    labels = seed_labels(services.catalog, excluded, {})
    state.set_seeds(list(selection.seed_ids), source="share link")
    state.set_weights(selection.weights)
    state.set_exclusions({t: labels[t] for t in excluded}, selection.excluded_artists)
    state.set_options(address.option_values(selection.options))
    state.put(state.SHARE_PROBLEMS, list(selection.problems))
    # Applied: until the page writes its own, this address counts as the session's.
    state.put(state.ADDRESS_QUERY, address.current())
    st.switch_page(target)


DEMO_PARAM: Final = "demo"


def keep_demo_choice() -> None:
    """The demo catalog survives a reload: ``?demo=1`` sets it, and choosing it sets ``?demo=1``.

    Written on every run because switching pages clears the query parameters.
    """
    if st.query_params.get(DEMO_PARAM) == "1":
        state.put(state.USE_DEMO_CATALOG, True)
    if loaders.using_demo():
        if st.query_params.get(DEMO_PARAM) != "1":
            st.query_params[DEMO_PARAM] = "1"
        st.caption(":material/science: Demo catalog: made-up tracks, for trying the app only.")


def sidebar() -> st.delta_generator.DeltaGenerator:
    """Who is here; returns the place :func:`seed_status` fills once the page has run."""
    with st.sidebar:
        if login.spotify_session() is None:
            st.markdown("**Guest**")
        return st.empty()


def seed_status(slot: st.delta_generator.DeltaGenerator) -> None:
    """Where the seeds come from and the catalog kind, as they are *after* the page ran.

    Filled last (also when the page stopped early), so a seed set during the page's run (an
    upload, a playlist) is counted here too: the sidebar and the page always agree.
    """
    seeds = state.seed_ids()
    source = state.seed_source()
    with slot.container():
        if seeds:
            st.caption(f"{len(seeds):d} seed track(s) from {plain(source or 'several sources')}")
        else:
            st.caption("No seed tracks yet")
        if loaders.using_demo():
            st.warning("Demo catalog: synthetic tracks")
