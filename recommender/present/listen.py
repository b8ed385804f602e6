"""Spotify's embed player for one track: the URL is built only from a validated track id.

``https://open.spotify.com/embed/track/<id>`` plays in an iframe with no API call and no
token: a 30 s preview, or the whole track for a browser logged in to Spotify. The id is
checked against the exact 22-character form, so nothing else (a share link's text, a
catalog field) can reach the iframe's address.
"""

from __future__ import annotations

import re
from typing import Final

EMBED_BASE: Final = "https://open.spotify.com/embed/track/"
EMBED_HEIGHT: Final = 152
_TRACK_ID: Final = re.compile(r"[0-9A-Za-z]{22}")
DEMO_PREFIX: Final = "DEMO"


def embed_url(track_id: str, *, synthetic: bool = False) -> str | None:
    """The embed player's URL for ``track_id``; None for a demo track (nothing to play).

    Raises:
        ValueError: if ``track_id`` is not exactly 22 letters and digits.
    """
    if not isinstance(track_id, str) or _TRACK_ID.fullmatch(track_id) is None:
        msg = f"not a Spotify track id (22 letters and digits): {str(track_id)[:40]!r}"
        raise ValueError(msg)
    if synthetic or track_id.startswith(DEMO_PREFIX):
        return None
    return f"{EMBED_BASE}{track_id}"
