"""What the app reads from a Spotify library, and the resumable, never-duplicating playlist save.

Every request goes through :meth:`SpotifySession.call`, so the retry and error policy of
``session.py`` applies to each of them.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from recommender.domain import Track, parse_track_id, track_uri
from recommender.spotify.problems import SpotifyProblem
from recommender.spotify.session import SAVE_KEY, SpotifySession

TimeRange = Literal["short_term", "medium_term", "long_term"]
TIME_RANGES: Final[dict[str, str]] = {
    "short_term": "about the last 4 weeks",
    "medium_term": "about the last 6 months",
    "long_term": "about the last year",
}
TOP_TRACKS_MAX: Final = 50
SEARCH_LIMIT_MAX: Final = 10  # Development-Mode apps get 400 above 10
ITEMS_PER_REQUEST: Final = 100
PAGE_SIZE: Final = 50


@dataclass(frozen=True, slots=True)
class SpotifyUser:
    """The logged-in account as ``GET /me`` describes it."""

    user_id: str
    display_name: str
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlaylistSummary:
    """One playlist of the user's library (``n_items`` counts tracks, episodes and local files)."""

    playlist_id: str
    name: str
    owner_id: str
    n_items: int
    url: str | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class PlaylistTracks:
    """The usable tracks of a playlist and what was skipped."""

    tracks: list[Track]
    skipped_local: int = 0
    skipped_episodes: int = 0
    skipped_unavailable: int = 0

    @property
    def skipped_text(self) -> str:
        """E.g. "skipped 2 local files, 1 podcast episode" or ""."""
        parts = [
            _plural(self.skipped_local, "local file"),
            _plural(self.skipped_episodes, "podcast episode"),
            _plural(self.skipped_unavailable, "unavailable item"),
        ]
        shown = [p for p in parts if p]
        return "skipped " + ", ".join(shown) if shown else ""


@dataclass(frozen=True, slots=True)
class SavedPlaylist:
    """Outcome of :func:`save_playlist`; ``added`` counts URIs sent in this call."""

    playlist_id: str
    url: str
    name: str
    n_tracks: int
    added: int
    resumed: bool


def _plural(n: int, noun: str) -> str:
    if n == 0:
        return ""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- reads ---------------------------------------------------------------------------------
def _track(obj: dict[str, Any] | None) -> Track | None:
    if not obj or not obj.get("id") or obj.get("is_local") or obj.get("type", "track") != "track":
        return None
    return Track(
        track_id=obj["id"],
        name=obj.get("name") or "",
        artists=tuple(a.get("name") or "" for a in obj.get("artists") or []),
        album=(obj.get("album") or {}).get("name"),
        duration_ms=obj.get("duration_ms"),
    )


def current_user(session: SpotifySession) -> SpotifyUser:
    """The logged-in account (``GET /me``)."""
    data = session.call(lambda c: c.current_user(), read=True)
    return SpotifyUser(
        user_id=data["id"],
        display_name=data.get("display_name") or data["id"],
        account_id=data.get("account_id"),
    )


def top_tracks(
    session: SpotifySession, time_range: TimeRange = "medium_term", *, limit: int = TOP_TRACKS_MAX
) -> list[Track]:
    """The user's top tracks for one time range, best first (at most 50).

    Raises:
        ValueError: for an unknown ``time_range`` or a ``limit`` outside 1-50.
    """
    if time_range not in TIME_RANGES:
        msg = f"time_range must be one of {sorted(TIME_RANGES)}, got {time_range!r}"
        raise ValueError(msg)
    if not 1 <= limit <= TOP_TRACKS_MAX:
        msg = f"limit must be between 1 and {TOP_TRACKS_MAX}, got {limit}"
        raise ValueError(msg)
    data = session.call(
        lambda c: c.current_user_top_tracks(limit=limit, offset=0, time_range=time_range),
        read=True,
    )
    return [t for t in map(_track, data.get("items") or []) if t is not None]


