"""The command line, ``python -m recommender <command>``: every subcommand, registered here.

Core functions return data; the modules of this package read arguments, call the core once and
format what comes back for a terminal or as JSON.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from recommender.cli import catalog, download, evaluate, history, model, recommend, search

# Each module's ``register(subparsers)`` adds its commands and sets ``func(args) -> int``.
_COMMANDS = (catalog, download, evaluate, history, model, recommend, search)


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
    """Run one command and return its exit code.

    A reader that stops early (``... --json | head -1``) closes the pipe: that is the reader's
    choice, not a failure, so every command then ends quietly with exit code 0.
    """
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return 0
    return code


def _silence_stdout() -> None:
    # Python flushes stdout once more at exit; on a closed pipe that would print
    # "Exception ignored ... BrokenPipeError". Point the descriptor at /dev/null instead.
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stdout (tests) has none
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
