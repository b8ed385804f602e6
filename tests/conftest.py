"""Shared fixtures: the two test tiers, the reference data, and a clean slate for every test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import reference

# The loopback fake Spotify's fixtures, shared by unit, AppTest and browser tests.
from tests.fake_spotify import fake_catalog, fake_spotify  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
BROWSER_TESTS = ROOT / "tests" / "browser"
# A test that asks for one of these (directly or through another fixture) is in the
# reference-data tier, like every browser test; everything else runs on generated data.
REFERENCE_FIXTURES = frozenset({"reference_data", "reference_settings", "reference_catalog"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_browser = BROWSER_TESTS in Path(str(item.fspath)).parents
        if in_browser or REFERENCE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.reference)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("reference") is None:
        return
    found = reference.resolve()
    if isinstance(found, str):
        if reference.required():
            pytest.exit(f"reference data is required here but missing: {found}", returncode=1)
        # Raised here, not per test, so pytest -ra folds every skip into one summary line.
        pytest.skip(f"reference-data tier: {found}")


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # Without this a cached client or catalog leaks from one AppTest into the next.
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def reference_data() -> reference.ReferenceData:
    """The reference datasets, found the way the app finds them (``tests/reference.py``)."""
    return reference.reference_data()


@pytest.fixture(scope="session")
def dev_copies(reference_data: reference.ReferenceData) -> reference.ReferenceData:
    """The reference data when it is the development copies; exact figures need this."""
    if not reference_data.dev_copies:
        pytest.skip(
            "exact figures hold for the development copies only (tests/reference_tables.sha256)"
        )
    return reference_data


@pytest.fixture(scope="session")
def reference_settings(
    tmp_path_factory: pytest.TempPathFactory, reference_data: reference.ReferenceData
):
    """Settings pointing at the reference files and a fresh per-session cache directory.

    Built from an explicit env so tests never depend on other RECOMMENDER_* settings of the
    shell that runs them.
    """
    from recommender.settings import Settings

    cache = tmp_path_factory.mktemp("reference-cache")
    return Settings.from_sources(
        env={
            "RECOMMENDER_CATALOG": reference_data.catalog_env,
            "RECOMMENDER_CACHE_DIR": str(cache),
        },
        secrets={},
    )


@pytest.fixture(scope="session")
def reference_catalog(reference_settings):
    """The real catalog (~75k tracks from the development copies) built once per session."""
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


@pytest.fixture(scope="session")
def generated_app_settings(tmp_path_factory: pytest.TempPathFactory):
    """Settings for a whole app on made-up tracks: 240 tracks by 40 artists, spread-out sound.

    The catalog is the fake Spotify's ``factory_catalog`` written as a canonical Parquet file,
    so pages, engine and search run with no reference data.
    """
    from recommender.settings import Settings
    from tests.fake_spotify import factory_catalog

    root = tmp_path_factory.mktemp("generated-app")
    factory_catalog().tracks.write_parquet(root / "catalog.parquet")
    return Settings.from_sources(
        env={
            "RECOMMENDER_CATALOG": str(root / "catalog.parquet"),
            "RECOMMENDER_CACHE_DIR": str(root / "cache"),
        },
        secrets={},
    )


@pytest.fixture(scope="session")
def generated_catalog(generated_app_settings):
    """The catalog ``generated_app_settings`` builds (the same one the app under test loads)."""
    from recommender.data.store import load_catalog

    return load_catalog(generated_app_settings)
