"""Save the shown recommendations as a Spotify playlist (logged in) or explain the alternative."""

from __future__ import annotations

from typing import Final

import polars as pl
import streamlit as st

from recommender.present.listing import default_playlist_name
from recommender.spotify.library import SavedPlaylist, save_playlist
from recommender.spotify.problems import SpotifyProblem
from ui import login, state
from ui.plain import link, plain
from ui.state import LoggedOut, SaveOutcome

DESCRIPTION: Final = "Made with the track recommender from seeds you picked."


def _save(track_ids: list[str]) -> None:
    session = login.spotify_session()
    if session is None:
        state.put(state.SAVED_PLAYLIST, LoggedOut())
        return
    name = state.get(state.PLAYLIST_NAME, "") or default_playlist_name()
    public = bool(state.get(state.PLAYLIST_PUBLIC, False))
    try:
        with st.spinner(f"Saving {len(track_ids)} tracks to Spotify…"):
            saved = save_playlist(session, name, track_ids, public=public, description=DESCRIPTION)
    except SpotifyProblem as problem:
        state.put(state.SAVED_PLAYLIST, problem)
        return
    state.put(state.SAVED_PLAYLIST, saved)


def save_section(table: pl.DataFrame) -> None:
    """Name, visibility and Save for a logged-in listener; for a guest, why it needs login."""
    st.subheader("Save as a playlist")
    if login.spotify_session() is None:
        st.info(
            "Saving a playlist needs a Spotify login (the playlist is created in your account). "
            "Log in on Home, or download the list as CSV below."
        )
        return
    name_col, public_col = st.columns([3, 1], vertical_alignment="bottom")
    name_col.text_input(
        "Playlist name",
        max_chars=100,
        **state.bind(state.PLAYLIST_NAME, default_playlist_name()),
    )
    public_col.toggle("Public", **state.bind(state.PLAYLIST_PUBLIC, False))
    track_ids = table["track_id"].to_list()
    # An on_click callback runs before the rerun, so a double click cannot save twice
    # concurrently, and the resumable save makes a repeated click with the same list a no-op.
    st.button(
        f"Save {len(track_ids)} tracks to Spotify",
        key=state.SAVE_PLAYLIST,
        type="primary",
        on_click=_save,
        args=(track_ids,),
    )
    outcome: SaveOutcome | None = state.peek(state.SAVED_PLAYLIST)
    if isinstance(outcome, SpotifyProblem):
        login.show_problem(outcome)
        st.caption("Press Save again to continue where it stopped; nothing is added twice.")
    elif isinstance(outcome, LoggedOut):
        st.error(plain(outcome.message))
    elif isinstance(outcome, SavedPlaylist):
        st.success(f'Saved "{plain(outcome.name)}" with {outcome.n_tracks:d} tracks.')
        url = outcome.url
        # The address comes from Spotify's answer: linked only when it is plain http(s).
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            st.markdown(link("Open the playlist in Spotify ↗", url))
