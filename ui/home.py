"""The Home page's sections: log in or continue as a guest, pick seeds, review them."""

from __future__ import annotations

from typing import Final

import streamlit as st

from recommender.domain import Catalog
from recommender.present.listing import track_label
from recommender.seeds.choose import SeedChoice, choose_seeds, resolution_candidates
from recommender.seeds.resolve import Resolution, online_source, resolve_features
from ui import guest, loaders, login, render, state
from ui.loaders import Services
from ui.plain import plain

TIME_RANGES: Final = {
    "short_term": "Last 4 weeks",
    "medium_term": "Last 6 months",
    "long_term": "Last year",
}


def entry_choice(services: Services) -> None:
    """Search at once; with a Spotify login configured, log in and search side by side.

    There is no gate: a visitor can type a title the moment the page opens. Without Spotify
    credentials the search takes the whole width (the sidebar says why there is no login,
    once). Logged in, the search stays: when Spotify fails, the catalog still works.
    """
    spotify = loaders.get_settings().spotify_configured
    left, right = st.columns(2, gap="large") if spotify else (None, st.container())
    if left is not None:
        with left:
            st.subheader("Log in with Spotify")
            name = login.user_name()
            if name is not None:
                st.success(f"Logged in as {plain(name)}.")
            else:
                st.caption(
                    "Your top tracks and playlists become the seeds, and you can save the "
                    "result as a playlist."
                )
                login.login_link()
    with right:
        st.subheader("Search tracks you like")
        guest.search_box(services.catalog)
    if login.user_name() is None or login.own_app() is not None:
        login.own_app_panel()


def seed_pickers(services: Services) -> None:
    """The other ways to pick seeds: the listener's Spotify, "Surprise me", an upload."""
    session = login.spotify_session()
    if session is not None:
        st.divider()
        spotify_seeds(services)
        playlist_seeds(services)
    st.divider()
    st.subheader("Or let the app pick, or bring your history")
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


def _policy(resolution: Resolution) -> SeedChoice:
    """The same seed policy as an upload's: exact matches first, no profile twice, 2 per artist."""
    return choose_seeds(resolution_candidates(resolution))


def _use_top_tracks(choice: SeedChoice) -> None:
    state.set_seeds(choice.seed_ids, source="Spotify top tracks", profiles=choice.profiles)


def spotify_seeds(services: Services) -> None:
    """Time range, the top tracks' coverage report, and the unprofiled tracks."""
    st.subheader("Your Spotify top tracks")
    time_range = st.radio(
        "Time range",
        list(TIME_RANGES),
        format_func=TIME_RANGES.__getitem__,
        horizontal=True,
        **state.bind(state.TIME_RANGE, "medium_term"),
    )
    resolution = _top_tracks_resolved(services, time_range)
    if resolution is None:
        st.caption("Guest mode still works: search the catalog below.")
        return
    if not resolution.items:
        st.info("Spotify has no top tracks for you in this time range yet; try a longer one.")
        return
    st.write(plain(resolution.report("top tracks")))
    choice = _policy(resolution)
    st.caption(plain(choice.coverage()))
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
    if not choice.seed_ids:
        st.warning("None of these tracks could be profiled; pick tracks by search below.")
        return
    source = state.seed_source()
    if source in (None, "Spotify top tracks"):
        # Follow the chosen time range until the listener picks seeds another way.
        if state.seed_ids() != choice.seed_ids:
            _use_top_tracks(choice)
            # Once per login or time range: rerun so the sidebar shows the new seeds too.
            st.rerun()
    else:
        st.button(
            f"Use these {len(choice.seed_ids)} tracks as seeds",
            key=state.USE_TOP_TRACKS,
            on_click=_use_top_tracks,
            args=(choice,),
        )


def picked_seeds(catalog: Catalog) -> None:
    """The current seeds, each removable, and the way on to the recommendations."""
    st.divider()
    seed_ids = state.seed_ids()
    if not seed_ids:
        guest.picked_seeds(catalog)
        return
    listed, sound = st.columns([3, 2], gap="large")
    with listed:
        guest.picked_seeds(catalog)
        guest.recommendations_button(key=state.GET_RECOMMENDATIONS_BELOW)
    with sound:
        render.seeds_sound(catalog, seed_ids, state.seed_profiles())


def _use_playlist(services: Services, playlist_id: str, name: str) -> None:
    """on_click: the playlist's tracks, resolved like the top tracks, become the seeds."""
    found = login.playlist_tracks(playlist_id)
    if found is None:  # the problem was shown; the seeds stay as they were
        return
    resolution = login.resolve(found.tracks, services.catalog)
    state.put(state.PLAYLIST_PICK, (playlist_id, name, resolution, found.skipped_text))
    choice = _policy(resolution)
    state.set_seeds(choice.seed_ids, source="Spotify playlist", profiles=choice.profiles)


def playlist_seeds(services: Services) -> None:
    """One of the listener's own playlists as the seeds, with the coverage line."""
    st.subheader("Or one of your playlists")
    owned = login.playlists()
    if owned is None:
        return
    usable = [p for p in owned if p.n_items > 0]
    if not usable:
        st.caption("You own no playlist with tracks yet.")
        return
    names = {p.playlist_id: p.name for p in usable}
    chosen = st.selectbox(
        "Playlist",
        list(names),
        format_func=lambda playlist_id: plain(names[playlist_id]),
        **state.bind(state.PLAYLIST_CHOICE, usable[0].playlist_id),
    )
    st.button(
        "Use this playlist as seeds",
        key=state.USE_PLAYLIST,
        on_click=_use_playlist,
        args=(services, chosen, names.get(chosen, "")),
    )
    picked = state.peek(state.PLAYLIST_PICK)
    if picked is None or state.seed_source() != "Spotify playlist":
        return
    _, name, resolution, skipped = picked
    st.write(plain(resolution.report(f"tracks of “{name}”")))
    if skipped:
        st.caption(plain(skipped))
    for warning in resolution.warnings:
        st.warning(plain(warning))
    if not resolution.seed_ids:
        st.warning("None of this playlist's tracks could be profiled; pick tracks by search.")
