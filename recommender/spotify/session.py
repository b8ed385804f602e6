"""Spotify adapter: the only module that imports spotipy.

Per-session login (tokens live in a mapping the caller owns, never in a file or a global),
the reads the app needs (profile, top tracks, own playlists and their items), a resumable
playlist save that never duplicates, and one mapping from every failure to a
:class:`SpotifyProblem` with a plain message and a next step.

Only endpoints that Development-Mode apps still have are called: ``GET me/``,
``me/top/tracks``, ``GET|POST me/playlists``, ``GET|POST playlists/{id}/items``, ``search``
and ``tracks/{id}``. Audio features come from the catalog (see ``resolve.py``).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import requests
import spotipy
from spotipy.cache_handler import CacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError
from spotipy.oauth2 import SpotifyOAuth

from recommender.domain import Track, parse_track_id, track_uri
from recommender.settings import Settings

logger = logging.getLogger(__name__)
# spotipy logs request headers and token-endpoint bodies (codes, refresh tokens) at DEBUG;
# keep them out of any log even when the app runs with DEBUG logging.
logging.getLogger("spotipy").setLevel(logging.INFO)

SCOPES: Final = (
    "user-top-read",
    "playlist-read-private",
    "playlist-modify-private",
    "playlist-modify-public",
)
TOKEN_KEY: Final = "spotify_token_info"
SAVE_KEY: Final = "spotify_pending_save"
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
MAX_RETRY_AFTER: Final = 10.0
QUOTA_EXCEEDED: Final = "QUOTA_EXCEEDED"

ProblemKind = Literal[
    "login", "allow_list", "forbidden", "not_found", "rate_limited", "quota", "unavailable",
    "rejected",
]  # fmt: skip

_T = TypeVar("_T")

_ALLOW_LIST_STEP: Final = (
    "Ask the app owner to add the e-mail address of your Spotify account under User "
    "Management in the Spotify Developer Dashboard, or keep using the app as a guest."
)


class SpotifyProblem(Exception):  # noqa: N818 - the name is the agreed contract
    """A Spotify failure said plainly: ``message`` (what happened) and ``next_step`` (what to do).

    ``kind`` groups failures for the UI (``login`` means the token is gone and the user must
    log in again); ``retry_after`` is the wait Spotify asked for, in seconds, when known.
    """

    def __init__(
        self,
        message: str,
        next_step: str,
        status: int | None = None,
        *,
        kind: ProblemKind,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{message} {next_step}")
        self.message = message
        self.next_step = next_step
        self.status = status
        self.kind: ProblemKind = kind
        self.retry_after = retry_after

    @property
    def needs_login(self) -> bool:
        """True when the only way forward is logging in again."""
        return self.kind == "login"


def _login_problem(message: str) -> SpotifyProblem:
    return SpotifyProblem(message, "Log in with Spotify again.", 401, kind="login")


class MappingCacheHandler(CacheHandler):
    """spotipy cache handler over a mapping the caller owns (the UI passes the session state).

    Replaces spotipy's default ``.cache`` file, which one server process would share between
    every visitor.
    """

    def __init__(self, store: MutableMapping[str, Any], key: str = TOKEN_KEY) -> None:
        self.store = store
        self.key = key

    def get_cached_token(self) -> dict[str, Any] | None:
        """Return a copy of the stored token info, or None before login."""
        token = self.store.get(self.key)
        return dict(token) if token else None

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        """Store a copy of ``token_info`` (spotipy calls this after exchange and refresh)."""
        self.store[self.key] = dict(token_info)

    def clear(self) -> None:
        """Forget the token."""
        self.store.pop(self.key, None)


class _SessionOAuth(SpotifyOAuth):
    """SpotifyOAuth pointed at ``settings.accounts_url`` that never falls back to a prompt."""

    def __init__(self, settings: Settings, cache: MappingCacheHandler, timeout: float) -> None:
        self.OAUTH_AUTHORIZE_URL = settings.accounts_url + "authorize"
        self.OAUTH_TOKEN_URL = settings.accounts_url + "api/token"
        super().__init__(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            redirect_uri=settings.redirect_uri,
            scope=list(SCOPES),
            cache_handler=cache,
            open_browser=False,
            requests_timeout=timeout,
        )

    def get_auth_response(self, open_browser: bool | None = None) -> str:
        # spotipy would open a browser, start a server on the redirect port or call input();
        # on a web server the only answer is "log in first".
        raise _login_problem("You are not logged in to Spotify.")


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


def _retry_after(error: SpotifyException) -> float | None:
    value = (error.headers or {}).get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def problem_from(error: Exception, *, writing: bool = False) -> SpotifyProblem:
    """Map a spotipy/requests failure to a :class:`SpotifyProblem` with a next step."""
    if isinstance(error, SpotifyProblem):
        return error
    again = (
        "Press Save again: it picks up where it stopped and never adds a track twice."
        if writing
        else "Try again in a moment."
    )
    if isinstance(error, SpotifyOauthError):
        if error.error == "invalid_grant":
            return _login_problem(
                "Your Spotify login has expired (Spotify ends logins after six months, or "
                "access to this app was removed)."
            )
        return _login_problem(f"Spotify refused the login ({error.error or 'unknown error'}).")
    if isinstance(error, requests.Timeout):
        return SpotifyProblem("Spotify did not answer in time.", again, kind="unavailable")
    if isinstance(error, requests.RequestException):
        return SpotifyProblem("Spotify could not be reached.", again, kind="unavailable")
    if not isinstance(error, SpotifyException):
        msg = f"not a Spotify failure: {error!r}"
        raise TypeError(msg)
    status = error.http_status
    if status == 401:
        return _login_problem("Spotify no longer accepts this login.")
    if status == 403:
        text = str(error.msg or "")
        if "registered" in text or "allow" in text.lower():
            return SpotifyProblem(
                "Your Spotify account is not on this app's allow-list. Apps in Spotify's "
                "development mode answer only the up to 5 users their owner has added.",
                _ALLOW_LIST_STEP,
                403,
                kind="allow_list",
            )
        return SpotifyProblem(
            "Spotify refused this request. This app runs in Spotify's development mode: it "
            "may only read your own playlists, and only for the up to 5 users the app owner "
            "has put on its allow-list.",
            _ALLOW_LIST_STEP,
            403,
            kind="forbidden",
        )
    if status == 404:
        return SpotifyProblem(
            "Spotify could not find this item; it may have been deleted.",
            "Reload the list and pick again.",
            404,
            kind="not_found",
        )
    if status == 429:
        if error.reason == QUOTA_EXCEEDED:
            return SpotifyProblem(
                "This app has used up its Spotify request quota (QUOTA_EXCEEDED).",
                "Try again later; the quota is shared by every user of the app. Guest mode "
                "still works.",
                429,
                kind="quota",
            )
        wait = _retry_after(error)
        when = f"in {wait:.0f} seconds" if wait is not None else "in a minute"
        return SpotifyProblem(
            "Spotify is getting too many requests from this app right now.",
            f"Try again {when}.",
            429,
            kind="rate_limited",
            retry_after=wait,
        )
    if status >= 500:
        return SpotifyProblem(
            f"Spotify is having trouble (HTTP {status}).", again, status, kind="unavailable"
        )
    detail = str(error.msg or "").split("\n")[-1].strip()
    return SpotifyProblem(
        f"Spotify rejected the request (HTTP {status}): {detail}",
        "Check the input and try again.",
        status,
        kind="rejected",
    )


class SpotifySession:
    """One listener's connection: auth manager, client and token store, never shared.

    Args:
        settings: where Spotify is (``accounts_url``, ``api_url``) and the app credentials.
        store: the per-session mapping that holds the token (and a pending playlist save).
        requests_timeout: seconds to wait for any single HTTP answer.
        read_retries: extra attempts for reads after a 5xx, a timeout or a short 429.
        sleep: how to wait (tests pass a recorder instead of sleeping).
    """

    def __init__(
        self,
        settings: Settings,
        store: MutableMapping[str, Any],
        *,
        requests_timeout: float = 10.0,
        read_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.spotify_configured:
            msg = (
                "Spotify is not configured: set SPOTIPY_CLIENT_ID, SPOTIPY_CLIENT_SECRET and "
                "SPOTIPY_REDIRECT_URI"
            )
            raise ValueError(msg)
        self.store = store
        self.cache = MappingCacheHandler(store)
        self.read_retries = read_retries
        self._sleep = sleep
        self._auth = _SessionOAuth(settings, self.cache, requests_timeout)
        # A plain session: spotipy's default one retries POSTs (a duplicate playlist) and
        # sleeps through any Retry-After; this module decides about retries itself.
        self._client = spotipy.Spotify(
            auth_manager=self._auth,
            requests_session=requests.Session(),
            requests_timeout=requests_timeout,
            retries=0,
        )
        self._client.prefix = settings.api_url

    # -- login ---------------------------------------------------------------------------
    def authorize_url(self, state: str) -> str:
        """The Spotify consent page URL carrying ``state``."""
        return self._auth.get_authorize_url(state=state)

    def complete_login(self, code: str) -> None:
        """Exchange the callback ``code`` for a token kept in the store.

        Raises:
            SpotifyProblem: ``kind="login"`` when Spotify refuses the code.
        """
        try:
            self._auth.get_access_token(code, as_dict=False, check_cache=False)
        except (SpotifyOauthError, requests.RequestException) as error:
            self.cache.clear()
            problem = problem_from(error)
            raise _login_problem(f"Logging in did not complete: {problem.message}") from error

    @property
    def logged_in(self) -> bool:
        """True while a token is stored (it may still need a refresh)."""
        return self.cache.get_cached_token() is not None

    def logout(self) -> None:
        """Forget the token and any pending save of this session."""
        self.cache.clear()
        self.store.pop(SAVE_KEY, None)

    # -- calls ---------------------------------------------------------------------------
    def _refresh(self) -> bool:
        token = self.cache.get_cached_token()
        if not token or not token.get("refresh_token"):
            return False
        self._auth.refresh_access_token(token["refresh_token"])
        return True

    def call(self, request: Callable[[spotipy.Spotify], _T], *, read: bool) -> _T:
        """Run one spotipy request with this module's retry and error policy.

        A 401 triggers one token refresh; a 429 with ``Retry-After`` of at most 10 s is
        waited out; 5xx and timeouts are retried for reads only (a write that failed may
        have happened). Everything else becomes a :class:`SpotifyProblem`.
        """
        attempt, refreshed = 0, False
        while True:
            try:
                return request(self._client)
            except SpotifyException as error:
                status = error.http_status
                if status == 401 and not refreshed:
                    refreshed = True
                    if self._guarded_refresh():
                        continue
                wait = _retry_after(error) if status == 429 else None
                if (
                    wait is not None
                    and error.reason != QUOTA_EXCEEDED
                    and wait <= MAX_RETRY_AFTER
                    and attempt < self.read_retries
                ):
                    attempt += 1
                    self._sleep(wait)
                    continue
                if read and status >= 500 and attempt < self.read_retries:
                    attempt += 1
                    self._sleep(0.5 * attempt)
                    continue
                raise self._fail(error, writing=not read) from error
            except (requests.Timeout, requests.ConnectionError) as error:
                if read and attempt < self.read_retries:
                    attempt += 1
                    self._sleep(0.5 * attempt)
                    continue
                raise self._fail(error, writing=not read) from error
            except SpotifyOauthError as error:
                raise self._fail(error, writing=not read) from error

    def _guarded_refresh(self) -> bool:
        try:
            return self._refresh()
        except (SpotifyOauthError, requests.RequestException) as error:
            raise self._fail(error, writing=False) from error

    def _fail(self, error: Exception, *, writing: bool) -> SpotifyProblem:
        problem = problem_from(error, writing=writing)
        if problem.needs_login:
            # A dead token must not linger: the next page shows the login link, not an error.
            self.cache.clear()
        logger.info("Spotify request failed: %s (%s)", problem.kind, problem.status)
        return problem

    def pages(self, first: Callable[[spotipy.Spotify], dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Yield the items of a paging object and of every ``next`` page after it."""
        page: dict[str, Any] | None = self.call(first, read=True)
        while page:
            yield from page.get("items") or []
            if not page.get("next"):
                return
            page = self.call(lambda c, current=page: c.next(current), read=True)


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
def _intent_for(
    store: MutableMapping[str, Any], name: str, uris: list[str], public: bool, description: str
) -> tuple[dict[str, Any], bool]:
    intent = store.get(SAVE_KEY)
    if intent and (intent["name"], intent["uris"], intent["public"]) == (name, uris, public):
        return intent, True
    ref = secrets.token_hex(4)
    intent = {
        "ref": ref,
        "name": name,
        "public": public,
        "uris": uris,
        # The ref finds the playlist again when its creation answer was lost.
        "description": f"{description or 'Made with the track recommender'} (ref {ref})",
        "playlist_id": None,
        "url": None,
        "create_sent": False,
        "done": False,
    }
    return intent, False


