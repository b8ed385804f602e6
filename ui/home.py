"""The Home page's sections: log in or continue as a guest, pick seeds, review them."""

from __future__ import annotations

from typing import Final

import streamlit as st

from recommender.domain import Catalog
from recommender.present.listing import track_label
from recommender.seeds.resolve import Resolution, online_source, resolve_features
from ui import guest, loaders, login, state
from ui.loaders import Services
from ui.plain import plain

GUEST_FLAG: Final = "guest_mode"
TOP_SOURCE: Final = "Spotify top tracks"
TIME_RANGES: Final = {
    "short_term": "Last 4 weeks",
    "medium_term": "Last 6 months",
    "long_term": "Last year",
}


def _continue_as_guest() -> None:
    st.session_state[GUEST_FLAG] = True


def entry_choice() -> None:
    """The two ways in, side by side: log in with Spotify or continue as a guest.

    Without Spotify credentials only the guest way is shown (the sidebar says why, once).
    Logged in, the guest way stays: when Spotify fails, searching the catalog still works.
    """
    spotify = loaders.get_settings().spotify_configured
    left, right = st.columns(2) if spotify else (None, st.container())
    if left is not None:
        with left:
            st.subheader("Log in with Spotify")
            name = login.user_name()
            if name is not None:
                st.success(f"Logged in as {plain(name)}.")
            else:
                st.caption(
                    "Your top tracks become the seeds, and you can save the result as a playlist."
                )
                login.login_link()
    with right:
        st.subheader("Continue as guest")
        st.caption("Search the catalog for tracks you like; nothing is stored about you.")
        st.button("Continue as guest", key="continue_as_guest", on_click=_continue_as_guest)


def guest_active() -> bool:
    """True once the visitor chose guest mode or already has seeds."""
    return bool(st.session_state.get(GUEST_FLAG)) or bool(state.seed_ids())


def seed_pickers(services: Services) -> None:
    """The ways to pick seeds that apply to this visitor."""
    session = login.spotify_session()
    if session is not None:
        st.divider()
        spotify_seeds(services)
    if not guest_active() and session is None:
        return
    st.divider()
    st.subheader("Pick seed tracks" if session is None else "Or pick tracks yourself")
    guest.search_box(services.catalog)
    guest.surprise_button(services.catalog)
    guest.history_uploader(services.catalog)


def _top_tracks_resolved(services: Services, time_range: str) -> Resolution | None:
    """The listener's top tracks resolved against the catalog, once per time range and login.

    Kept in the session's Spotify store, so logging out forgets it with the token.
    """
    store = login.SessionTokenStore()
    key = f"resolved:{time_range}:{services.catalog.fingerprint}"
    if key in store:
        return store[key]
    with st.spinner(
        f"Reading your top tracks ({plain(TIME_RANGES[time_range].lower())}) from Spotify…"
    ):
        tracks = login.top_tracks(time_range)  # type: ignore[arg-type]
        if tracks is None:
            return None
        resolution = resolve_features(
            tracks,
            services.catalog,
            online=online_source(loaders.get_settings()),
            index=login.catalog_index(services.catalog),
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
    st.write(plain(resolution.report("top tracks")))
    for warning in resolution.warnings:
        st.warning(plain(warning))
    missing = [i.track for i in resolution.items if i.outcome == "not_found"]
    approximate = [i.track for i in resolution.items if i.approximate]
    if missing or approximate:
        with st.expander(f"Not profiled ({len(missing)}) and approximate ({len(approximate)})"):
            for track in missing:
                st.write(f"✗ {plain(track_label(track.name, track.artists))} — not in the catalog")
            for track in approximate:
                st.write(
                    f"≈ {plain(track_label(track.name, track.artists))} — "
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
            # Once per login or time range: rerun so the sidebar shows the new seeds too.
            st.rerun()
    else:
        st.button(
            f"Use these {len(resolution.seed_ids)} tracks as seeds",
            key="use_top_tracks",
            on_click=_use_top_tracks,
            args=(resolution,),
        )


def picked_seeds(catalog: Catalog) -> None:
    """The current seeds, each removable, and the way on to the recommendations."""
    if not guest_active() and not state.seed_ids():
        return
    st.divider()
    guest.picked_seeds(catalog)
    if state.seed_ids():
        st.page_link(
            "pages/recommendations.py",
            label="See recommendations →",
            icon=":material/queue_music:",
        )
