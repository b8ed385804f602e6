"""Spotify session: the only place a spotipy client is built, with its login and retry policy.

Per-session login (tokens live in a mapping the caller owns, never in a file or a global) and
one ``call`` that refreshes a dead token once, waits out short 429s and retries reads after
5xx or timeouts. Failures become :class:`~recommender.spotify.problems.SpotifyProblem`
(``problems.py``); the reads and the resumable save are in ``library.py``.

Only endpoints that Development-Mode apps still have are called: ``GET me/``,
``me/top/tracks``, ``GET|POST me/playlists``, ``GET|POST playlists/{id}/items``, ``search``
and ``tracks/{id}``. Audio features come from the catalog (see ``resolve.py``).
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import requests
import spotipy
from spotipy.cache_handler import CacheHandler
from spotipy.exceptions import SpotifyException, SpotifyOauthError
from spotipy.oauth2 import SpotifyOAuth, SpotifyPKCE

from recommender.settings import Settings
from recommender.spotify.problems import (
    QUOTA_EXCEEDED,
    SpotifyProblem,
    login_problem,
    problem_from,
    retry_after,
)

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
MAX_RETRY_AFTER: Final = 10.0

_T = TypeVar("_T")


class MappingCacheHandler(CacheHandler):  # type: ignore[misc]  # spotipy ships no types
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


class _SessionOAuth(SpotifyOAuth):  # type: ignore[misc]  # spotipy ships no types
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
        raise login_problem("You are not logged in to Spotify.")


@dataclass(frozen=True, slots=True)
class OwnApp:
    """A listener's own Spotify app: its client id and the redirect URI registered for it.

    Logged in with PKCE (no client secret). The client id lives in the listener's session
    and goes to Spotify's authorize and token endpoints only.
    """

    client_id: str
    redirect_uri: str


def new_verifier() -> str:
    """A fresh PKCE code verifier (86 URL-safe characters; RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(64)


class _SessionPKCE(SpotifyPKCE):  # type: ignore[misc]  # spotipy ships no types
    """SpotifyPKCE for a listener's own app, pointed at ``settings.accounts_url``."""

    def __init__(
        self, settings: Settings, app: OwnApp, cache: MappingCacheHandler, timeout: float
    ) -> None:
        self.OAUTH_AUTHORIZE_URL = settings.accounts_url + "authorize"
        self.OAUTH_TOKEN_URL = settings.accounts_url + "api/token"
        super().__init__(
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
            scope=list(SCOPES),
            cache_handler=cache,
            open_browser=False,
            requests_timeout=timeout,
        )

    def _get_auth_response(self, open_browser: bool | None = None) -> str:
        # SpotifyPKCE would prompt on stdin; on a web server the answer is "log in first".
        raise login_problem("You are not logged in to Spotify.")

    def use_verifier(self, verifier: str) -> None:
        """Use ``verifier`` (kept on the server under the state's nonce) and its challenge."""
        self.code_verifier = verifier
        self.code_challenge = self._get_code_challenge()

    def get_auth_response(self, open_browser: bool | None = None) -> str:
        raise login_problem("You are not logged in to Spotify.")


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
        own_app: OwnApp | None = None,
    ) -> None:
        if own_app is None and not settings.spotify_configured:
            msg = (
                "Spotify is not configured: set SPOTIPY_CLIENT_ID, SPOTIPY_CLIENT_SECRET and "
                "SPOTIPY_REDIRECT_URI"
            )
            raise ValueError(msg)
        self.store = store
        self.cache = MappingCacheHandler(store)
        self.read_retries = read_retries
        self._sleep = sleep
        self.own_app = own_app
        self._auth: _SessionOAuth | _SessionPKCE = (
            _SessionPKCE(settings, own_app, self.cache, requests_timeout)
            if own_app is not None
            else _SessionOAuth(settings, self.cache, requests_timeout)
        )
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
    def authorize_url(self, state: str, *, verifier: str | None = None) -> str:
        """The Spotify consent page URL carrying ``state``.

        For an own app it also carries the PKCE challenge of ``verifier``.
        """
        if isinstance(self._auth, _SessionPKCE):
            if verifier is None:
                raise ValueError("an own app's login needs a PKCE verifier")
            self._auth.use_verifier(verifier)
        url: str = self._auth.get_authorize_url(state=state)
        return url

    def complete_login(self, code: str, *, verifier: str | None = None) -> None:
        """Exchange the callback ``code`` for a token kept in the store.

        Raises:
            SpotifyProblem: ``kind="login"`` when Spotify refuses the code.
        """
        if isinstance(self._auth, _SessionPKCE):
            if verifier is None:
                raise ValueError("an own app's login needs its PKCE verifier")
            self._auth.use_verifier(verifier)
        try:
            if isinstance(self._auth, _SessionPKCE):
                self._auth.get_access_token(code, check_cache=False)
            else:
                self._auth.get_access_token(code, as_dict=False, check_cache=False)
        except (SpotifyOauthError, requests.RequestException) as error:
            self.cache.clear()
            problem = problem_from(error)
            raise login_problem(f"Logging in did not complete: {problem.message}") from error

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
                wait = retry_after(error) if status == 429 else None
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
            page = self.call(functools.partial(_next_page, current=page), read=True)


def _next_page(client: spotipy.Spotify, *, current: dict[str, Any]) -> dict[str, Any] | None:
    """The page after ``current`` (None after the last one)."""
    following: dict[str, Any] | None = client.next(current)
    return following
