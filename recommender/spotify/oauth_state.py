"""OAuth ``state``: HMAC-signed, expiring, single-use values that survive the login redirect.

Returning from Spotify's consent page starts a new Streamlit session, so the ``state`` cannot
be checked against session memory. It carries its own proof instead (a nonce, the time it was
issued and an HMAC over both), and a registry of used nonces refuses replays: in-process
(:class:`UsedStates`) for one server, or Redis (:class:`RedisUsedStates`) shared by replicas,
so a login started on one replica completes on another and cannot be replayed on a third.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Final, Literal, Protocol

import redis

logger = logging.getLogger(__name__)

STATE_TTL_SECONDS: Final = 600.0
_NONCE_BYTES: Final = 16
_SIG_BYTES: Final = 16

StateFailure = Literal[
    "missing", "malformed", "bad_signature", "expired", "replayed", "unavailable"
]

_MESSAGES: Final[dict[str, str]] = {
    "missing": "The answer from Spotify carried no login state, so it cannot be trusted.",
    "malformed": "The login state in the address is not one this app issued.",
    "bad_signature": "The login state in the address was not signed by this app.",
    "expired": "The login link is older than 10 minutes and has expired.",
    "replayed": "This login answer was already used once; a login link works only once.",
    "unavailable": (
        "The login could not be checked because the shared login-state store (Redis) is "
        "unreachable; please try again in a moment."
    ),
}
# Key prefix of a used nonce in Redis, so the app's keys are recognisable in a shared server.
REDIS_KEY_PREFIX: Final = "recommender:oauth-state:"


class StateError(ValueError):
    """An OAuth ``state`` was refused; ``reason`` says why in one word, ``str()`` in a sentence."""

    def __init__(self, reason: StateFailure) -> None:
        super().__init__(_MESSAGES[reason])
        self.reason: StateFailure = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, nonce: str, issued: int) -> str:
    mac = hmac.new(secret, f"{nonce}.{issued}".encode(), hashlib.sha256).digest()
    return _b64(mac[:_SIG_BYTES])


def issue_state(secret: bytes, *, now: float | None = None) -> str:
    """Return a fresh ``state``: ``<nonce>.<issued unix seconds>.<signature>``, URL-safe.

    Raises:
        ValueError: when the signing secret is empty.
    """
    if not secret:
        msg = "cannot sign an OAuth state without a secret (RECOMMENDER_STATE_SECRET)"
        raise ValueError(msg)
    issued = int(time.time() if now is None else now)
    nonce = _b64(secrets.token_bytes(_NONCE_BYTES))
    return f"{nonce}.{issued}.{_signature(secret, nonce, issued)}"


class StateRegistry(Protocol):
    """Where used nonces are recorded; ``claim`` must be atomic across everyone sharing it."""

    def claim(self, nonce: str, *, expires_at: float) -> bool:
        """Record ``nonce`` as used until ``expires_at``; False when it was already claimed.

        Raises:
            StateError: ``unavailable`` when the registry cannot be reached.
        """
        ...


class UsedStates:
    """Thread-safe registry of consumed state nonces; entries are forgotten once they expire.

    One instance is shared by every session of a process (the UI keeps it in a global
    ``st.cache_resource``); it holds nonces only, never anything derived from a token.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def claim(self, nonce: str, *, expires_at: float) -> bool:
        """Record ``nonce`` as used; False when it was already claimed (a replay)."""
        with self._lock:
            now = self._clock()
            self._expiry = {n: t for n, t in self._expiry.items() if t > now}
            if nonce in self._expiry:
                return False
            self._expiry[nonce] = expires_at
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)


class RedisUsedStates:
    """Used nonces in Redis, shared by every replica (``RECOMMENDER_REDIS_URL``).

    A claim is one ``SET key 1 NX EXAT <expiry>``: atomic set-if-absent, so of two replicas
    racing for the same nonce exactly one wins, and Redis forgets the key when the state
    would have expired anyway. Any Redis failure refuses the login (``unavailable``) rather
    than accepting a state whose use cannot be recorded.
    """

    def __init__(self, url: str, *, timeout_seconds: float = 2.0) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )

    def claim(self, nonce: str, *, expires_at: float) -> bool:
        """Record ``nonce`` as used until ``expires_at``; False when another claim came first.

        Raises:
            StateError: ``unavailable`` when Redis cannot be reached or answers an error.
        """
        try:
            # EXAT must lie in the future; a state this close to expiry keeps its key 1 s.
            expiry = max(int(expires_at) + 1, int(time.time()) + 1)
            won = self._client.set(REDIS_KEY_PREFIX + nonce, b"1", nx=True, exat=expiry)
        except redis.RedisError as error:
            raise StateError("unavailable") from error
        return bool(won)


def state_registry(redis_url: str | None) -> StateRegistry:
    """Redis when ``RECOMMENDER_REDIS_URL`` is set (replicas), else this process's registry."""
    return RedisUsedStates(redis_url) if redis_url else UsedStates()


