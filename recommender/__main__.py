"""Entry point: ``python -m recommender <command>`` (the commands live in ``recommender.cli``)."""

from __future__ import annotations

import sys

from recommender.cli import main

if __name__ == "__main__":
    sys.exit(main())
