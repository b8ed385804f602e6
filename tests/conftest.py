"""Shared fixtures: where the development datasets are, and a clean slate for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The loopback fake Spotify's fixtures, shared by unit, AppTest and browser tests.
from tests.fake_spotify import fake_catalog, fake_spotify  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
# The development copies of the public datasets; read at test time, never committed.
SHARED_DATA = Path(os.environ.get("RECOMMENDER_TEST_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # Without this a cached client or catalog leaks from one AppTest into the next.
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"development datasets not found at {SHARED_DATA} (see shared/data/SOURCES.md)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def reference_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings pointing at the shared datasets and a fresh per-session cache directory.

    Built from an explicit env so tests never depend on RECOMMENDER_* being set (``.ci/run``
    sets them; a developer's shell may not).
    """
    from recommender.settings import Settings

    if not SHARED_DATA.is_dir():
        pytest.fail(f"development datasets not found at {SHARED_DATA} (see shared/data/SOURCES.md)")
    cache = tmp_path_factory.mktemp("reference-cache")
    return Settings.from_sources(
        env={"RECOMMENDER_CATALOG": str(SHARED_DATA), "RECOMMENDER_CACHE_DIR": str(cache)},
        secrets={},
    )


@pytest.fixture(scope="session")
def reference_catalog(reference_settings):
    """The real ~75k-track catalog built once per test session from the shared datasets."""
    from recommender.data.store import load_catalog

    return load_catalog(reference_settings)


@pytest.fixture(scope="session")
def generated_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made-up tables of all three sources as users download them (zips), in one folder."""
    from tests.catalog_samples import write_zipped_files

    return write_zipped_files(tmp_path_factory.mktemp("generated-files"))


@pytest.fixture(scope="session")
def generated_public_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same made-up tables under the eight public file names (what a mirror serves)."""
    from tests.catalog_samples import write_public_files

    return write_public_files(tmp_path_factory.mktemp("generated-public"))
