"""The guests' search index: one per catalog and server process, built before it is needed.

Building the index over a million tracks takes seconds, so the first visitor who types must
not be the one who pays for it: :func:`warm` starts the build in a background thread as soon
as a catalog is served, and :func:`index_for` waits for that build instead of starting a
second one. The index holds catalog text only, no visitor's data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from recommender.domain import Catalog
from recommender.seeds.search import SearchIndex

# A server serves one catalog at a time; the previous one stays while sessions still use it.
KEPT: Final = 2


class SearchIndexes:
    """Indexes by catalog fingerprint, each built once (``build`` is the index's builder)."""

    def __init__(self, build: Callable[[Catalog], SearchIndex] = SearchIndex.build) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._ready: OrderedDict[str, SearchIndex] = OrderedDict()
        self._building: dict[str, threading.Lock] = {}

    def ready(self, catalog: Catalog) -> bool:
        """Whether the index of ``catalog`` is built (a search would not wait)."""
        with self._lock:
            return catalog.fingerprint in self._ready

    def index_for(self, catalog: Catalog) -> SearchIndex:
        """The index of ``catalog``: built now, or by the build already under way."""
        key = catalog.fingerprint
        with self._lock:
            index = self._ready.get(key)
            if index is not None:
                return index
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:  # a second caller waits here for the first one's build
            with self._lock:
                index = self._ready.get(key)
            if index is None:
                index = self._build(catalog)
                with self._lock:
                    self._ready[key] = index
                    while len(self._ready) > KEPT:
                        self._ready.popitem(last=False)
                    self._building.pop(key, None)
        return index

    def warm(self, catalog: Catalog) -> threading.Thread | None:
        """Build the index of ``catalog`` in a background thread, unless it is built."""
        if self.ready(catalog):
            return None
        thread = threading.Thread(
            target=self.index_for, args=(catalog,), name="search-index", daemon=True
        )
        thread.start()
        return thread


# One per server process, shared by every session (catalog text only).
INDEXES: Final = SearchIndexes()
