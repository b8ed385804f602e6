"""Where the catalog comes from and where it is kept: locate the sources, then the Parquet cache.

``load_catalog`` is the one entry point: find the files (``RECOMMENDER_CATALOG`` ->
``RECOMMENDER_DATA_DIR`` -> the download cache -> a download, see ``locate_catalog_files``),
then return the cached catalog for their fingerprint or build it with ``read`` and cache it.
Reading (``read``) and fetching (``fetch``) know nothing of this module, so imports run one way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
from filelock import FileLock, Timeout

from recommender.data.detect import CatalogError, expand_sources, supported_files
from recommender.data.fetch import (
    ProgressCallback,
    cached_files,
    download_sources,
    downloads_dir,
)
from recommender.data.read import Progress, build_from_files, fingerprint, with_skipped_files
from recommender.data.sources import selected_sources
from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA, Catalog, LoadNote, LoadNoteKind
from recommender.settings import Settings

logger = logging.getLogger(__name__)

# Replicas sharing one cache volume: one builds, the others wait this long, then read its file.
BUILD_LOCK_TIMEOUT_SECONDS = 600.0


def _cache_paths(cache_dir: Path, key: str) -> tuple[Path, Path, Path]:
    base = cache_dir / "catalog"
    return (
        base / f"catalog-{key}.tracks.parquet",
        base / f"catalog-{key}.playlists.parquet",
        base / f"catalog-{key}.report.json",
    )


def _read_cache(cache_dir: Path, key: str, notes: list[LoadNote]) -> Catalog | None:
    tracks_path, playlists_path, report_path = _cache_paths(cache_dir, key)
    if not report_path.exists():
        return None
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        # One chunk per column: a gather of a few rows from a frame read in row groups costs
        # milliseconds per call at a million tracks (every page reads rows by id many times).
        tracks = pl.read_parquet(tracks_path).rechunk()
        playlists = pl.read_parquet(playlists_path).rechunk()
        if tracks["track_id"].is_sorted():
            # Parquet does not keep polars' sorted flag; with it, rows are found by bisection.
            tracks = tracks.with_columns(pl.col("track_id").set_sorted())
        if (
            tracks.schema != CATALOG_SCHEMA
            or playlists.schema != PLAYLIST_SCHEMA
            or report.get("fingerprint") != key
            or report.get("tracks") != tracks.height
        ):
            msg = "schema, fingerprint or row count does not match"
            raise ValueError(msg)
    except (OSError, ValueError, pl.exceptions.PolarsError, AttributeError) as exc:
        _note(
            notes,
            "catalog_cache_rebuilt",
            f"catalog cache {report_path} is unusable ({exc}); rebuilding",
        )
        return None
    return Catalog(tracks=tracks, playlists=playlists, fingerprint=key, report=report)


def _write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        # A failed write (e.g. a full disk) must not leave half a file taking up the space.
        tmp.unlink(missing_ok=True)


def _write_cache(cache_dir: Path, catalog: Catalog) -> None:
    tracks_path, playlists_path, report_path = _cache_paths(cache_dir, catalog.fingerprint)
    tracks_path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(tracks_path, catalog.tracks.write_parquet)
    _write_atomic(playlists_path, catalog.playlists.write_parquet)
    # The report goes last: its presence marks a complete cache entry.
    text = json.dumps(catalog.report, indent=1)
    _write_atomic(report_path, lambda p: p.write_text(text, encoding="utf-8"))


@dataclass(frozen=True, slots=True)
class CatalogLoad:
    """A loaded catalog and what the load worked around (rebuilt cache, unwritable folder)."""

    catalog: Catalog
    notes: tuple[LoadNote, ...] = ()


def _note(notes: list[LoadNote], kind: LoadNoteKind, message: str) -> None:
    # Logged for the server's output and returned for the caller to show.
    logger.warning("%s", message)
    notes.append(LoadNote(kind=kind, message=message))


def open_catalog(settings: Settings, *, progress: Progress | None = None) -> CatalogLoad:
    """Like :func:`load_catalog`, and also say what the load had to work around.

    Raises:
        CatalogUnavailable: (a CatalogError) nothing configured, cached or downloadable;
            the message lists what was tried and what to do.
        CatalogError: a bad source file.
    """
    notes: list[LoadNote] = []
    located = locate_catalog_files(settings, progress=progress)
    for problem in located.problems:
        _note(notes, "source_left_out", f"building the catalog without {problem}")
    files, skipped = expand_sources(located.paths)
    if progress:
        progress(0.0, "checking source files")
    key = fingerprint(files)
    catalog = _read_cache(settings.cache_dir, key, notes)
    if catalog is None:
        with contextlib.ExitStack() as stack:
            _hold_build_lock(stack, settings.cache_dir, key)
            # Another process (a replica on the same volume) may have built it meanwhile; a
            # damaged entry was noted by the first read already.
            catalog = _read_cache(settings.cache_dir, key, [])
            if catalog is None:
                catalog = build_from_files(files, fingerprint=key, progress=progress)
                try:
                    _write_cache(settings.cache_dir, catalog)
                except OSError as exc:
                    # A read-only or full disk costs start-up time, not the catalog itself.
                    message = f"could not write the catalog cache in {settings.cache_dir}: {exc}"
                    _note(notes, "catalog_cache_unwritable", message)
    if progress:
        progress(1.0, f"catalog ready: {catalog.tracks.height:,} tracks")
    return CatalogLoad(catalog=with_skipped_files(catalog, skipped), notes=tuple(notes))


def load_catalog(settings: Settings, *, progress: Progress | None = None) -> Catalog:
    """Find the source files, then return the cached catalog or build and cache it.

    A warm start reads only the Parquet cache in ``settings.cache_dir``, keyed by the
    sources' fingerprint; a corrupt cache entry is rebuilt (see :func:`open_catalog` for
    what was worked around).

    Raises:
        CatalogUnavailable: (a CatalogError) nothing configured, cached or downloadable;
            the message lists what was tried and what to do.
        CatalogError: a bad source file.
    """
    return open_catalog(settings, progress=progress).catalog


def _hold_build_lock(stack: contextlib.ExitStack, cache_dir: Path, key: str) -> None:
    """Hold the build lock for ``key`` until ``stack`` closes; build unguarded if it cannot be had.

    A read-only cache or a lock held past the timeout costs a duplicate build, never the catalog.
    """
    lock_path = cache_dir / "catalog" / f"catalog-{key}.lock"
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        stack.enter_context(FileLock(str(lock_path), timeout=BUILD_LOCK_TIMEOUT_SECONDS))
    except (OSError, Timeout) as exc:
        logger.warning("catalog lock %s unavailable (%s); building without it", lock_path, exc)


# Named as the issue and the app use it. A CatalogError, so every handler of bad catalog input
# also handles it; the app catches it first to offer the demo catalog.
class CatalogUnavailable(CatalogError):  # noqa: N818
    """No catalog can be had: nothing configured, nothing cached, nothing downloadable.

    ``tried`` lists each place looked at with what happened; ``str(error)`` is the full
    message with what to do next, fit for the CLI and the app alike.
    """

    def __init__(self, tried: Sequence[str]) -> None:
        self.tried = tuple(tried)
        lines = "\n".join(f"  - {line}" for line in self.tried)
        super().__init__(
            "No catalog of real tracks could be had. Tried, in order:\n"
            f"{lines}\n"
            "What to do: connect to the internet and run `python -m recommender download`; "
            "or set RECOMMENDER_MIRROR_URL to a server holding the dataset files under their "
            "public names; or put the dataset files in a folder and point RECOMMENDER_DATA_DIR "
            "(or RECOMMENDER_CATALOG) at it (docs/data.md). Until then the app can run "
            "on its labelled synthetic demo catalog."
        )


@dataclass(frozen=True, slots=True)
class CatalogFiles:
    """The files the catalog is built from and where in the lookup order they were found."""

    paths: tuple[Path, ...]
    origin: Literal["RECOMMENDER_CATALOG", "RECOMMENDER_DATA_DIR", "download cache", "download"]
    problems: tuple[str, ...] = field(default=())


def locate_catalog_files(
    settings: Settings, *, progress: ProgressCallback | None = None
) -> CatalogFiles:
    """Find the files to build the catalog from, downloading them as a last resort.

    Order: ``RECOMMENDER_CATALOG`` (taken as given; its problems are the builder's to
    report) → every supported file in ``RECOMMENDER_DATA_DIR`` → intact files in the
    download cache → a download of the missing ones. Some files failing still yields a
    catalog from the rest, with the failures in ``problems``.

    Raises:
        CatalogUnavailable: listing everything tried when not one file could be had.
    """
    if settings.catalog_paths:
        return CatalogFiles(paths=tuple(settings.catalog_paths), origin="RECOMMENDER_CATALOG")
    tried = ["RECOMMENDER_CATALOG: not set"]
    if settings.data_dir is None:
        tried.append("RECOMMENDER_DATA_DIR: not set")
    elif not settings.data_dir.is_dir():
        tried.append(f"RECOMMENDER_DATA_DIR={settings.data_dir}: no such folder")
    else:
        files = supported_files(settings.data_dir)
        if files:
            return CatalogFiles(paths=tuple(files), origin="RECOMMENDER_DATA_DIR")
        tried.append(f"RECOMMENDER_DATA_DIR={settings.data_dir}: no supported dataset file in it")
    sources = selected_sources(settings)
    wanted = sum(len(source.files) for source in sources)
    cached, notes = cached_files(settings, sources)
    if len(cached) == wanted:
        return CatalogFiles(paths=tuple(f.path for f in cached if f.path), origin="download cache")
    tried.append(
        f"download cache {downloads_dir(settings)}: {len(cached)} of {wanted} files intact"
        + (f" ({'; '.join(notes)})" if notes else "")
    )
    result = download_sources(settings, sources=sources, progress=progress)
    problems = tuple(
        f"{f.source}/{f.name}: " + ("; ".join(f.errors) or "no URL to try") for f in result.failures
    )
    if result.paths:
        return CatalogFiles(paths=tuple(result.paths), origin="download", problems=problems)
    raise CatalogUnavailable([*tried, *(f"download {line}" for line in problems)])
