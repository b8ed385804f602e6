"""The Home page's sections: log in or continue as a guest, pick seeds, review them."""

from __future__ import annotations

from typing import Final

import streamlit as st

from recommender.domain import Catalog
from recommender.search import SearchIndex
from ui import render, state
from ui.loaders import Services

GUEST_FLAG: Final = "guest_mode"
SEARCH_LIMIT: Final = 10


@st.cache_resource(show_spinner="Indexing the catalog for search…", max_entries=2)
def search_index(_catalog: Catalog, fingerprint: str) -> SearchIndex:
    """One search index per catalog, shared by every visitor (it holds no user data)."""
    del fingerprint  # the cache key; the catalog itself is not hashed
    return SearchIndex.build(_catalog)


def _continue_as_guest() -> None:
    st.session_state[GUEST_FLAG] = True


def entry_choice() -> None:
    """The two ways in, side by side: log in with Spotify or continue as a guest."""
    left, right = st.columns(2)
    with left:
        st.subheader("Log in with Spotify")
        _login_area()
    with right:
        st.subheader("Continue as guest")
        st.caption("Search the catalog for tracks you like; nothing is stored about you.")
        st.button("Continue as guest", key="continue_as_guest", on_click=_continue_as_guest)


def _login_area() -> None:
    settings_ok = render_login()
    if not settings_ok:
        st.info("Spotify login is not configured on this server; continue as a guest.")


def render_login() -> bool:
    """Draw the login link when Spotify is configured; False when it is not."""
    from ui.loaders import get_settings

    return get_settings().spotify_configured


def guest_active() -> bool:
    """True once the visitor chose guest mode or already has seeds."""
    return bool(st.session_state.get(GUEST_FLAG)) or bool(state.seed_ids())


def seed_pickers(services: Services) -> None:
    """The ways to pick seeds that apply to this visitor."""
    if not guest_active():
        return
    st.divider()
    st.subheader("Pick seed tracks")
    guest_search(services.catalog)


def guest_search(catalog: Catalog) -> None:
    """Search the catalog by title or artist (case- and accent-insensitive) and add seeds."""
    query = st.text_input(
        "Search by title or artist",
        key="guest_search",
        placeholder="e.g. beyonce halo, daft punk",
    )
    if not query.strip():
        return
    hits = search_index(catalog, catalog.fingerprint).search(query, limit=SEARCH_LIMIT)
    if not hits:
        st.warning(
            f"Nothing in the catalog matches {query!r}. Try fewer words or another spelling."
        )
        return
    picked = set(state.seed_ids())
    for hit in hits:
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.write(render.track_label(hit.name, hit.artists))
        button.button(
            "Added" if hit.track_id in picked else "Add",
            key=f"add_{hit.track_id}",
            on_click=state.add_seed,
            args=(hit.track_id,),
            disabled=hit.track_id in picked,
        )


def picked_seeds(catalog: Catalog) -> None:
    """The current seeds, each removable, and the way on to the recommendations."""
    seeds = state.seed_ids()
    if not seeds:
        if guest_active():
            st.info("No seed tracks yet: search above and press Add on a few tracks you like.")
        return
    st.divider()
    st.subheader(f"Your seeds ({len(seeds)})")
    source = state.seed_source()
    if source:
        st.caption(f"From: {source}")
    labels = render.seed_labels(catalog, seeds)
    for track_id in seeds:
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.write(labels[track_id])
        button.button(
            "Remove", key=f"remove_{track_id}", on_click=state.remove_seed, args=(track_id,)
        )
    st.page_link("pages/recommendations.py", label="See recommendations →", icon="🎧")
