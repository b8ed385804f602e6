"""Save the shown recommendations as a Spotify playlist (logged in) or explain the alternative."""

from __future__ import annotations

import polars as pl
import streamlit as st

from ui import render, state


def save_section(table: pl.DataFrame) -> None:
    """Name, visibility and Save for a logged-in listener; for a guest, why it needs login."""
    st.subheader("Save as a playlist")
    session = spotify_session()
    if session is None:
        st.info(
            "Saving a playlist needs a Spotify login (the playlist is created in your account). "
            "Log in on Home, or download the list as CSV below."
        )
        return
    st.text_input("Playlist name", **state.bind("playlist_name", render.default_playlist_name()))
    st.toggle("Public playlist", **state.bind("playlist_public", False))


def spotify_session():
    """The logged-in listener's Spotify session, or None for a guest."""
    return None
