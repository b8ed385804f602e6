"""Configuration: every environment variable and secret the app reads, resolved in one place.

Precedence is the environment first, then the secrets mapping the edge passes in (Streamlit's
``st.secrets``: top-level keys or a ``[spotify]`` table). The core never reads ``os.environ``
elsewhere, so tests build a ``Settings`` from a plain dict.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import platformdirs

DEFAULT_API_URL: Final = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL: Final = "https://accounts.spotify.com/"
DEFAULT_RECCOBEATS_URL: Final = "https://api.reccobeats.com/v1/"
DEFAULT_MAX_MODEL_AGE_DAYS: Final = 7.0
SECRETS_TABLE: Final = "spotify"


def _lookup(name: str, env: Mapping[str, str], secrets: Mapping[str, Any]) -> str | None:
    """Environment first, then a top-level secret, then the ``[spotify]`` secrets table."""
    if env.get(name):
        return env[name]
    value = secrets.get(name)
    if value is None:
        table = secrets.get(SECRETS_TABLE)
        if isinstance(table, Mapping):
            value = table.get(name)
    return str(value) if value not in (None, "") else None


def _paths(value: str | None) -> tuple[Path, ...]:
    if not value:
        return ()
    return tuple(Path(part).expanduser() for part in value.split(os.pathsep) if part.strip())


def _positive_float(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        msg = f"{name} must be a positive number of days, got {value!r}"
        raise ValueError(msg)
    return number


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved configuration. Build it with :meth:`from_sources`, never field by field."""

    catalog_paths: tuple[Path, ...]
    data_dir: Path | None
    cache_dir: Path
    sources: tuple[str, ...] | None
    mirror_url: str | None
    max_model_age_days: float
    admin: bool
    client_id: str | None
    client_secret: str | None
    redirect_uri: str | None
    api_url: str
    accounts_url: str
    state_secret: bytes | None
    audio_feature_sources: tuple[str, ...]
    reccobeats_url: str
    redis_url: str | None

    @classmethod
    def from_sources(
        cls,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, Any] | None = None,
    ) -> Settings:
        """Resolve settings from the environment (default ``os.environ``) and secrets."""
        env = os.environ if env is None else env
        secrets = secrets or {}

        def get(name: str) -> str | None:
            return _lookup(name, env, secrets)

        cache = get("RECOMMENDER_CACHE_DIR")
        data_dir = get("RECOMMENDER_DATA_DIR")
        sources = get("RECOMMENDER_SOURCES")
        client_secret = get("SPOTIPY_CLIENT_SECRET")
        state_secret = get("RECOMMENDER_STATE_SECRET")
        if state_secret:
            state_key: bytes | None = state_secret.encode()
        elif client_secret:
            # Derived, not equal, so the signing key never doubles as the client secret.
            state_key = hashlib.sha256(b"oauth-state:" + client_secret.encode()).digest()
        else:
            state_key = None
        accounts = get("SPOTIFY_ACCOUNTS_URL") or DEFAULT_ACCOUNTS_URL
        api = get("SPOTIFY_API_URL") or DEFAULT_API_URL
        feature_sources = get("AUDIO_FEATURE_SOURCES")
        return cls(
            catalog_paths=_paths(get("RECOMMENDER_CATALOG")),
            data_dir=Path(data_dir).expanduser() if data_dir else None,
            cache_dir=Path(cache).expanduser()
            if cache
            else Path(platformdirs.user_cache_dir("spotify-recommender")),
            sources=tuple(s.strip() for s in sources.split(",") if s.strip()) if sources else None,
            mirror_url=get("RECOMMENDER_MIRROR_URL"),
            max_model_age_days=_positive_float(
                "RECOMMENDER_MAX_MODEL_AGE_DAYS",
                get("RECOMMENDER_MAX_MODEL_AGE_DAYS"),
                DEFAULT_MAX_MODEL_AGE_DAYS,
            ),
            admin=get("RECOMMENDER_ADMIN") == "1",
            client_id=get("SPOTIPY_CLIENT_ID"),
            client_secret=client_secret,
            redirect_uri=get("SPOTIPY_REDIRECT_URI"),
            api_url=api if api.endswith("/") else api + "/",
            accounts_url=accounts if accounts.endswith("/") else accounts + "/",
            state_secret=state_key,
            audio_feature_sources=tuple(
                s.strip() for s in (feature_sources or "").split(",") if s.strip()
            ),
            reccobeats_url=get("RECCOBEATS_API_URL") or DEFAULT_RECCOBEATS_URL,
            redis_url=get("RECOMMENDER_REDIS_URL"),
        )

    @property
    def spotify_configured(self) -> bool:
        """True when a client id, secret and redirect URI are all present (else guest mode)."""
        return bool(self.client_id and self.client_secret and self.redirect_uri)

    def __repr__(self) -> str:
        # Never print the secrets, e.g. in a log line or a traceback.
        return (
            f"Settings(cache_dir={self.cache_dir!s}, catalog_paths={self.catalog_paths}, "
            f"spotify_configured={self.spotify_configured})"
        )
