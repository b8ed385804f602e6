"""Command line: ``python -m recommender <command>``; each command lives beside its logic."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module exposes ``add_cli(subparsers)``, which registers its commands and sets
# ``func(args) -> int`` on the parser. Adding a command means adding its module here.
COMMAND_MODULES = (
    "recommender.catalog",
    "recommender.download",
    "recommender.evaluate",
    "recommender.history",
    "recommender.model",
    "recommender.recommend",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m recommender", description="Spotify track recommender tools"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_cli(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
