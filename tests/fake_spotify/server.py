"""A loopback fake of Spotify's accounts service and Web API (2026 shapes) plus ReccoBeats.

Only what the app uses is modelled, with the behaviours that matter for correctness:
Development-Mode 403s (removed endpoints, users off the allow-list, other users' playlists),
the Dev-Mode search limit, paging with absolute ``next`` URLs, token expiry and refresh,
``invalid_grant``, and per-route fault injection. Every request is logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
PAGE_LIMIT_MAX = 50
SEARCH_LIMIT_MAX = 10
ITEMS_PER_ADD_MAX = 100
RECCOBEATS_BATCH_MAX = 40
NOT_ALLOW_LISTED = (
    "Check settings on developer.spotify.com/dashboard, the user may not be registered."
)

# Paths Spotify removed for Development-Mode apps; the fake answers them with 403 like Spotify.
REMOVED = [
    ("GET", re.compile(r"/v1/audio-features.*")),
    ("GET", re.compile(r"/v1/audio-analysis/.*")),
    ("GET", re.compile(r"/v1/recommendations.*")),
    ("GET", re.compile(r"/v1/artists/[^/]+/(related-artists|top-tracks)")),
    ("GET", re.compile(r"/v1/tracks/?")),  # several-tracks lookup; single /tracks/{id} stays
    ("POST", re.compile(r"/v1/users/[^/]+/playlists")),
    ("GET", re.compile(r"/v1/users/[^/]+/playlists")),
    ("GET", re.compile(r"/v1/playlists/[^/]+/tracks")),
    ("POST", re.compile(r"/v1/playlists/[^/]+/tracks")),
]


def _s256(verifier: str) -> str:
    """RFC 7636's S256 code challenge of ``verifier``."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class FakeUser:
    """One Spotify account; ``top`` maps a time range to track ids, best first."""

    user_id: str
    display_name: str
    allow_listed: bool = True
    top: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FakePlaylist:
    playlist_id: str
    owner: str
    name: str
    public: bool
    description: str
    collaborative: bool = False
    items: list[str] = field(default_factory=list)  # URIs, incl. spotify:local:/episode:
    followers: set[str] = field(default_factory=set)


@dataclass
class Fault:
    """Answer the next ``count`` matching requests with ``status`` (and optional extras).

    ``after=True`` handles the request first and then answers with the error, which models a
    lost response: the server did the work, the client saw a failure.
    """

    method: str
    path: re.Pattern[str]
    status: int = 500
    count: int = 1
    retry_after: int | None = None
    delay: float = 0.0
    reason: str | None = None
    after: bool = False


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    user: str | None


@dataclass
class _Token:
    user_id: str
    expires_at: float