def user_playlists(session: SpotifySession, *, owned_only: bool = True) -> list[PlaylistSummary]:
    """The user's playlists; by default only those they own (others' items answer 403)."""
    me = current_user(session).user_id if owned_only else None
    found = []
    for p in session.pages(lambda c: c.current_user_playlists(limit=PAGE_SIZE, offset=0)):
        owner = (p.get("owner") or {}).get("id") or ""
        if me is not None and owner != me and not p.get("collaborative"):
            continue
        # 2026 renamed the summary from "tracks" to "items"; older answers still use "tracks".
        summary = p.get("items") or p.get("tracks") or {}
        found.append(
            PlaylistSummary(
                playlist_id=p["id"],
                name=p.get("name") or "",
                owner_id=owner,
                n_items=int(summary.get("total") or 0),
                url=(p.get("external_urls") or {}).get("spotify"),
                description=p.get("description") or "",
            )
        )
    return found


def playlist_tracks(session: SpotifySession, playlist_id: str) -> PlaylistTracks:
    """A playlist's tracks (``GET /playlists/{id}/items``); local files and episodes are skipped."""
    tracks: list[Track] = []
    local = episodes = unavailable = 0
    for entry in session.pages(lambda c: c.playlist_items(playlist_id, limit=PAGE_SIZE, offset=0)):
        # 2026 answers carry the object under "item"; older ones under "track".
        obj = entry.get("item") or entry.get("track")
        if obj is None:
            unavailable += 1
        elif entry.get("is_local") or obj.get("is_local"):
            local += 1
        elif obj.get("type") == "episode":
            episodes += 1
        elif (track := _track(obj)) is not None:
            tracks.append(track)
        else:
            unavailable += 1
    return PlaylistTracks(tracks, local, episodes, unavailable)


def search_tracks(
    session: SpotifySession, query: str, *, limit: int = SEARCH_LIMIT_MAX
) -> list[Track]:
    """Spotify's track search (Development-Mode apps get at most 10 results).

    Raises:
        ValueError: for an empty query or a ``limit`` outside 1-10.
    """
    if not query.strip():
        msg = "search query is empty"
        raise ValueError(msg)
    if not 1 <= limit <= SEARCH_LIMIT_MAX:
        msg = f"limit must be between 1 and {SEARCH_LIMIT_MAX}, got {limit}"
        raise ValueError(msg)
    data = session.call(lambda c: c.search(query, limit=limit, type="track"), read=True)
    items = (data.get("tracks") or {}).get("items") or []
    return [t for t in map(_track, items) if t is not None]


def track(session: SpotifySession, track_id: str) -> Track:
    """One track by id, URI or link (``GET /tracks/{id}``; the several-tracks call is gone)."""
    tid = parse_track_id(track_id)
    found = _track(session.call(lambda c: c.track(tid), read=True))
    if found is None:
        msg = f"Spotify returned no playable track for {track_id!r}"
        raise ValueError(msg)
    return found


# -- saving --------------------------------------------------------------------------------
@dataclass(slots=True)
class SaveIntent:
    """A playlist save in progress, kept in the session store before the first request.

    ``ref`` is written into the description so the playlist can be found again when the
    answer to its creation was lost; ``create_sent`` says the create request went out.
    """

    ref: str
    name: str
    public: bool
    uris: list[str]
    description: str
    playlist_id: str | None = None
    url: str | None = None
    create_sent: bool = False
    done: bool = False


def _intent_for(
    store: MutableMapping[str, Any], name: str, uris: list[str], public: bool, description: str
) -> tuple[SaveIntent, bool]:
    intent = store.get(SAVE_KEY)
    if isinstance(intent, SaveIntent) and (intent.name, intent.uris, intent.public) == (
        name,
        uris,
        public,
    ):
        return intent, True
    ref = secrets.token_hex(4)
    fresh = SaveIntent(
        ref=ref,
        name=name,
        public=public,
        uris=uris,
        # The ref finds the playlist again when its creation answer was lost.
        description=f"{description or 'Made with the track recommender'} (ref {ref})",
    )
    return fresh, False


def _find_created(session: SpotifySession, intent: SaveIntent) -> dict[str, Any] | None:
    marker = f"(ref {intent.ref})"
    for p in session.pages(lambda c: c.current_user_playlists(limit=PAGE_SIZE, offset=0)):
        if marker in (p.get("description") or "") and p.get("name") == intent.name:
            return p
    return None


