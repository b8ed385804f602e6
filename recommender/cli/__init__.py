"""The command line, ``python -m recommender <command>``: every subcommand, registered here.

Core functions return data; the modules of this package read arguments, call the core once and
format what comes back for a terminal or as JSON.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from recommender.cli import catalog, download, evaluate, history, model, recommend

# Each module's ``register(subparsers)`` adds its commands and sets ``func(args) -> int``.
_COMMANDS = (catalog, download, evaluate, history, model, recommend)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every ``python -m recommender`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m recommender", description="Spotify track recommender tools"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in _COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))