class FakeSpotify:
    """State and control surface of the fake; ``base_url`` is ``http://127.0.0.1:<port>/``."""

    def __init__(self, tracks: list[dict[str, Any]], users: list[FakeUser]) -> None:
        self.tracks: dict[str, dict[str, Any]] = {t["id"]: t for t in tracks}
        self.users = {u.user_id: u for u in users}
        self.playlists: dict[str, FakePlaylist] = {}
        self.audio_features: dict[str, dict[str, float]] = {}
        self.log: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self.item_key = "item"  # "item" (2026), "track" (older) or "both"
        self.token_lifetime = 3600
        self._next_user = next(iter(self.users))
        self._deny_next = False
        # code -> (user, redirect_uri, client id, PKCE challenge or None)
        self._codes: dict[str, tuple[str, str, str, str | None]] = {}
        # Client ids of apps listeners registered themselves: PKCE, no secret (S256 only).
        self.listener_apps: set[str] = set()
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, str] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeSpotify:
        server = _QuietServer(("127.0.0.1", port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "v1/"

    @property
    def reccobeats_url(self) -> str:
        return self.base_url + "reccobeats/v1/"

    def env(self, redirect_uri: str = "http://127.0.0.1:8501/") -> dict[str, str]:
        """The settings variables that point the app at this fake."""
        return {
            "SPOTIPY_CLIENT_ID": CLIENT_ID,
            "SPOTIPY_CLIENT_SECRET": CLIENT_SECRET,
            "SPOTIPY_REDIRECT_URI": redirect_uri,
            "SPOTIFY_API_URL": self.api_url,
            "SPOTIFY_ACCOUNTS_URL": self.base_url,
            "RECCOBEATS_API_URL": self.reccobeats_url,
            "RECOMMENDER_STATE_SECRET": "fake-state-secret",
        }

    # -- test controls --------------------------------------------------------------------
    def login_as(self, user_id: str) -> None:
        """The next ``/authorize`` logs this user in."""
        if user_id not in self.users:
            msg = f"unknown fake user {user_id!r}; known: {sorted(self.users)}"
            raise ValueError(msg)
        self._next_user = user_id

    def deny_next_login(self) -> None:
        """The next ``/authorize`` answers ``error=access_denied`` (the user pressed Cancel)."""
        self._deny_next = True

    def inject(self, method: str, path: str, **options: Any) -> Fault:
        """Add a fault for ``method`` on paths fully matching the regex ``path``."""
        fault = Fault(method=method.upper(), path=re.compile(path), **options)
        with self._lock:
            self.faults.append(fault)
        return fault

    def expire_access_tokens(self) -> None:
        """Spotify-side expiry: every issued access token now answers 401."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = 0

    def revoke_refresh_tokens(self, user_id: str | None = None) -> None:
        """The 6-month limit or a revoked consent: refreshing answers ``invalid_grant``."""
        with self._lock:
            self._refresh = {
                r: u for r, u in self._refresh.items() if user_id is not None and u != user_id
            }

    def requests(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        """Logged requests, optionally filtered by method and a regex the path fully matches."""
        with self._lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method)
                and (path is None or re.fullmatch(path, r.path))
            ]

    def removed_calls(self) -> list[LoggedRequest]:
        """Logged requests to endpoints Spotify removed (must stay empty)."""
        return [
            r
            for r in self.requests()
            if any(m == r.method and p.fullmatch(r.path) for m, p in REMOVED)
        ]

    def playlists_of(self, user_id: str) -> list[FakePlaylist]:
        return [p for p in self.playlists.values() if p.owner == user_id]

    def add_playlist(self, owner: str, name: str, items: list[str], **extra: Any) -> FakePlaylist:
        playlist = FakePlaylist(
            playlist_id=_spotify_id(),
            owner=owner,
            name=name,
            public=extra.get("public", False),
            description=extra.get("description", ""),
            collaborative=extra.get("collaborative", False),
            items=list(items),
            followers=set(extra.get("followers", ())),
        )
        self.playlists[playlist.playlist_id] = playlist
        return playlist

    # -- request handling -----------------------------------------------------------------
    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.count > 0 and fault.method == method and fault.path.fullmatch(path):
                    fault.count -= 1
                    return fault
        return None

    def record(self, request: LoggedRequest) -> None:
        with self._lock:
            self.log.append(request)

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect = query.get("redirect_uri", "")
        client = query.get("client_id", "")
        own = client in self.listener_apps
        if (client != CLIENT_ID and not own) or not redirect:
            return 400, {}, {"error": "invalid_client"}
        if query.get("response_type") != "code":
            return 400, {}, {"error": "unsupported_response_type"}
        challenge = query.get("code_challenge")
        if own and (query.get("code_challenge_method") != "S256" or not challenge):
            return 400, {}, {"error": "invalid_request", "error_description": "PKCE S256 needed"}
        back: dict[str, str] = {}
        with self._lock:
            if self._deny_next:
                self._deny_next = False
                back["error"] = "access_denied"
            else:
                code = secrets.token_urlsafe(16)
                self._codes[code] = (self._next_user, redirect, client, challenge if own else None)
                back["code"] = code
        if "state" in query:
            back["state"] = query["state"]
        separator = "&" if "?" in redirect else "?"
        return 302, {"Location": f"{redirect}{separator}{urlencode(back)}"}, None

    def token(self, form: dict[str, str], basic: str | None) -> tuple[int, Any]:
        client = CLIENT_ID
        if basic != f"{CLIENT_ID}:{CLIENT_SECRET}":
            # A listener's own app: no secret, its client id in the form (PKCE).
            client = form.get("client_id", "")
            if basic or client not in self.listener_apps:
                return 400, {"error": "invalid_client", "error_description": "Invalid client"}
        grant = form.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                entry = self._codes.pop(form.get("code", ""), None)
                if entry is None or entry[1] != form.get("redirect_uri") or entry[2] != client:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Invalid authorization code",
                    }
                if entry[3] is not None and _s256(form.get("code_verifier", "")) != entry[3]:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "code_verifier was incorrect",
                    }
                return 200, self._issue(entry[0], with_refresh=True)
            if grant == "refresh_token":
                user = self._refresh.get(form.get("refresh_token", ""))
                if user is None:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "Refresh token revoked",
                    }
                # Spotify usually keeps the refresh token and omits it from the answer.
                return 200, self._issue(user, with_refresh=False)
        return 400, {"error": "unsupported_grant_type"}

    def _issue(self, user_id: str, *, with_refresh: bool) -> dict[str, Any]:
        access = secrets.token_urlsafe(24)
        self._tokens[access] = _Token(user_id, time.time() + self.token_lifetime)
        answer: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.token_lifetime,
            # What the app asks for: Spotify grants (and names) the requested scopes.
            "scope": (
                "user-top-read playlist-read-private playlist-modify-private playlist-modify-public"
            ),
        }
        if with_refresh:
            refresh = secrets.token_urlsafe(24)
            self._refresh[refresh] = user_id
            answer["refresh_token"] = refresh
        return answer

    def user_for(self, authorization: str | None) -> tuple[FakeUser | None, str]:
        if not authorization or not authorization.startswith("Bearer "):
            return None, "No token provided"
        with self._lock:
            token = self._tokens.get(authorization.removeprefix("Bearer "))
        if token is None:
            return None, "Invalid access token"
        if token.expires_at < time.time():
            return None, "The access token expired"
        return self.users[token.user_id], ""

    # -- Web API shapes -------------------------------------------------------------------
    def track_object(self, track_id: str) -> dict[str, Any]:
        t = self.tracks[track_id]
        return {
            "id": track_id,
            "type": "track",
            "uri": f"spotify:track:{track_id}",
            "name": t["name"],
            "artists": [{"id": _spotify_id(), "name": a, "type": "artist"} for a in t["artists"]],
            "album": {"name": t.get("album") or "Unknown album", "type": "album"},
            "duration_ms": t.get("duration_ms", 200_000),
            "is_local": False,
            "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
        }

    def playlist_object(self, playlist: FakePlaylist) -> dict[str, Any]:
        href = f"{self.api_url}playlists/{playlist.playlist_id}/items"
        return {
            "id": playlist.playlist_id,
            "type": "playlist",
            "name": playlist.name,
            "public": playlist.public,
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "owner": {"id": playlist.owner, "display_name": self.users[playlist.owner].display_name}
            if playlist.owner in self.users
            else {"id": playlist.owner, "display_name": playlist.owner},
            "uri": f"spotify:playlist:{playlist.playlist_id}",
            "external_urls": {
                "spotify": f"https://open.spotify.com/playlist/{playlist.playlist_id}"
            },
            "items": {"href": href, "total": len(playlist.items)},
            "snapshot_id": secrets.token_hex(8),
        }

    def item_entry(self, uri: str) -> dict[str, Any]:
        if uri.startswith("spotify:local:"):
            body: dict[str, Any] = {
                "id": None,
                "type": "track",
                "uri": uri,
                "name": uri.rsplit(":", 2)[-2],
                "artists": [{"id": None, "name": uri.split(":")[2]}],
                "album": {"name": ""},
                "is_local": True,
            }
        elif uri.startswith("spotify:episode:"):
            body = {"id": uri.rsplit(":", 1)[1], "type": "episode", "uri": uri, "name": "Episode"}
        else:
            body = self.track_object(uri.rsplit(":", 1)[1])
        entry: dict[str, Any] = {
            "added_at": "2026-01-01T00:00:00Z",
            "is_local": body.get("is_local", False),
        }
        if self.item_key in ("item", "both"):
            entry["item"] = body
        if self.item_key in ("track", "both"):
            entry["track"] = body
        return entry

    def page(self, url: str, query: dict[str, str], items: list[Any]) -> dict[str, Any]:
        limit = int(query.get("limit", 20))
        offset = int(query.get("offset", 0))
        chunk = items[offset : offset + limit]
        more = offset + limit < len(items)
        next_query = {**query, "offset": str(offset + limit), "limit": str(limit)}
        return {
            "href": url,
            "items": chunk,
            "limit": limit,
            "offset": offset,
            "total": len(items),
            "next": f"{url}?{urlencode(next_query)}" if more else None,
            "previous": None,
        }


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out on a delayed answer closes the socket; that is expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _spotify_id() -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(22))


def _error(status: int, message: str, reason: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "message": message}
    if reason:
        error["reason"] = reason
    return {"error": error}


def _handler_for(fake: FakeSpotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # the fake keeps its own structured log

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_PUT(self) -> None:
            self._dispatch("PUT")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _dispatch(self, method: str) -> None:
            split = urlsplit(self.path)
            path = split.path
            query_all = parse_qs(split.query)
            query = {k: v[-1] for k, v in query_all.items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body: Any = raw.decode() if raw else None
            form: dict[str, str] = {}
            if raw and "json" in (self.headers.get("Content-Type") or ""):
                body = json.loads(raw)
            elif raw and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                body = {k: v for k, v in form.items() if k not in ("code", "refresh_token")}
            user, _ = fake.user_for(self.headers.get("Authorization"))
            fake.record(
                LoggedRequest(method, path, query_all, body, user.user_id if user else None)
            )

            fault = fake.take_fault(method, path)
            if fault is not None and fault.delay:
                time.sleep(fault.delay)
            if fault is not None and not fault.after:
                self._send_fault(fault)
                return
            status, payload, headers = self._route(method, path, query, body, form)
            if fault is not None:
                self._send_fault(fault)
                return
            self._send(status, payload, headers)

        def _send_fault(self, fault: Fault) -> None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            message = "Too many requests" if fault.status == 429 else "Injected fault"
            self._send(fault.status, _error(fault.status, message, fault.reason), headers)

        def _route(
            self, method: str, path: str, query: dict[str, str], body: Any, form: dict[str, str]
        ) -> tuple[int, Any, dict[str, str]]:
            if method == "GET" and path == "/authorize":
                status, headers, payload = fake.authorize(query)
                return status, payload, headers
            if method == "POST" and path == "/api/token":
                basic = self.headers.get("Authorization", "")
                decoded = (
                    base64.b64decode(basic.removeprefix("Basic ")).decode()
                    if basic.startswith("Basic ")
                    else None
                )
                status, payload = fake.token(form, decoded)
                return status, payload, {}
            if path.startswith("/_control/"):
                return self._control(method, path, query)
            if path.startswith("/reccobeats/v1/"):
                return self._reccobeats(method, path, query)
            if not path.startswith("/v1/"):
                return 404, _error(404, "Service not found"), {}
            for removed_method, pattern in REMOVED:
                if method == removed_method and pattern.fullmatch(path):
                    return 403, _error(403, "This endpoint is not available for your app"), {}
            user, problem = fake.user_for(self.headers.get("Authorization"))
            if user is None:
                return 401, _error(401, problem), {}
            if not user.allow_listed:
                return 403, _error(403, NOT_ALLOW_LISTED), {}
            return self._api(method, path, query, body, user)

        def _api(
            self, method: str, path: str, query: dict[str, str], body: Any, user: FakeUser
        ) -> tuple[int, Any, dict[str, str]]:
            url = fake.api_url.rstrip("/") + path.removeprefix("/v1")
            if method == "GET" and path in ("/v1/me", "/v1/me/"):
                return (
                    200,
                    {
                        "id": user.user_id,
                        "account_id": f"acct-{user.user_id}",
                        "display_name": user.display_name,
                        "type": "user",
                        "uri": f"spotify:user:{user.user_id}",
                        "external_urls": {
                            "spotify": f"https://open.spotify.com/user/{user.user_id}"
                        },
                    },
                    {},
                )
            if method == "GET" and path == "/v1/me/top/tracks":
                time_range = query.get("time_range", "medium_term")
                if time_range not in ("short_term", "medium_term", "long_term"):
                    return 400, _error(400, "Invalid time range"), {}
                if not 1 <= int(query.get("limit", 20)) <= PAGE_LIMIT_MAX:
                    return 400, _error(400, "Invalid limit"), {}
                items = [fake.track_object(t) for t in user.top.get(time_range, [])]
                return 200, fake.page(url, query, items), {}
            if path == "/v1/me/playlists":
                if method == "GET":
                    if not 1 <= int(query.get("limit", 20)) <= PAGE_LIMIT_MAX:
                        return 400, _error(400, "Invalid limit"), {}
                    mine = [
                        fake.playlist_object(p)
                        for p in fake.playlists.values()
                        if p.owner == user.user_id or user.user_id in p.followers
                    ]
                    return 200, fake.page(url, query, mine), {}
                if method == "POST":
                    if not isinstance(body, dict) or not body.get("name"):
                        return 400, _error(400, "Missing required field: name"), {}
                    created = fake.add_playlist(
                        user.user_id,
                        body["name"],
                        [],
                        public=body.get("public", True),
                        description=body.get("description", ""),
                        collaborative=body.get("collaborative", False),
                    )
                    return 201, fake.playlist_object(created), {}
            found = re.fullmatch(r"/v1/playlists/([^/]+)/items", path)
            if found:
                playlist = fake.playlists.get(found.group(1))
                if playlist is None:
                    return 404, _error(404, "Resource not found"), {}
                if playlist.owner != user.user_id and not playlist.collaborative:
                    return 403, _error(403, "Forbidden"), {}
                if method == "GET":
                    if not 1 <= int(query.get("limit", 20)) <= PAGE_LIMIT_MAX * 2:
                        return 400, _error(400, "Invalid limit"), {}
                    entries = [fake.item_entry(u) for u in playlist.items]
                    return 200, fake.page(url, query, entries), {}
                if method == "POST":
                    uris = body.get("uris") if isinstance(body, dict) else body
                    if not isinstance(uris, list) or not uris:
                        return 400, _error(400, "No uris provided"), {}
                    if len(uris) > ITEMS_PER_ADD_MAX:
                        return (
                            400,
                            _error(400, "You can add a maximum of 100 tracks per request."),
                            {},
                        )
                    for uri in uris:
                        tid = uri.rsplit(":", 1)[-1] if isinstance(uri, str) else ""
                        if not uri.startswith("spotify:track:") or tid not in fake.tracks:
                            return 400, _error(400, f"Invalid track uri: {uri}"), {}
                    with fake._lock:
                        position = query.get("position")
                        if position is None:
                            playlist.items.extend(uris)
                        else:
                            at = int(position)
                            playlist.items[at:at] = uris
                    return 201, {"snapshot_id": secrets.token_hex(8)}, {}
            found = re.fullmatch(r"/v1/playlists/([^/]+)", path)
            if method == "GET" and found:
                playlist = fake.playlists.get(found.group(1))
                if playlist is None:
                    return 404, _error(404, "Resource not found"), {}
                return 200, fake.playlist_object(playlist), {}
            found = re.fullmatch(r"/v1/tracks/([^/]+)", path)
            if method == "GET" and found:
                if found.group(1) not in fake.tracks:
                    return 404, _error(404, "Resource not found"), {}
                return 200, fake.track_object(found.group(1)), {}
            if method == "GET" and path == "/v1/search":
                limit = int(query.get("limit", 5))
                if not 1 <= limit <= SEARCH_LIMIT_MAX:
                    return 400, _error(400, "Invalid limit"), {}
                words = query.get("q", "").casefold().split()
                hits = [
                    fake.track_object(tid)
                    for tid, t in fake.tracks.items()
                    if words
                    and all(
                        w in (t["name"] + " " + " ".join(t["artists"])).casefold() for w in words
                    )
                ]
                return 200, {"tracks": fake.page(url, {**query, "limit": str(limit)}, hits)}, {}
            return 404, _error(404, "Service not found"), {}

        def _control(
            self, method: str, path: str, query: dict[str, str]
        ) -> tuple[int, Any, dict[str, str]]:
            # Lets a browser test steer a fake running in another process.
            if method == "POST" and path == "/_control/login_as":
                try:
                    fake.login_as(query.get("user", ""))
                except ValueError as error:
                    return 400, {"error": str(error)}, {}
                return 200, {"user": query["user"]}, {}
            if method == "POST" and path == "/_control/deny_next_login":
                fake.deny_next_login()
                return 200, {}, {}
            if method == "GET" and path == "/_control/log":
                entries = [
                    {"method": r.method, "path": r.path, "user": r.user} for r in fake.requests()
                ]
                return 200, {"requests": entries}, {}
            return 404, {"error": "unknown control"}, {}

        def _reccobeats(
            self, method: str, path: str, query: dict[str, str]
        ) -> tuple[int, Any, dict[str, str]]:
            if method != "GET" or path != "/reccobeats/v1/audio-features":
                return 404, {"error": "not found"}, {}
            ids = [i for i in query.get("ids", "").split(",") if i][:RECCOBEATS_BATCH_MAX]
            if not ids:
                return 400, {"error": "4001 missing param ids"}, {}
            content = [
                {
                    "id": f"rb-{tid}",
                    "href": f"https://open.spotify.com/track/{tid}",
                    **fake.audio_features[tid],
                }
                for tid in ids
                if tid in fake.audio_features
            ]
            return 200, {"content": content}, {}

    return Handler
