"""The container image, run as a deployment runs it (marker ``image``; scripts/image_check.sh).

``RECOMMENDER_IMAGE`` names the image to check. Containers run with host networking (no
bridge on these machines), ``--memory=1g`` like compose.yaml, the reference data mounted
read-only and one Docker volume for the cache, as replicas share it. What is checked: a guest
gets a list in Chromium, the process is uid 10001 and cannot write its code, the catalog and
model land on the volume, a second container on the volume loads the first one's model, a
login state issued by one container is accepted once by another through Redis, and a stop is
clean. Timings go to ``RECOMMENDER_IMAGE_REPORT`` when set.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests import reference
from tests.browser.e2e import (
    add_seed,
    continue_as_guest,
    distinct_seeds,
    open_home,
    open_recommendations,
)
from tests.browser.harness import RUN_TIMEOUT_MS, free_port, wait_for_app
from tests.redis_server import running_redis

pytestmark = pytest.mark.image

IMAGE = os.environ.get("RECOMMENDER_IMAGE", "spotify-recommender:check")
HEALTHY_TIMEOUT_S = 420.0
STOP_GRACE_S = 30


def _docker(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check)


def _report(key: str, value: object) -> None:
    path = os.environ.get("RECOMMENDER_IMAGE_REPORT")
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(json.dumps({key: value}) + "\n")


@dataclass
class Container:
    """One app container on host networking, its own port, the shared cache volume."""

    volume: str
    env: dict[str, str] = field(default_factory=dict)
    mounts: tuple[str, ...] = ()
    port: int = field(default_factory=free_port)
    name: str = field(default_factory=lambda: f"recommender-check-{uuid.uuid4().hex[:8]}")
    started_in_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Container:
        env = {**self.env, "STREAMLIT_SERVER_PORT": str(self.port)}
        args = ["run", "-d", "--name", self.name, "--network", "host", "--memory=1g"]
        args += ["--health-interval=2s", "-v", f"{self.volume}:/data/cache"]
        for mount in self.mounts:
            args += ["-v", mount]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        began = time.monotonic()
        _docker(*args, IMAGE)
        self._wait_healthy()
        self.started_in_s = time.monotonic() - began
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTHY_TIMEOUT_S
        status = ""
        while time.monotonic() < deadline:
            status = self.inspect("{{.State.Health.Status}} {{.State.Status}}")
            if status.startswith("healthy"):
                return
            if "exited" in status or "dead" in status:
                break
            time.sleep(1)  # Docker's health status has no event to wait on from here
        msg = f"{self.name} never became healthy ({status}); log:\n{self.logs()[-3000:]}"
        raise AssertionError(msg)

    def inspect(self, template: str) -> str:
        return _docker("inspect", "--format", template, self.name).stdout.strip()

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return _docker("exec", self.name, *command, check=False)

    def logs(self) -> str:
        done = _docker("logs", self.name, check=False)
        return done.stdout + done.stderr

    def stop(self) -> float:
        began = time.monotonic()
        _docker("stop", "-t", str(STOP_GRACE_S), self.name, check=False)
        return time.monotonic() - began

    def remove(self) -> None:
        _docker("rm", "-f", self.name, check=False)


@pytest.fixture(scope="module")
def volume() -> Iterator[str]:
    name = f"recommender-check-cache-{uuid.uuid4().hex[:8]}"
    _docker("volume", "create", name)
    yield name
    _docker("volume", "rm", "-f", name, check=False)


@pytest.fixture(scope="module")
def data_mount() -> str:
    folder = Path(reference.reference_data().catalog_env.split(os.pathsep)[0]).resolve()
    return f"{folder}:/data/catalog:ro"


@pytest.fixture(scope="module")
def first(volume, data_mount) -> Iterator[Container]:
    container = Container(
        volume=volume, env={"RECOMMENDER_CATALOG": "/data/catalog"}, mounts=(data_mount,)
    )
    try:
        yield container.start()
    finally:
        container.remove()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()


def _guest_gets_a_list(page, container: Container, catalog) -> float:
    began = time.monotonic()
    open_home(page, container.url, cold=True)
    continue_as_guest(page)
    add_seed(page, distinct_seeds(catalog, 1)[0])
    open_recommendations(page)
    return time.monotonic() - began


def test_a_guest_gets_recommendations_from_the_container(page, first, reference_catalog):
    took = _guest_gets_a_list(page, first, reference_catalog)
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    _report("cold_start_to_healthy_s", round(first.started_in_s or 0, 1))
    _report("first_guest_list_s", round(took, 1))


def test_it_runs_as_10001_cannot_change_its_code_and_keeps_its_cache_on_the_volume(
    first, page, reference_catalog
):
    if first.exec("test", "-f", "/data/cache/track_model.joblib").returncode != 0:
        _guest_gets_a_list(page, first, reference_catalog)
    assert first.exec("id", "-u").stdout.strip() == "10001"
    assert first.exec("python", "-c", "open('/app/streamlit_app.py', 'a')").returncode != 0
    assert first.exec("touch", "/app/recommender/new.py").returncode != 0
    assert first.exec("test", "-f", "/data/cache/track_model.joblib").returncode == 0
    catalog = first.exec("sh", "-c", "ls /data/cache/catalog/*.parquet")
    assert catalog.returncode == 0, catalog.stderr
    mounts = first.inspect("{{json .Mounts}}")
    assert any(m["Destination"] == "/data/cache" for m in json.loads(mounts))


def test_a_second_container_on_the_volume_loads_the_first_ones_model(
    first, volume, data_mount, page, reference_catalog
):
    if first.exec("test", "-f", "/data/cache/track_model.joblib").returncode != 0:
        _guest_gets_a_list(page, first, reference_catalog)
    second = Container(
        volume=volume, env={"RECOMMENDER_CATALOG": "/data/catalog"}, mounts=(data_mount,)
    )
    try:
        second.start()
        took = _guest_gets_a_list(page, second, reference_catalog)
        log = second.logs()
        assert "loaded the catalog" in log, log[-2000:]
        assert "training the model" not in log, log[-2000:]
        _report("second_container_first_list_s", round(took, 1))
    finally:
        second.remove()


def test_a_stop_is_clean_within_the_grace_period(volume, data_mount):
    container = Container(
        volume=volume, env={"RECOMMENDER_CATALOG": "/data/catalog"}, mounts=(data_mount,)
    )
    try:
        container.start()
        took = container.stop()
        assert took < STOP_GRACE_S, f"docker stop took {took:.1f} s: the app ignored SIGTERM"
        assert container.inspect("{{.State.ExitCode}}") in ("0", "143"), container.logs()[-2000:]
        _report("stop_s", round(took, 1))
    finally:
        container.remove()


def test_a_login_state_from_one_container_is_accepted_once_by_another(tmp_path, browser):
    from tests.fake_spotify import build_fake, factory_catalog

    catalog_dir = tmp_path / "catalog"
    catalog_dir.mkdir()
    factory_catalog().tracks.write_parquet(catalog_dir / "catalog.parquet")
    catalog_dir.chmod(0o755)
    (catalog_dir / "catalog.parquet").chmod(0o644)
    fake = build_fake(factory_catalog().tracks).start()
    name = f"recommender-check-login-{uuid.uuid4().hex[:8]}"
    _docker("volume", "create", name)
    try:
        with running_redis(tmp_path / "redis") as redis_url:
            a = Container(volume=name, mounts=(f"{catalog_dir}:/data/catalog:ro",))
            b = Container(volume=name, mounts=(f"{catalog_dir}:/data/catalog:ro",))
            for container in (a, b):
                container.env = {
                    **fake.env(redirect_uri=b.url),
                    "RECOMMENDER_CATALOG": "/data/catalog/catalog.parquet",
                    "RECOMMENDER_REDIS_URL": redis_url,
                }
            try:
                a.start()
                b.start()
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                open_home(page, a.url, cold=True)
                link = page.get_by_role("link", name="Log in with Spotify").first
                href = link.get_attribute("href")
                assert href
                consent = requests.get(href, allow_redirects=False, timeout=10)
                answer = consent.headers["Location"]
                assert answer.startswith(b.url)
                page.goto(answer)
                logged_in = page.get_by_text(re.compile(r"Logged in .*Alice")).first
                logged_in.wait_for(timeout=RUN_TIMEOUT_MS)
                page.context.clear_cookies()
                page.goto(f"{a.url}?{urlsplit(answer).query}")
                wait_for_app(page)
                refused = page.get_by_text(re.compile(r"already used once")).first
                refused.wait_for(timeout=RUN_TIMEOUT_MS)
                context.close()
            finally:
                a.remove()
                b.remove()
    finally:
        fake.stop()
        _docker("volume", "rm", "-f", name, check=False)
