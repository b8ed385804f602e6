"""The Home page's sections: log in or continue as a guest, pick seeds, review them."""

from __future__ import annotations

from typing import Final

import streamlit as st

from recommender.domain import Catalog
from recommender.resolve import Resolution, online_source, resolve_features
from recommender.search import SearchIndex
from ui import auth, loaders, render, state
from ui.loaders import Services

GUEST_FLAG: Final = "guest_mode"
SEARCH_LIMIT: Final = 10
TOP_SOURCE: Final = "Spotify top tracks"
TIME_RANGES: Final = {
    "short_term": "Last 4 weeks",
    "medium_term": "Last 6 months",
    "long_term": "Last year",
}


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
    name = auth.user_name()
    if name is not None:
        st.success(f"Logged in as {name}.")
        return
    st.caption("Your top tracks become the seeds, and you can save the result as a playlist.")
    if not auth.login_link():
        st.info("Spotify login is not configured on this server; continue as a guest.")


def guest_active() -> bool:
    """True once the visitor chose guest mode or already has seeds."""
    return bool(st.session_state.get(GUEST_FLAG)) or bool(state.seed_ids())


def seed_pickers(services: Services) -> None:
    """The ways to pick seeds that apply to this visitor."""
    session = auth.spotify_session()
    if session is not None:
        st.divider()
        spotify_seeds(services)
    if not guest_active() and session is None:
        return
    st.divider()
    st.subheader("Pick seed tracks" if session is None else "Or pick tracks yourself")
    guest_search(services.catalog)


def _top_tracks_resolved(services: Services, time_range: str) -> Resolution | None:
    """The listener's top tracks resolved against the catalog, once per time range and login.

    Kept in the session's Spotify store, so logging out forgets it with the token.
    """
    store = auth.SessionTokenStore()
    key = f"resolved:{time_range}:{services.catalog.fingerprint}"
    if key in store:
        return store[key]
    with st.spinner(f"Reading your top tracks ({TIME_RANGES[time_range].lower()}) from Spotify…"):
        tracks = auth.top_tracks(time_range)  # type: ignore[arg-type]
        if tracks is None:
            return None
        resolution = resolve_features(
            tracks,
            services.catalog,
            online=online_source(loaders.get_settings()),
            index=auth.catalog_index(services.catalog),
        )
    store[key] = resolution
    return resolution


def _use_top_tracks(resolution: Resolution) -> None:
    state.set_seeds(resolution.seed_ids, source=TOP_SOURCE, profiles=resolution.seed_profiles)


def spotify_seeds(services: Services) -> None:
    """Time range, the top tracks' coverage report, and the unprofiled tracks."""
    st.subheader("Your Spotify top tracks")
    time_range = st.radio(
        "Time range",
        list(TIME_RANGES),
        format_func=TIME_RANGES.__getitem__,
        horizontal=True,
        **state.bind("time_range", "medium_term"),
    )
    resolution = _top_tracks_resolved(services, time_range)
    if resolution is None:
        st.caption("Guest mode still works: search the catalog below.")
        return
    if not resolution.items:
        st.info("Spotify has no top tracks for you in this time range yet; try a longer one.")
        return
    st.write(resolution.report("top tracks"))
    for warning in resolution.warnings:
        st.warning(warning)
    missing = [i.track for i in resolution.items if i.outcome == "not_found"]
    approximate = [i.track for i in resolution.items if i.approximate]
    if missing or approximate:
        with st.expander(f"Not profiled ({len(missing)}) and approximate ({len(approximate)})"):
            for track in missing:
                st.write(f"✗ {render.track_label(track.name, track.artists)} — not in the catalog")
            for track in approximate:
                st.write(
                    f"≈ {render.track_label(track.name, track.artists)} — "
                    "approximated by the artist's average sound"
                )
    if not resolution.seed_ids:
        st.warning("None of these tracks could be profiled; pick tracks by search below.")
        return
    source = state.seed_source()
    if source in (None, TOP_SOURCE):
        # Follow the chosen time range until the listener picks seeds another way.
        if state.seed_ids() != resolution.seed_ids:
            _use_top_tracks(resolution)
    else:
        st.button(
            f"Use these {len(resolution.seed_ids)} tracks as seeds",
            key="use_top_tracks",
            on_click=_use_top_tracks,
            args=(resolution,),
        )


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
    st.page_link(
        "pages/recommendations.py", label="See recommendations →", icon=":material/queue_music:"
    )
