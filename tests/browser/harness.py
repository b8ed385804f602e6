"""Real-browser harness: a `streamlit run` server on a free loopback port, driven by Chromium.

Used by the dashboard smoke test and the end-to-end suite. The server runs as a child process
with its own fresh cache directory and an explicit environment (no inherited Spotify settings),
its output captured to a log file the tests can read (e.g. to prove no token was logged).
Chromium is Debian's (`/usr/bin/chromium`), driven by Playwright for Python; Playwright's own
browser download needs the internet, which CI machines do not have.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import requests

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

ROOT: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = ROOT / "test-artifacts"
CHROMIUM: Final = os.environ.get(
    "RECOMMENDER_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Settings the server must never inherit from the developer's shell.
_SCRUBBED_PREFIXES: Final = ("SPOTIPY_", "SPOTIFY_", "RECOMMENDER_", "RECCOBEATS_", "AUDIO_FEATURE")
STARTUP_TIMEOUT_S: Final = 60.0
# First page load on a fresh cache builds the 75k catalog and trains the model.
COLD_START_TIMEOUT_MS: Final = 180_000
RUN_TIMEOUT_MS: Final = 60_000


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    """One `streamlit run <script>` child process (the app by default) on a loopback port."""

    env: dict[str, str]
    cache_dir: Path
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # Another script than the app (e.g. a benchmark's reference page), relative to the root.
    script: str = "streamlit_app.py"

    @property
    def url(self) -> str:
        """The app's root URL (loopback IP literal, as Spotify's redirect rules require)."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> AppServer:
        """Start the server and wait until ``/_stcore/health`` answers ``ok``."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
        env = {**base, "RECOMMENDER_CACHE_DIR": str(self.cache_dir), **self.env}
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--server.headless=true",
            "--server.fileWatcherType=none",
            "--browser.gatherUsageStats=false",
        ]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                msg = f"streamlit exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                raise RuntimeError(msg)
            with contextlib.suppress(requests.RequestException):
                answer = requests.get(self.url + "_stcore/health", timeout=2)
                if answer.status_code == 200 and answer.text.strip() == "ok":
                    return
            time.sleep(0.25)
        msg = f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT_S:.0f}s:\n"
        raise RuntimeError(msg + self.log_text()[-3000:])

    def health(self) -> tuple[int, str]:
        """Status code and body of the health endpoint."""
        answer = requests.get(self.url + "_stcore/health", timeout=5)
        return answer.status_code, answer.text.strip()

    def log_text(self) -> str:
        """Everything the server printed so far."""
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    def stop(self) -> None:
        """Stop the server (its whole process group) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium with the flags a sandbox-less CI container needs."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
    )


def wait_for_app(page: Page, *, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the Streamlit app has mounted and its current script run has finished."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # "notRunning" only once a script run has finished (before the first run it is "initial").
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app !== null && app.getAttribute('data-test-script-state') === 'notRunning';
        }""",
        timeout=timeout_ms,
    )


def wait_for_render(page: Page, *, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait for the script run and for lazily loaded elements (charts, tables) to be drawn."""
    wait_for_app(page, timeout_ms=timeout_ms)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid^=\"stSkeleton\"]').length === 0",
        timeout=timeout_ms,
    )


def save_failure_artifacts(page: Page, name: str, server: AppServer | None = None) -> list[Path]:
    """Save a full-page screenshot, the page's text and the server log for a failed test."""
    ARTIFACTS.mkdir(exist_ok=True)
    from playwright.sync_api import Error as PlaywrightError

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]
    saved: list[Path] = []
    # Best effort: the test has failed already; a dead page must not hide that failure.
    with contextlib.suppress(PlaywrightError, OSError):
        shot = ARTIFACTS / f"{stem}.png"
        page.screenshot(path=str(shot), full_page=True)
        saved.append(shot)
    with contextlib.suppress(PlaywrightError, OSError):
        text = ARTIFACTS / f"{stem}.txt"
        text.write_text(f"URL: {page.url}\n\n{page.inner_text('body')}", encoding="utf-8")
        saved.append(text)
    if server is not None:
        log = ARTIFACTS / f"{stem}.server.log"
        log.write_text(server.log_text(), encoding="utf-8")
        saved.append(log)
    return saved
