"""A real ``redis-server`` (Debian's package, installed by scripts/test.sh) on a loopback port.

No persistence, no config file: a throwaway server that lives as long as the test needs it.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from tests.browser.harness import free_port

STARTUP_TIMEOUT_S = 15.0


def redis_server_binary() -> str:
    """Path of ``redis-server``; fails (not skips) with what to run when it is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed; `bash scripts/test.sh` installs it "
            "(apt-get install redis-server)"
        )
    return binary


@contextlib.contextmanager
def running_redis(workdir: Path) -> Iterator[str]:
    """Start ``redis-server`` on a free loopback port; yield its ``redis://`` URL."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "redis.log").open("wb")
    process = subprocess.Popen(
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    text = (workdir / "redis.log").read_text(errors="replace")
                    raise RuntimeError(f"redis-server did not start:\n{text[-2000:]}") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
