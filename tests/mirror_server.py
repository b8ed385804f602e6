"""A loopback HTTP mirror of the public dataset files, with switchable faults.

Tests lay the ../shared/data copies out under the public file names (``public_files``), serve
that folder on 127.0.0.1 and point ``RECOMMENDER_MIRROR_URL`` at it. Nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

HIT_PREDICTOR_DECADES = ("60s", "70s", "80s", "90s", "00s", "10s")

Fault = Literal["404", "500", "cut", "cut_once", "short", "html"]


def public_files(shared: Path, target: Path) -> Path:
    """Lay out the shared copies under the public names; return ``target``.

    The Kaggle 10k sample stands in for ``dataset.csv``; the Hit Predictor zip is split into
    its decade files; TidyTuesday is unzipped to ``spotify_songs.csv``.
    """
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared / "kaggle_spotify_tracks_sample10k.csv", target / "dataset.csv")
    with zipfile.ZipFile(shared / "tidytuesday_spotify_songs.zip") as archive:
        (target / "spotify_songs.csv").write_bytes(archive.read("spotify_songs.csv"))
    with zipfile.ZipFile(shared / "spotify_hit_predictor_1960s_2010s.zip") as archive:
        for decade in HIT_PREDICTOR_DECADES:
            name = f"dataset-of-{decade}.csv"
            (target / name).write_bytes(archive.read(name))
    return target


@dataclass
class Mirror:
    """What the server serves and what it was asked for."""

    root: Path
    url: str = ""
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requested(self, name: str) -> int:
        """How many GETs asked for ``name``."""
        with self.lock:
            return sum(1 for path in self.requests if path.rsplit("/", 1)[-1] == name)


class _Handler(BaseHTTPRequestHandler):
    mirror: Mirror
    timeout = 10  # a stuck client cannot hold a server thread for long

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        name = path.rsplit("/", 1)[-1]
        with self.mirror.lock:
            self.mirror.requests.append(path)
            fault = self.mirror.faults.get(name)
            if fault == "cut_once":
                del self.mirror.faults[name]
        file = self.mirror.root / name
        if fault == "404" or not file.is_file() or path.startswith("/missing/"):
            self._send(404, b"Not Found")
            return
        if fault == "500":
            self._send(500, b"Internal Server Error")
            return
        body = file.read_bytes()
        if fault == "html":
            self._send(200, b"<!DOCTYPE html><html><body>Rate limited</body></html>\n" * 50)
            return
        if fault == "short":
            # A complete response of a file cut after 500 lines (the declared length matches).
            self._send(200, b"\n".join(body.split(b"\n")[:500]))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if fault in ("cut", "cut_once"):
            # Declares the whole file, sends a third, then hangs up: a broken connection.
            self.wfile.write(body[: len(body) // 3])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(root: Path) -> Iterator[Mirror]:
    """Serve ``root`` on 127.0.0.1 (a free port) until the block ends."""
    mirror = Mirror(root=root)
    handler = type("Handler", (_Handler,), {"mirror": mirror})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    mirror.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield mirror
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
