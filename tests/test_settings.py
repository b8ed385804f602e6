from pathlib import Path

import pytest

from recommender.settings import DEFAULT_API_URL, Settings


def test_environment_wins_over_secrets():
    settings = Settings.from_sources(
        env={"SPOTIPY_CLIENT_ID": "from-env"},
        secrets={"SPOTIPY_CLIENT_ID": "from-secrets", "spotify": {"SPOTIPY_CLIENT_SECRET": "s"}},
    )
    assert settings.client_id == "from-env"
    assert settings.client_secret == "s"


def test_secrets_table_is_read_and_defaults_apply():
    settings = Settings.from_sources(env={}, secrets={"spotify": {"SPOTIPY_CLIENT_ID": "x"}})
    assert settings.client_id == "x"
    assert settings.api_url == DEFAULT_API_URL
    assert settings.max_model_age_days == 7
    assert not settings.spotify_configured


def test_catalog_paths_split_on_pathsep(tmp_path):
    import os

    value = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b.csv")])
    settings = Settings.from_sources(env={"RECOMMENDER_CATALOG": value}, secrets={})
    assert settings.catalog_paths == (tmp_path / "a", Path(tmp_path / "b.csv"))


def test_state_secret_derived_from_client_secret_but_not_equal():
    settings = Settings.from_sources(env={"SPOTIPY_CLIENT_SECRET": "abc"}, secrets={})
    assert settings.state_secret is not None
    assert b"abc" not in settings.state_secret


def test_repr_hides_secrets():
    settings = Settings.from_sources(env={"SPOTIPY_CLIENT_SECRET": "very-secret"}, secrets={})
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize("bad", ["0", "-3", "seven"])
def test_bad_model_age_names_the_variable(bad):
    with pytest.raises(ValueError, match="RECOMMENDER_MAX_MODEL_AGE_DAYS"):
        Settings.from_sources(env={"RECOMMENDER_MAX_MODEL_AGE_DAYS": bad}, secrets={})
