"""The deployment files: compose.yaml as Debian's docker-compose reads it, and the Dockerfile.

The image itself is not built here (no Docker daemon on the test machines); these tests check
what can be checked without one: the compose file is valid and wires the replicas, the proxy
and Redis together, and both files name only settings the app really reads.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_SOURCE = (ROOT / "recommender" / "settings.py").read_text(encoding="utf-8")
DOCKER_COMPOSE = shutil.which("docker-compose")
needs_compose = pytest.mark.skipif(
    DOCKER_COMPOSE is None, reason="docker-compose is not installed (scripts/test.sh installs it)"
)


def compose_config(**env: str) -> subprocess.CompletedProcess[str]:
    """``docker-compose -f compose.yaml config`` with only ``env`` (no inherited settings)."""
    assert DOCKER_COMPOSE is not None
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [DOCKER_COMPOSE, "-f", str(COMPOSE), "config"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_compose
def test_compose_file_is_valid_and_wires_replicas_proxy_and_redis():
    result = compose_config(STREAMLIT_SERVER_COOKIE_SECRET="test-cookie-secret", APP_REPLICAS="4")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {"app", "proxy", "redis"}
    app = services["app"]
    assert app["deploy"]["replicas"] == 4
    assert app["environment"]["RECOMMENDER_REDIS_URL"] == "redis://redis:6379/0"
    assert app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"] == "test-cookie-secret"
    # The replicas share one cache volume, mounted where the image's RECOMMENDER_CACHE_DIR is.
    assert "cache:/data/cache:rw" in app["volumes"]
    assert app["environment"]["RECOMMENDER_CACHE_DIR"] == "/data/cache"
    labels = app["labels"]
    assert labels["traefik.http.services.app.loadbalancer.sticky.cookie"] == "true"
    assert labels["traefik.http.services.app.loadbalancer.server.port"] == "8501"
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    # The three default sources fit 1g; the memory follows APP_MEMORY for a bigger catalog.
    assert str(app["deploy"]["resources"]["limits"]["memory"]) in {"1g", "1073741824"}
    assert app["environment"]["RECOMMENDER_SOURCES"] == "kaggle,tidytuesday,hitpredictor"


@needs_compose
def test_compose_takes_the_memory_limit_and_sources_of_a_bigger_catalog():
    result = compose_config(
        STREAMLIT_SERVER_COOKIE_SECRET="test-cookie-secret",
        APP_MEMORY="2g",
        RECOMMENDER_SOURCES="kaggle,tidytuesday,hitpredictor,songs12m",
    )
    assert result.returncode == 0, result.stderr
    app = yaml.safe_load(result.stdout)["services"]["app"]
    assert str(app["deploy"]["resources"]["limits"]["memory"]) in {"2g", "2147483648"}
    assert app["environment"]["RECOMMENDER_SOURCES"].endswith(",songs12m")


@needs_compose
def test_compose_refuses_to_start_without_a_shared_cookie_secret():
    result = compose_config()
    assert result.returncode != 0
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in result.stderr + result.stdout


def test_deployment_files_name_only_settings_the_app_reads():
    text = COMPOSE.read_text(encoding="utf-8") + DOCKERFILE.read_text(encoding="utf-8")
    names = set(re.findall(r"\b((?:RECOMMENDER|SPOTIPY|SPOTIFY)_[A-Z_]+)\b", text))
    assert "RECOMMENDER_REDIS_URL" in names
    unknown = sorted(name for name in names if f'"{name}"' not in SETTINGS_SOURCE)
    assert not unknown, f"deployment files name settings settings.py never reads: {unknown}"


def test_dockerfile_runs_as_non_root_with_a_health_check_and_copies_existing_paths():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE=python:3\.11-slim$", text, flags=re.MULTILINE)
    assert re.search(r"^FROM \$\{BASE\}$", text, flags=re.MULTILINE)
    # CMD and HEALTHCHECK follow the port setting: no fixed port left to disagree with it.
    assert "STREAMLIT_SERVER_PORT=8501" in text
    assert "--server.port" not in text
    assert "STREAMLIT_SERVER_PORT" in text.split("HEALTHCHECK", 1)[1]
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\\\n.*/_stcore/health", text, flags=re.MULTILINE)
    # A COPY --from=<stage> copies from an earlier stage, not from the repository.
    from_context = re.findall(r"^COPY (?!--from)(?:--\S+ )*([^\s$]\S*) ", text, flags=re.MULTILINE)
    assert "requirements.txt" in from_context
    for source in from_context:
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert "COPY --from=deps /deps /deps" in text
    # The app's own files must all be in the image (a new top-level package would be missed).
    copied = set(re.findall(r"^COPY (?:--\S+ )*(\S+) ", text, flags=re.MULTILINE))
    for package in ("recommender", "ui", "pages", "streamlit_app.py"):
        assert package in copied


def test_ci_runs_the_image_check_and_requires_it():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "RECOMMENDER_REQUIRE_IMAGE_CHECK=1 bash scripts/image_check.sh" in ci
    # After the README's test command, not instead of it.
    assert ci.index("bash scripts/test.sh") < ci.index("scripts/image_check.sh")
    script = (ROOT / "scripts" / "image_check.sh").read_text(encoding="utf-8")
    assert "--bridge=none --iptables=false" in script
    assert "--network host" in script
    assert "pytest -m image tests/browser/test_image.py" in script
