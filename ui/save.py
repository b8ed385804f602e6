"""Take the shown list to Spotify: a playlist (logged in), or links and a CSV for anyone.

Most visitors are guests (a development-mode Spotify app admits 5 listed users), so the
routes that need no login come for everyone: the track links for a playlist in Spotify's
desktop app, and a CSV with Exportify's columns for playlist-transfer services.
"""

from __future__ import annotations

import json
from typing import Final

import polars as pl
import streamlit as st
import streamlit.components.v1 as components

from recommender.domain import Catalog
from recommender.present.export import spotify_track_links
from recommender.present.listing import default_playlist_name
from recommender.spotify.library import SavedPlaylist, save_playlist
from recommender.spotify.problems import SpotifyProblem
from ui import login, state
from ui.plain import link, plain
from ui.state import LoggedOut, SaveOutcome

DESCRIPTION: Final = "Made with the track recommender from seeds you picked."
# Without a configured login the listener's own app is the one way to save into an account.
OWN_APP_HINT: Final = (
    "To save it straight into a playlist in your account: “Use your own Spotify app” on Home "
    "logs you in with an app you register yourself (Spotify requires its owner to have Premium)."
)


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


PASTE_HINT: Final = (
    "Paste them into a playlist in the Spotify desktop app (Ctrl+V, or Cmd+V on a Mac): "
    "each line becomes a track. The web player does not take pasted links."
)


def _copy_button(links: list[str]) -> None:
    """A button that puts ``links`` on the clipboard, one per line, and says how many.

    It runs in a component iframe (Streamlit's own buttons cannot write the clipboard). The
    page text goes in as JSON of plain open.spotify.com links built from checked ids only.
    """
    count = len(links)
    label = f"Copy {count} track link{'s' if count != 1 else ''} for Spotify"
    html = f"""
<style>
  /* The app's dark theme (.streamlit/config.toml): a component iframe does not inherit it. */
  body {{ margin: 0; font-family: "Source Sans Pro", sans-serif; color: #F5F5F5; }}
  #copy {{ font: inherit; font-size: 16px; padding: 6px 14px; cursor: pointer; color: #F5F5F5;
    background: #121212; border: 1px solid rgba(245, 245, 245, 0.25); border-radius: 8px; }}
  #copy:hover {{ border-color: #1DB954; color: #1DB954; }}
  #done {{ font-size: 14px; margin-left: 10px; }}
</style>
<button id="copy" type="button">{label}</button>
<span id="done" role="status"></span>
<script>
const links = {json.dumps(chr(10).join(links))};
const done = document.getElementById("done");
document.getElementById("copy").addEventListener("click", async () => {{
  try {{
    await navigator.clipboard.writeText(links);
    done.textContent = "Copied {count} link{"s" if count != 1 else ""}.";
  }} catch (error) {{
    done.textContent = "This browser refused the clipboard: copy them from the box below.";
  }}
}});
</script>"""
    components.html(html, height=44)


def take_to_spotify(table: pl.DataFrame, catalog: Catalog) -> None:
    """Every route that takes the list to Spotify: save (logged in), links and CSV (anyone)."""
    st.subheader("Take the list to Spotify")
    if login.spotify_session() is not None:
        save_section(table)
    elif login.login_url() is not None:
        st.caption("Log in on Home to save it straight into a playlist in your account.")
    else:
        st.caption(OWN_APP_HINT)
    links = spotify_track_links(table["track_id"].to_list(), synthetic=catalog.synthetic)
    if not links:
        st.caption("Demo tracks do not exist on Spotify: there is nothing to take there.")
        return
    st.markdown("**Into a playlist in the Spotify app**, logged in here or not:")
    _copy_button(links)
    st.caption(PASTE_HINT)
    with st.expander(f"The {len(links)} links, to copy by hand"):
        st.code("\n".join(links), language=None)


def save_section(table: pl.DataFrame) -> None:
    """Name, visibility and Save for a logged-in listener (nothing for anyone else)."""
    if login.spotify_session() is None:
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
