"""Helpers for the AppTest tests: a fresh AppTest per scenario, pointed at the given catalog.

Each scenario builds its own ``AppTest`` (with ``st.navigation`` only the first run executes
the entrypoint: a second ``run()`` reruns only the page), in an environment holding only
what the test sets.
"""

from __future__ import annotations

import json
import os
from typing import Any, Final

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from recommender.settings import Settings
from tests.conftest import APP
from tests.reference import catalog_env

SCRUBBED_PREFIXES: Final = ("SPOTIPY_", "SPOTIFY_", "RECOMMENDER_", "RECCOBEATS_", "AUDIO_FEATURE")
TIMEOUT_S: Final = 120


def new_app(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, *, env: dict[str, str] | None = None
) -> AppTest:
    """A fresh AppTest of the whole app on ``settings``' catalog files and cache directory."""
    for name in list(os.environ):
        if name.startswith(SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RECOMMENDER_CATALOG", catalog_env(settings))
    monkeypatch.setenv("RECOMMENDER_CACHE_DIR", str(settings.cache_dir))
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)


def plotly_specs(at: AppTest) -> list[dict[str, Any]]:
    """The JSON figure of every plotly chart on the page, in order."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def record_downloads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, str, str | None]]:
    """Record (content, mimetype, filename) of every file a run hands to the browser."""
    recorded: list[tuple[bytes, str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            recorded.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return recorded


def texts(at: AppTest) -> str:
    """All markdown, caption, info, warning, error and success text of the page, joined."""
    parts: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "title",
        "subheader",
    ):
        parts.extend(str(element.value) for element in getattr(at, kind))
    return "\n".join(parts)
