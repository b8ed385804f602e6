"""Logging set up by the entry points (the app, the CLI), never by importing a module."""

from __future__ import annotations

import logging
from collections.abc import Sequence

_MARK = "recommender_console"


def log_to_console(names: Sequence[str], *, level: int = logging.INFO) -> None:
    """Print the named loggers' lines (loads, training, cache rebuilds) on stderr.

    Streamlit configures only its own loggers; without a handler, Python drops INFO lines and
    prints warnings bare. Safe to call on every rerun: each logger gets one handler per process.
    """
    for name in names:
        named = logging.getLogger(name)
        if any(getattr(handler, _MARK, False) for handler in named.handlers):
            continue
        handler = logging.StreamHandler()
        setattr(handler, _MARK, True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        named.addHandler(handler)
        named.setLevel(level)
