"""Every Spotify failure said plainly: a :class:`SpotifyProblem` with a message and a next step.

``problem_from`` maps spotipy's and requests' exceptions (OAuth refusals, timeouts, 401, 403 of
the Development-Mode allow-list, 404, 429 with or without the quota, 5xx) to one type the UI
shows without knowing spotipy.
"""

from __future__ import annotations

from typing import Final, Literal

import requests
from spotipy.exceptions import SpotifyException, SpotifyOauthError

QUOTA_EXCEEDED: Final = "QUOTA_EXCEEDED"

ProblemKind = Literal[
    "login", "allow_list", "forbidden", "not_found", "rate_limited", "quota", "unavailable",
    "rejected",
]  # fmt: skip

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


def login_problem(message: str) -> SpotifyProblem:
    """A problem whose only way forward is logging in again."""
    return SpotifyProblem(message, "Log in with Spotify again.", 401, kind="login")


def retry_after(error: SpotifyException) -> float | None:
    """The seconds Spotify asked to wait (``Retry-After``), or None when it named none."""
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
            return login_problem(
                "Your Spotify login has expired (Spotify ends logins after six months, or "
                "access to this app was removed)."
            )
        return login_problem(f"Spotify refused the login ({error.error or 'unknown error'}).")
    if isinstance(error, requests.Timeout):
        return SpotifyProblem("Spotify did not answer in time.", again, kind="unavailable")
    if isinstance(error, requests.RequestException):
        return SpotifyProblem("Spotify could not be reached.", again, kind="unavailable")
    if not isinstance(error, SpotifyException):
        msg = f"not a Spotify failure: {error!r}"
        raise TypeError(msg)
    status = error.http_status
    if status == 401:
        return login_problem("Spotify no longer accepts this login.")
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
        wait = retry_after(error)
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
