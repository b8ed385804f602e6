"""A loopback HTTP mirror of the public dataset files, with switchable faults.

Tests lay dataset files out under the public file names (``public_files``: any files or
folders, zips included, recognised by header like the catalog does), serve that folder on
127.0.0.1 and point ``RECOMMENDER_MIRROR_URL`` at it. Nothing leaves the machine.
``python -m tests.mirror_server FILE_OR_FOLDER... --to DIR`` does the layout alone.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

HIT_PREDICTOR_DECADES = ("60s", "70s", "80s", "90s", "00s", "10s")

Fault = Literal["404", "500", "cut", "cut_once", "short", "html", "redirect"]


_DECADE_FILE = re.compile(r"dataset-of-(\d0s)\.csv$")


def public_name(kind: str, table_name: str) -> str:
    """The public file name a mirror must serve a table of ``kind`` under.

    Raises:
        ValueError: a Hit Predictor table whose name does not say its decade, or a kind no
            public source has.
    """
    if kind == "kaggle":
        return "dataset.csv"
    if kind == "tidytuesday":
        return "spotify_songs.csv"
    if kind == "tracks_1_2m":
        return "tracks_features.csv"
    if kind == "spotify_1m":
        return "spotify_data.csv"
    if kind == "hit_predictor":
        match = _DECADE_FILE.search(table_name)
        if match is None or match.group(1) not in HIT_PREDICTOR_DECADES:
            msg = f"{table_name}: a Hit Predictor table must be named dataset-of-<60s..10s>.csv"
            raise ValueError(msg)
        return match.group(0)
    msg = f"{table_name}: a {kind} table is not one of the public sources"
    raise ValueError(msg)


def public_files(sources: Sequence[Path], target: Path) -> Path:
    """Lay the tables in ``sources`` out under their public names in ``target``; return it.

    ``sources`` are files or folders as users have them (zips unpacked member by member,
    tables recognised by their header); what the downloader asks a mirror for is written.

    Raises:
        ValueError: two tables for one public name, or a table no public name fits.
    """
    from recommender.data.detect import source_tables

    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for table in source_tables(sources):
        name = public_name(table.adapter.kind, table.name)
        if name in written:
            msg = f"both {written[name]} and {table.name} would be the mirror's {name}"
            raise ValueError(msg)
        written[name] = table.name
        (target / name).write_bytes(table.read_bytes())
    return target


@dataclass
class Mirror:
    """What the server serves and what it was asked for."""

    root: Path
    url: str = ""
    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Range requests answered with 206 (False: every GET gets the whole file, status 200).
    honour_range: bool = True
    ranges: list[str] = field(default_factory=list)
    # Sent as X-Repo-Commit, as the Hugging Face hub names the commit it served.
    revision: str | None = None

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
        requested_range = self.headers.get("Range")
        with self.mirror.lock:
            self.mirror.requests.append(path)
            if requested_range:
                self.mirror.ranges.append(requested_range)
            # The target of a redirect is served as it is.
            fault = None if path.startswith("/redirected/") else self.mirror.faults.get(name)
            if fault == "cut_once":
                del self.mirror.faults[name]
        if fault == "redirect":
            # Like the hub's resolve URLs: a 302 that names the commit, then the file elsewhere.
            self.send_response(302)
            self.send_header("Location", f"/redirected/{name}")
            if self.mirror.revision:
                self.send_header("X-Repo-Commit", self.mirror.revision)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
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
        start = _range_start(requested_range, len(body)) if self.mirror.honour_range else None
        if start is not None:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            body = body[start:]
        else:
            self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if self.mirror.revision and not path.startswith("/redirected/"):
            self.send_header("X-Repo-Commit", self.mirror.revision)
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


def _range_start(header: str | None, size: int) -> int | None:
    """The first byte of a ``bytes=N-`` range inside the file, else None (send it whole)."""
    match = re.fullmatch(r"bytes=(\d+)-", header or "")
    if match is None:
        return None
    start = int(match.group(1))
    return start if 0 < start < size else None


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tests.mirror_server FILE_OR_FOLDER... --to DIR``: lay a mirror folder out."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.mirror_server",
        description="Write the dataset tables in the given files and folders (zips included) "
        "under the public names a RECOMMENDER_MIRROR_URL server must hold.",
    )
    parser.add_argument("sources", nargs="+", type=Path, metavar="FILE_OR_FOLDER")
    parser.add_argument("--to", type=Path, required=True, metavar="DIR")
    args = parser.parse_args(argv)
    try:
        target = public_files(args.sources, args.to)
    except ValueError as exc:  # CatalogError is a ValueError too
        print(f"mirror layout: {exc}", file=sys.stderr)
        return 2
    for path in sorted(target.iterdir()):
        print(path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
