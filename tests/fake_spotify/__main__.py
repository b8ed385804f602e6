"""Run the fake Spotify as a process for browser tests: ``python -m tests.fake_spotify --port N``.

It prints one line, ``FAKE_SPOTIFY_READY <base url>``, once it listens. With ``--catalog PATH``
(file or folder, as RECOMMENDER_CATALOG) the users' top tracks come from that catalog,
otherwise from the hand-built factory catalog. ``--login-as`` picks the user ``/authorize``
logs in; a running fake can be switched with ``POST /_control/login_as?user=bob``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path

from tests.fake_spotify import build_fake, factory_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fake_spotify")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--catalog", type=Path, action="append", default=[])
    parser.add_argument("--login-as", default="alice")
    args = parser.parse_args(argv)
    if args.catalog:
        from recommender.data.read import build_catalog

        tracks = build_catalog(args.catalog).tracks
    else:
        tracks = factory_catalog().tracks
    fake = build_fake(tracks)
    fake.login_as(args.login_as)
    fake.start(args.port)
    print(f"FAKE_SPOTIFY_READY {fake.base_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
