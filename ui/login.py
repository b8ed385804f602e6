"""Spotify login glue: session-only token store, login link, OAuth callback, logout.

Tokens live only in ``st.session_state`` (via :class:`SessionTokenStore`); the global objects
are the registry of used OAuth states (nonces) and the lists carried across a login (track
ids and settings under a nonce), never tokens.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

import streamlit as st

from recommender.domain import Catalog, Track
from recommender.seeds.resolve import CatalogIndex, Resolution, online_source, resolve_features
from recommender.settings import Settings
from recommender.spotify import library as spotify
from recommender.spotify.library import SavedPlaylist, current_user
from recommender.spotify.oauth_state import (
    PKCE_KEY_PREFIX,
    STATE_TTL_SECONDS,
    CarryStore,
    StateError,
    StateRegistry,
    carry_store,
    issue_state,
    nonce_of,
    oauth_error_message,
    state_registry,
    verify_state,
)
from recommender.spotify.problems import SpotifyProblem
from recommender.spotify.session import OwnApp, SpotifySession, new_verifier
from ui import address, state
from ui.loaders import get_settings
from ui.plain import anchor, plain
from ui.state import SessionTokenStore

CALLBACK_PARAMS: Final = ("code", "state", "error", "error_description")
LOGIN_LABEL: Final = "Log in with Spotify"
_ANCHOR_STYLE: Final = (
    "display:inline-block;padding:0.45rem 1.1rem;border-radius:999px;background:#1DB954;"
    "color:#121212;font-weight:600;text-decoration:none;"
)


def settings() -> Settings:
    """Settings from the environment first, then ``st.secrets`` (AppTest's are not in env)."""
    return get_settings()


@st.cache_resource
def used_states(redis_url: str | None) -> StateRegistry:
    """The registry of consumed OAuth states (nonces only): Redis when configured, else in-process.

    Keyed by the URL so a changed setting gets its own registry, never a stale one.
    """
    return state_registry(redis_url)


CLIENT_ID_PATTERN: Final = re.compile(r"^[0-9a-fA-F]{32}$")


def own_app() -> OwnApp | None:
    """The listener's own Spotify app when they logged in with one (PKCE), else None."""
    found = state.peek(state.OWN_APP)
    return OwnApp(found["client_id"], found["redirect_uri"]) if found else None


def _session(config: Settings) -> SpotifySession:
    app = own_app()
    if app is not None:
        return SpotifySession(config, SessionTokenStore(), own_app=app)
    return SpotifySession(config, SessionTokenStore())


def spotify_session() -> SpotifySession | None:
    """The logged-in listener's Spotify session, or None (guest, or no login here)."""
    config = settings()
    if own_app() is None and not config.spotify_configured:
        return None
    session = _session(config)
    return session if session.logged_in else None


@st.cache_resource
def _process_secret() -> bytes:
    """Signs own-app states where no RECOMMENDER_STATE_SECRET is set (one process only)."""
    return secrets.token_bytes(32)


def state_secret(config: Settings) -> bytes:
    """The key that signs OAuth states: the configured one, else this process's own."""
    return config.state_secret or _process_secret()


@st.cache_resource
def pkce_waiting(redis_url: str | None) -> CarryStore:
    """Own-app logins on their way: verifier and client id under the state's nonce, once."""
    return carry_store(redis_url, prefix=PKCE_KEY_PREFIX)


def own_redirect_uri(config: Settings) -> str:
    """The redirect URI a listener adds to their own app: this app's own address."""
    if config.redirect_uri:
        return config.redirect_uri
    try:
        parts = urlsplit(st.context.url or "")
    except (AttributeError, RuntimeError):
        parts = urlsplit("")
    return f"{parts.scheme}://{parts.netloc}/" if parts.netloc else "http://127.0.0.1:8501/"


def own_login_url(client_id: str) -> str:
    """The consent URL for the listener's own app (PKCE S256); the verifier stays here."""
    config = settings()
    app = OwnApp(client_id=client_id, redirect_uri=own_redirect_uri(config))
    oauth_state = issue_state(state_secret(config))
    nonce = nonce_of(oauth_state) or ""
    verifier = new_verifier()
    expires = time.time() + STATE_TTL_SECONDS
    waiting = {"verifier": verifier, "client_id": app.client_id, "redirect_uri": app.redirect_uri}
    pkce_waiting(config.redis_url).put(nonce, json.dumps(waiting), expires_at=expires)
    query = address.session_query()
    if query:
        carried_lists(config.redis_url).put(nonce, query, expires_at=expires)
    return SpotifySession(config, {}, own_app=app).authorize_url(oauth_state, verifier=verifier)


def user_name() -> str | None:
    """Display name of the logged-in listener, as read at login."""
    user = state.peek(state.SPOTIFY_USER)
    return user["display_name"] if user and spotify_session() is not None else None


@st.cache_resource
def carried_lists(redis_url: str | None) -> CarryStore:
    """Lists kept under a login's state nonce until Spotify sends the listener back (ids and
    settings only): Redis when configured, else in-process."""
    return carry_store(redis_url)


def login_url() -> str | None:
    """A fresh consent-page URL (signed, expiring state), or None when not configured.

    The session's list goes with it, kept on the server under the state's nonce (the login
    comes back in a new session, and Spotify's redirect must not carry it).
    """
    config = settings()
    if not config.spotify_configured or not config.state_secret:
        return None
    oauth_state = issue_state(config.state_secret)
    query = address.session_query()
    nonce = nonce_of(oauth_state)
    if query and nonce:
        carried_lists(config.redis_url).put(
            nonce, query, expires_at=time.time() + STATE_TTL_SECONDS
        )
    return SpotifySession(config, SessionTokenStore()).authorize_url(oauth_state)


def login_link(label: str = LOGIN_LABEL) -> bool:
    """Draw the login anchor (same tab, ``target="_top"``); False when Spotify is not configured.

    ``st.link_button`` always opens a new tab, and inside Community Cloud's iframe only
    ``_top`` may navigate to Spotify's consent page.
    """
    url = login_url()
    if url is None:
        return False
    st.markdown(anchor(url, label, style=_ANCHOR_STYLE), unsafe_allow_html=True)
    return True


def _login_failed(message: str) -> None:
    st.error(f"Spotify login failed. {plain(message)}")
    login_link("Try logging in again")


def handle_oauth_callback() -> None:
    """Consume ``?code&state`` (or ``?error``) from Spotify; call before ``st.navigation``.

    The parameters leave the URL at once so a rerun or refresh cannot reuse them. A wrong,
    expired or replayed state is refused before any token request.
    """
    params = st.query_params
    if not any(name in params for name in CALLBACK_PARAMS):
        return
    code, oauth_state = params.get("code"), params.get("state")
    error = params.get("error")
    for name in CALLBACK_PARAMS:
        if name in params:
            del params[name]
    config = settings()
    if error:
        # Before any state check: the message never echoes what the address carried.
        _login_failed(oauth_error_message(error))
        return
    try:
        verify_state(oauth_state, state_secret(config), used=used_states(config.redis_url))
    except StateError as refused:
        _login_failed(str(refused))
        return
    nonce = nonce_of(oauth_state or "") or ""
    # The list the listener had when they left for Spotify: the entrypoint applies it next.
    carried = carried_lists(config.redis_url).take(nonce)
    if carried:
        address.restore(carried)
    waiting = pkce_waiting(config.redis_url).take(nonce)
    if waiting is None and not config.spotify_configured:
        st.warning("Spotify login is not configured on this server; continuing as a guest.")
        return
    if not code:
        _login_failed("Spotify's answer carried no authorization code.")
        return
    verifier = None
    if waiting is not None:
        own = json.loads(waiting)
        state.put(
            state.OWN_APP,
            {"client_id": own["client_id"], "redirect_uri": own["redirect_uri"]},
        )
        verifier = own["verifier"]
    session = _session(config)
    try:
        session.complete_login(code, verifier=verifier)
        user = current_user(session)
    except SpotifyProblem as problem:
        session.logout()
        state.drop(state.OWN_APP)
        _login_failed(f"{problem.message} {problem.next_step}")
        return
    state.put(state.SPOTIFY_USER, {"user_id": user.user_id, "display_name": user.display_name})


def logout() -> None:
    """Forget the token and everything read from Spotify in this session."""
    store = SessionTokenStore()
    for key in list(store):
        del store[key]
    state.drop(state.SPOTIFY_USER)


def show_problem(problem: SpotifyProblem) -> None:
    """Render a Spotify failure: what happened, what to do, and a login link if needed."""
    st.error(plain(problem.message))
    st.caption(plain(problem.next_step))
    if problem.needs_login:
        state.drop(state.SPOTIFY_USER)
        login_link()


def account_sidebar() -> None:
    """Sidebar block: who is logged in and Log out, or the login link, or guest mode."""
    with st.sidebar:
        if spotify_session() is not None:
            st.markdown(f"Logged in to Spotify as **{plain(user_name() or 'you')}**")
            st.button("Log out", key=state.SPOTIFY_LOGOUT, on_click=logout)
        elif not login_link():
            st.caption("Spotify login is not configured here; guest mode.")


def top_tracks(time_range: spotify.TimeRange) -> list[Track] | None:
    """The listener's top tracks for a range, read once per session; None after a shown problem."""
    found = _kept(f"top:{time_range}", lambda s: spotify.top_tracks(s, time_range))
    return None if found is None else list(found)


def playlists() -> list[spotify.PlaylistSummary] | None:
    """The listener's own playlists, read once per session; None after a shown problem."""
    return _kept("playlists", spotify.user_playlists)


def playlist_tracks(playlist_id: str) -> spotify.PlaylistTracks | None:
    """One own playlist's tracks (local files and episodes skipped and counted)."""
    return _kept(f"playlist:{playlist_id}", lambda s: spotify.playlist_tracks(s, playlist_id))


def _kept(key: str, read: Callable[[SpotifySession], Any]) -> Any:
    session = spotify_session()
    if session is None:
        return None
    store = SessionTokenStore()
    if key not in store:
        try:
            store[key] = read(session)
        except SpotifyProblem as problem:
            show_problem(problem)
            return None
    return store[key]


def resolve(tracks: list[Track], catalog: Catalog) -> Resolution:
    """Features for Spotify tracks: catalog first, then the configured online source."""
    return resolve_features(
        tracks, catalog, online=online_source(settings()), index=catalog_index(catalog)
    )


def save_playlist(name: str, track_ids: list[str], *, public: bool) -> SavedPlaylist | None:
    """Save (or resume saving) a playlist; shows the problem and returns None on failure."""
    session = spotify_session()
    if session is None:
        login_link()
        return None
    try:
        return spotify.save_playlist(session, name, track_ids, public=public)
    except SpotifyProblem as problem:
        show_problem(problem)
        return None


@st.cache_resource(show_spinner=False)
def _index(_catalog: Catalog, fingerprint: str) -> CatalogIndex:
    return CatalogIndex.build(_catalog)


def catalog_index(catalog: Catalog) -> CatalogIndex:
    """Feature-resolution lookups for the shared catalog (catalog-derived, safe to share)."""
    return _index(catalog, catalog.fingerprint)


def forget_own_app() -> None:
    """on_click of "Forget my app": log out and drop the client id from the session."""
    logout()
    state.drop(state.OWN_APP)
    state.drop(state.OWN_APP_CLIENT)


def own_app_panel() -> None:
    """Log in with an app the listener registered themselves (PKCE: a client id, no secret)."""
    app = own_app()
    if app is not None and spotify_session() is not None:
        st.caption("Logged in with your own Spotify app.")
        st.button("Forget my app", key=state.FORGET_OWN_APP, on_click=forget_own_app)
        return
    # Open while a client id is typed in: the rerun that draws the login link keeps it shown.
    typed_before = bool(state.get(state.OWN_APP_CLIENT, ""))
    with st.expander("Use your own Spotify app", expanded=typed_before):
        st.caption(
            "This server's Spotify app admits only the listeners its owner listed. You can "
            "register your own in a few minutes at developer.spotify.com (Spotify requires "
            "the app's owner to have Premium), add exactly this redirect URI to it, and paste "
            "its client id below. No secret is needed: the login uses PKCE."
        )
        st.code(own_redirect_uri(settings()), language=None)
        typed = st.text_input("Client id of your app", key=state.OWN_APP_CLIENT, max_chars=40)
        client_id = (typed or "").strip()
        if not client_id:
            return
        if not CLIENT_ID_PATTERN.fullmatch(client_id):
            st.warning("A Spotify client id is 32 characters: the digits 0-9 and letters a-f.")
            return
        st.markdown(
            anchor(own_login_url(client_id), "Log in with your app", style=_ANCHOR_STYLE),
            unsafe_allow_html=True,
        )
