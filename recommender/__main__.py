"""Entry point: ``python -m recommender <command>`` (the commands live in ``recommender.cli``)."""

from __future__ import annotations

import logging
import sys

from recommender.cli import main

if __name__ == "__main__":
    # Warnings (a cache that could not be written, a source left out) on stderr, bare, as
    # Python prints them without a handler; the commands' own output goes to stdout.
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    sys.exit(main())