def verify_state(
    state: str | None,
    secret: bytes,
    *,
    used: StateRegistry,
    now: float | None = None,
    ttl: float = STATE_TTL_SECONDS,
) -> None:
    """Accept ``state`` once: correct signature, younger than ``ttl`` seconds, never seen before.

    The nonce is claimed only after the signature and age checks pass, so a forged or stale
    value cannot use up a genuine one.

    Raises:
        StateError: with ``reason`` one of missing, malformed, bad_signature, expired, replayed,
            unavailable (the shared registry could not be reached).
    """
    if not state:
        raise StateError("missing")
    parts = state.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise StateError("malformed")
    nonce, issued_text, signature = parts
    try:
        _unb64(signature)
    except ValueError as error:
        raise StateError("malformed") from error
    issued = int(issued_text)
    if not hmac.compare_digest(signature, _signature(secret, nonce, issued)):
        raise StateError("bad_signature")
    current = time.time() if now is None else now
    if not issued - 60 <= current <= issued + ttl:
        # A state from the future (beyond small clock skew) is as suspicious as an old one.
        raise StateError("expired")
    if not used.claim(nonce, expires_at=issued + ttl):
        raise StateError("replayed")


# RFC 6749 section 4.1.2.1: the only codes an authorization server may put in ``?error=``.
# Anything else in that parameter did not come from a conforming server (or did not come
# from Spotify at all: anyone can send a link to the app), so it gets one generic sentence,
# and ``error_description`` (free text) is never shown.
OAUTH_ERROR_MESSAGES: Final[dict[str, str]] = {
    "invalid_request": (
        "Spotify found the login request malformed. Try again; if it keeps happening, the "
        "app's owner should check its Spotify settings."
    ),
    "unauthorized_client": (
        "Spotify does not let this app log people in this way; the app's owner must check "
        "the app in Spotify's developer dashboard."
    ),
    "access_denied": "You did not allow access on Spotify's page.",
    "unsupported_response_type": (
        "Spotify does not support the kind of login this app asked for; the app's owner "
        "must update the app."
    ),
    "invalid_scope": (
        "Spotify refused the permissions this app asks for; the app's owner must check them."
    ),
    "server_error": "Spotify had an internal error during the login. Try again in a moment.",
    "temporarily_unavailable": (
        "Spotify's login is busy or down for maintenance. Try again in a few minutes."
    ),
}
UNKNOWN_OAUTH_ERROR: Final = "Spotify did not complete the login. Try again."


def oauth_error_message(error: str) -> str:
    """Our sentence for an ``?error=`` code from the login redirect (never the code itself)."""
    return OAUTH_ERROR_MESSAGES.get(error, UNKNOWN_OAUTH_ERROR)


# -- what travels with a login: the listener's list, under the state's nonce ------------------
CARRY_KEY_PREFIX: Final = "recommender:oauth-carry:"
# An own app's login (PKCE): its code verifier and client id, under the nonce, single use.
PKCE_KEY_PREFIX: Final = "recommender:oauth-pkce:"
MAX_CARRY_CHARS: Final = 70_000  # a share-link query at its caps


def nonce_of(state: str) -> str | None:
    """The nonce part of a state (no checks: use it only after :func:`verify_state`)."""
    nonce, _, rest = state.partition(".")
    return nonce if nonce and rest else None


class CarryStore(Protocol):
    """Text kept under a state's nonce until the login comes back: single use, expiring."""

    def put(self, nonce: str, text: str, *, expires_at: float) -> None:
        """Keep ``text`` for ``nonce`` until ``expires_at`` (a failure only loses the text)."""
        ...

    def take(self, nonce: str) -> str | None:
        """The text kept for ``nonce``, removed as it is read; None when there is none."""
        ...


class CarriedLists:
    """The in-process carry store (one process; the UI keeps it in ``st.cache_resource``).

    It holds the share-link query of a listener's list (track ids and settings), never a
    token, code or verifier.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, float]] = {}

    def put(self, nonce: str, text: str, *, expires_at: float) -> None:
        """Keep ``text`` for ``nonce``; expired entries are dropped on the way."""
        with self._lock:
            now = self._clock()
            self._items = {n: item for n, item in self._items.items() if item[1] > now}
            self._items[nonce] = (text[:MAX_CARRY_CHARS], expires_at)

    def take(self, nonce: str) -> str | None:
        """The text for ``nonce`` if it has not expired, removed as it is read."""
        with self._lock:
            item = self._items.pop(nonce, None)
        if item is None or item[1] <= self._clock():
            return None
        return item[0]


class RedisCarriedLists:
    """The carry store in Redis (replicas): ``SET … EXAT`` to keep, ``GETDEL`` to take once."""

    def __init__(
        self, url: str, *, timeout_seconds: float = 2.0, prefix: str = CARRY_KEY_PREFIX
    ) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        self._prefix = prefix

    def put(self, nonce: str, text: str, *, expires_at: float) -> None:
        """Keep ``text``; an unreachable Redis loses it (the login itself does not need it)."""
        expiry = max(int(expires_at) + 1, int(time.time()) + 1)
        try:
            self._client.set(self._prefix + nonce, text[:MAX_CARRY_CHARS].encode(), exat=expiry)
        except redis.RedisError as error:
            logger.warning("could not keep the list for the login (%s)", type(error).__name__)

    def take(self, nonce: str) -> str | None:
        """The text for ``nonce``, deleted in the same command; None when absent."""
        try:
            value = self._client.getdel(self._prefix + nonce)
        except redis.RedisError as error:
            logger.warning("could not read the list kept for the login (%s)", type(error).__name__)
            return None
        return value.decode() if isinstance(value, bytes) else None


def carry_store(redis_url: str | None, *, prefix: str = CARRY_KEY_PREFIX) -> CarryStore:
    """Redis when ``RECOMMENDER_REDIS_URL`` is set (replicas), else this process's store."""
    return RedisCarriedLists(redis_url, prefix=prefix) if redis_url else CarriedLists()
