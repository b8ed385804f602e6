"""The guests' search index is built once per catalog, before the first search when it can."""

from __future__ import annotations

import threading

from recommender.seeds.search import SearchIndex
from tests.factories import make_catalog
from ui.search_indexes import KEPT, SearchIndexes


class CountingBuild:
    """SearchIndex.build that counts its calls and can be held until released."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()

    def __call__(self, catalog) -> SearchIndex:
        self.calls += 1
        self.started.set()
        assert self.release.wait(10), "the test never released the build"
        return SearchIndex.build(catalog)


def _catalog(name: str):
    return make_catalog([{"name": f"{name} {i}", "artists": [f"Artist {i}"]} for i in range(5)])


def test_a_search_during_the_warm_build_waits_for_it_instead_of_building_again():
    build = CountingBuild()
    build.release.clear()
    indexes = SearchIndexes(build)
    catalog = _catalog("Song")
    warming = indexes.warm(catalog)
    assert warming is not None
    assert build.started.wait(10)
    assert not indexes.ready(catalog)
    searched: list[SearchIndex] = []
    searcher = threading.Thread(target=lambda: searched.append(indexes.index_for(catalog)))
    searcher.start()
    build.release.set()
    searcher.join(10)
    warming.join(10)
    assert build.calls == 1
    assert indexes.ready(catalog)
    assert searched == [indexes.index_for(catalog)]
    assert [h.name for h in searched[0].search("song 3")] == ["Song 3"]
    assert indexes.warm(catalog) is None  # built: nothing more to start


def test_only_the_latest_catalogs_are_kept():
    indexes = SearchIndexes(CountingBuild())
    catalogs = [_catalog(f"Set{i}") for i in range(KEPT + 1)]
    for catalog in catalogs:
        indexes.index_for(catalog)
    assert [indexes.ready(c) for c in catalogs] == [False] + [True] * KEPT