def _find_created(session: SpotifySession, intent: dict[str, Any]) -> dict[str, Any] | None:
    marker = f"(ref {intent['ref']})"
    for p in session.pages(lambda c: c.current_user_playlists(limit=PAGE_SIZE, offset=0)):
        if marker in (p.get("description") or "") and p.get("name") == intent["name"]:
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
    if intent["done"]:
        return _saved(intent, added=0, resumed=True)
    present: set[str] = set()
    if intent["playlist_id"] is None and intent["create_sent"]:
        found = _find_created(session, intent)
        if found is not None:
            _record_playlist(session, intent, found)
            present = _present_uris(session, intent["playlist_id"])
    elif intent["playlist_id"] is not None:
        try:
            present = _present_uris(session, intent["playlist_id"])
        except SpotifyProblem as problem:
            if problem.kind != "not_found":
                raise
            # The half-saved playlist was deleted meanwhile: start over with a new one.
            intent, resumed = _intent_for({}, intent["name"], uris, public, description)
            session.store[SAVE_KEY] = intent
    if intent["playlist_id"] is None:
        intent["create_sent"] = True
        session.store[SAVE_KEY] = intent
        created = session.call(
            lambda c: c.current_user_playlist_create(
                intent["name"], public=public, description=intent["description"]
            ),
            read=False,
        )
        _record_playlist(session, intent, created)
    missing = [u for u in uris if u not in present]
    playlist_id = intent["playlist_id"]
    for start in range(0, len(missing), ITEMS_PER_REQUEST):
        chunk = missing[start : start + ITEMS_PER_REQUEST]
        session.call(lambda c, chunk=chunk: c.playlist_add_items(playlist_id, chunk), read=False)
    intent["done"] = True
    session.store[SAVE_KEY] = intent
    return _saved(intent, added=len(missing), resumed=resumed)


def _record_playlist(
    session: SpotifySession, intent: dict[str, Any], playlist: dict[str, Any]
) -> None:
    intent["playlist_id"] = playlist["id"]
    intent["url"] = (playlist.get("external_urls") or {}).get(
        "spotify", f"https://open.spotify.com/playlist/{playlist['id']}"
    )
    session.store[SAVE_KEY] = intent


def _saved(intent: dict[str, Any], *, added: int, resumed: bool) -> SavedPlaylist:
    return SavedPlaylist(
        playlist_id=intent["playlist_id"],
        url=intent["url"],
        name=intent["name"],
        n_tracks=len(intent["uris"]),
        added=added,
        resumed=resumed,
    )