def _present_uris(session: SpotifySession, playlist_id: str) -> set[str]:
    present = set()
    for entry in session.pages(lambda c: c.playlist_items(playlist_id, limit=PAGE_SIZE, offset=0)):
        obj = entry.get("item") or entry.get("track") or {}
        if obj.get("uri"):
            present.add(obj["uri"])
    return present


def save_playlist(
    session: SpotifySession,
    name: str,
    tracks: Sequence[str],
    *,
    public: bool = False,
    description: str = "",
) -> SavedPlaylist:
    """Save ``tracks`` (ids, URIs or links) as a new playlist; safe to call again after a failure.

    The intent (name, visibility, URIs) is written to the session store before the first
    request. ``POST /me/playlists`` is sent at most once per intent; if its answer was lost,
    the next call finds the playlist by the ref in its description instead of creating
    another. Items go in chunks of at most 100; a resumed save reads the playlist back and
    adds only what is missing, so nothing is ever added twice.

    Raises:
        ValueError: for an empty name or track list, or a value that is not a track.
        SpotifyProblem: when Spotify fails; calling again with the same arguments resumes.
    """
    if not name.strip():
        msg = "playlist name is empty"
        raise ValueError(msg)
    uris = list(dict.fromkeys(track_uri(parse_track_id(t)) for t in tracks))
    if not uris:
        msg = "no tracks to save"
        raise ValueError(msg)
    intent, resumed = _intent_for(session.store, name.strip(), uris, public, description)
    session.store[SAVE_KEY] = intent
    if intent.done:
        return _saved(intent, added=0, resumed=True)
    present: set[str] = set()
    if intent.playlist_id is None and intent.create_sent:
        found = _find_created(session, intent)
        if found is not None:
            present = _present_uris(session, _record_playlist(session, intent, found))
    elif intent.playlist_id is not None:
        try:
            present = _present_uris(session, intent.playlist_id)
        except SpotifyProblem as problem:
            if problem.kind != "not_found":
                raise
            # The half-saved playlist was deleted meanwhile: start over with a new one.
            intent, resumed = _intent_for({}, intent.name, uris, public, description)
            session.store[SAVE_KEY] = intent
    if intent.playlist_id is None:
        intent.create_sent = True
        session.store[SAVE_KEY] = intent
        created = session.call(
            lambda c: c.current_user_playlist_create(
                intent.name, public=public, description=intent.description
            ),
            read=False,
        )
        playlist_id = _record_playlist(session, intent, created)
    else:
        playlist_id = intent.playlist_id
    missing = [u for u in uris if u not in present]
    for start in range(0, len(missing), ITEMS_PER_REQUEST):
        chunk = missing[start : start + ITEMS_PER_REQUEST]
        session.call(
            functools.partial(_add_items, playlist_id=playlist_id, chunk=chunk), read=False
        )
    intent.done = True
    session.store[SAVE_KEY] = intent
    return _saved(intent, added=len(missing), resumed=resumed)


def _add_items(client: Any, *, playlist_id: str, chunk: list[str]) -> object:
    """``POST /playlists/{id}/items`` with at most 100 URIs."""
    return client.playlist_add_items(playlist_id, chunk)


def _record_playlist(session: SpotifySession, intent: SaveIntent, playlist: dict[str, Any]) -> str:
    """Keep the created playlist's id and link in the intent; returns the id."""
    playlist_id: str = playlist["id"]
    intent.playlist_id = playlist_id
    intent.url = (playlist.get("external_urls") or {}).get(
        "spotify", f"https://open.spotify.com/playlist/{playlist_id}"
    )
    session.store[SAVE_KEY] = intent
    return playlist_id


def _saved(intent: SaveIntent, *, added: int, resumed: bool) -> SavedPlaylist:
    if intent.playlist_id is None or intent.url is None:
        msg = f"the save of {intent.name!r} is marked done but names no playlist"
        raise RuntimeError(msg)
    return SavedPlaylist(
        playlist_id=intent.playlist_id,
        url=intent.url,
        name=intent.name,
        n_tracks=len(intent.uris),
        added=added,
        resumed=resumed,
    )
