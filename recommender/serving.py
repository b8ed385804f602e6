"""Serving: one shared (catalog, model) pair per catalog kind, renewed in the background.

A server process holds one :class:`ServiceStore` per catalog kind (real or demo); every
session draws the same objects from it. The store hands out a matching pair:

- cold start: the first caller loads/trains (with progress); anyone arriving meanwhile waits
  on the same lock instead of loading a second copy;
- a staged start (``recommender.budget``): when the selection holds a big source that comes
  by download, the small sources serve first and the largest selection that fits the host's
  memory replaces them in the background once downloaded, built and trained;
- a stale model (older than ``RECOMMENDER_MAX_MODEL_AGE_DAYS``) or changed catalog files are
  noticed on a later request (files are checked at most once a minute) and renewed by the
  store's runner (a background thread); until the new pair is ready, everyone keeps using the
  old one.

Nothing per user is stored here. The clock and the runner are injected so tests can age a
model and run a renewal without waiting for either.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Final

from recommender.budget import SourcePlan, plan_sources
from recommender.data.sources import pick_sources
from recommender.data.store import open_catalog
from recommender.domain import Catalog, LoadNote
from recommender.engine.model import MODEL_FILENAME, TrackModel, needs_retrain, open_model, train
from recommender.host import Memory, read_memory
from recommender.settings import Settings

log = logging.getLogger(__name__)

FILE_CHECK_INTERVAL_S: Final = 60.0
# The model of the quick catalog a staged start serves first (the full one keeps the default).
QUICK_MODEL_FILENAME: Final = "track_model-quick.joblib"
# After a failed switch to the full catalog, the next request this long after tries again.
UPGRADE_RETRY_S: Final = 600.0
# Taken as the limit when none can be read: every selected source is planned in.
_NO_LIMIT: Final = 1 << 62
Progress = Callable[[float, str], None]
# Runs ``job`` in the background under a thread name; the default starts a daemon thread.
Runner = Callable[[Callable[[], None], str], None]
Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True, slots=True)
class Services:
    """A catalog, the model trained on it, and what loading them worked around.

    ``notes`` are the load's :class:`LoadNote` s (a damaged cache rebuilt, an unwritable
    folder): they travel with the pair they describe, so a renewal replaces both at once.
    """

    catalog: Catalog
    model: TrackModel
    notes: tuple[LoadNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Clock:
    """Where the store reads time: ``monotonic`` for intervals, ``now`` for model age."""

    monotonic: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def thread_runner(job: Callable[[], None], name: str) -> None:
    """Run ``job`` in a daemon thread (the store's default runner)."""
    threading.Thread(target=job, name=name, daemon=True).start()


def source_signature(settings: Settings) -> Signature:
    """Size and mtime of every file the catalog may be built from (cheap change detection)."""
    roots = [*settings.catalog_paths, *([settings.data_dir] if settings.data_dir else [])]
    entries: list[tuple[str, int, int]] = []
    for root in roots:
        paths = sorted(root.iterdir()) if root.is_dir() else [root]
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.is_file():
                entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def _demo_catalog() -> Catalog:
    from recommender.data import demo

    return demo.demo_catalog()


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class Upgrade:
    """The full catalog being prepared behind the quick one: its sources and how far it is."""

    sources: tuple[str, ...]
    tracks: int  # the public files' rows, an upper bound
    fraction: float = 0.0
    text: str = "starting"


def _upgrade_failed(reason: str) -> str:
    return (
        f"the full catalog could not be prepared: {reason}; "
        f"tried again {UPGRADE_RETRY_S / 60:.0f} minutes after"
    )


def narrowed(settings: Settings, sources: tuple[str, ...]) -> Settings:
    """``settings`` selecting only ``sources``."""
    return replace(settings, sources=sources)


@dataclass
class ServiceStore:
    """The shared (catalog, model) pair of one catalog kind and its renewal machinery.

    ``open`` is the one entry point: it returns the current :class:`Services`, notes
    included, loading them first if nobody has yet. Every field below is read and written
    under ``state_lock`` except ``services`` itself, which is replaced whole (one reference
    assignment) so a reader sees the old pair or the new one, never a mix.
    """

    demo: bool
    clock: Clock = field(default_factory=Clock)
    runner: Runner = thread_runner
    file_check_interval_s: float = FILE_CHECK_INTERVAL_S
    memory: Callable[[], Memory] = read_memory
    # Run on a pair built in the background before it replaces the served one (the app
    # builds its search index here, so the first search after a switch does not wait).
    prepare: Callable[[Services], None] | None = None
    services: Services | None = None
    # The staged plan of the first load (None: the files are given, or the demo).
    plan: SourcePlan | None = None
    upgrade: Upgrade | None = None
    serving_quick: bool = False
    upgrade_started: float = 0.0
    signature: Signature = ()
    checked_at: float = 0.0
    renewing: bool = False
    last_renewal: str | None = None
    load_lock: threading.Lock = field(default_factory=threading.Lock)
    state_lock: threading.Lock = field(default_factory=threading.Lock)
    _idle: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._idle = threading.Condition(self.state_lock)

    @property
    def notes(self) -> tuple[LoadNote, ...]:
        """What the load of the pair being served worked around (empty before a load)."""
        current = self.services
        return current.notes if current is not None else ()

    def _plan(self, settings: Settings) -> SourcePlan | None:
        # Only downloads are staged and budgeted: given files are served as they are.
        if self.demo or settings.catalog_paths or settings.data_dir is not None:
            return None
        limit = self.memory().limit_bytes or _NO_LIMIT
        plan = plan_sources(pick_sources(settings.sources), limit_bytes=limit)
        note = plan.left_out_note()
        if note:
            log.warning("memory budget: %s", note)
        return plan

    def _serving(self, settings: Settings) -> Settings:
        """``settings`` as served: without the sources the memory budget left out."""
        plan = self.plan
        return narrowed(settings, plan.full) if plan is not None else settings

    def _build(
        self,
        settings: Settings,
        progress: Progress | None,
        *,
        force: bool,
        artifact: str = MODEL_FILENAME,
    ) -> Services:
        if self.demo:
            # The demo model stays in memory: it must never replace the real model's artifact.
            catalog = _demo_catalog()
            return Services(catalog=catalog, model=train(catalog, now=self.clock.now()))
        started = self.clock.monotonic()
        loaded = open_catalog(settings, progress=progress)
        catalog = loaded.catalog
        if progress:
            progress(0.9, f"Preparing the model for {catalog.tracks.height:,} tracks…")
        model_load = open_model(
            catalog, settings, clock=self.clock.now, force=force, artifact=artifact
        )
        model = model_load.model
        # One line per load: the end-to-end tests count them to prove a single shared load.
        log.info(
            "loaded the catalog (%d tracks) and the model (trained %s) in %.1f s",
            catalog.tracks.height,
            _stamp(model.trained_at),
            self.clock.monotonic() - started,
        )
        memory = read_memory()
        # A replica short of memory is the first thing to check when it restarts or crawls.
        log.log(
            logging.WARNING if memory.high else logging.INFO,
            "memory after loading %d tracks: %s",
            catalog.tracks.height,
            memory.describe(),
        )
        return Services(catalog=catalog, model=model, notes=(*loaded.notes, *model_load.notes))

    def open(self, settings: Settings, *, progress: Progress | None = None) -> Services:
        """The current pair and its load notes, loading it first if nobody has yet."""
        if self.services is None:
            with self.load_lock:
                if self.services is None:
                    signature = () if self.demo else source_signature(settings)
                    plan = self.plan = self._plan(settings)
                    if plan is not None and plan.staged:
                        first = narrowed(settings, plan.first)
                        services = self._build(
                            first, progress, force=False, artifact=QUICK_MODEL_FILENAME
                        )
                        self.serving_quick = True
                    else:
                        services = self._build(self._serving(settings), progress, force=False)
                    with self.state_lock:
                        self.signature = signature
                        self.checked_at = self.clock.monotonic()
                    self.services = services
                    if plan is not None and plan.staged:
                        self._start_upgrade(settings, plan)
            assert self.services is not None
            return self.services
        if self.serving_quick:
            # The full catalog replaces the quick one (and is renewed after that).
            self._maybe_retry_upgrade(settings)
        else:
            self._maybe_renew(settings)
        return self.services

    def _maybe_retry_upgrade(self, settings: Settings) -> None:
        plan = self.plan
        if plan is None or not plan.staged:
            return
        with self.state_lock:
            if self.clock.monotonic() - self.upgrade_started < UPGRADE_RETRY_S:
                return
        self._start_upgrade(settings, plan)

    def _start_upgrade(self, settings: Settings, plan: SourcePlan) -> None:
        with self.state_lock:
            if self.renewing:
                return
            self.renewing = True
            self.upgrade = Upgrade(sources=plan.full, tracks=plan.full_tracks)
            self.upgrade_started = self.clock.monotonic()
        log.info(
            "serving %s first; preparing %s in the background",
            ", ".join(plan.first),
            ", ".join(plan.full),
        )
        self.runner(lambda: self._run_upgrade(settings, plan), "catalog-upgrade")

    def _upgrade_progress(self, fraction: float, text: str) -> None:
        with self.state_lock:
            if self.upgrade is not None:
                self.upgrade = replace(self.upgrade, fraction=fraction, text=text)

    def _run_upgrade(self, settings: Settings, plan: SourcePlan) -> None:
        outcome = "the switch to the full catalog stopped by an unexpected error"
        try:
            try:
                fresh = self._build(
                    narrowed(settings, plan.full), self._upgrade_progress, force=False
                )
            except (OSError, ValueError, RuntimeError) as error:
                # The quick catalog keeps serving; the Model page says why.
                outcome = _upgrade_failed(str(error))
                log.warning("staged start: %s", outcome)
            else:
                missing = [n.message for n in fresh.notes if n.kind == "source_left_out"]
                if missing:
                    # Without the big files it is the quick catalog again: keep serving that.
                    outcome = _upgrade_failed("; ".join(missing))
                    log.warning("staged start: %s", outcome)
                    return
                if self.prepare is not None:
                    self.prepare(fresh)
                # Catalog and model replace the quick pair at once: a page run holds one pair.
                self.services, self.serving_quick = fresh, False
                outcome = (
                    f"switched to the full catalog ({fresh.catalog.tracks.height:,} tracks) "
                    f"at {_stamp(self.clock.now())}"
                )
                log.info("staged start: %s", outcome)
        finally:
            with self.state_lock:
                self.last_renewal = outcome
                self.upgrade = None
                self.renewing = False
                self._idle.notify_all()

    def stale_reason(self, settings: Settings) -> str | None:
        """Why the current pair should be renewed, or None (call with ``state_lock`` held)."""
        current = self.services
        if current is None:
            return None
        now = self.clock.monotonic()
        if not self.demo and now - self.checked_at >= self.file_check_interval_s:
            self.checked_at = now
            if source_signature(settings) != self.signature:
                return "the catalog files changed"
        return needs_retrain(current.model, current.catalog, settings, now=self.clock.now())

    def _maybe_renew(self, settings: Settings) -> None:
        with self.state_lock:
            if self.renewing:
                return
            reason = self.stale_reason(settings)
            if reason is None:
                return
            self.renewing = True
        log.info("renewing the model in the background: %s", reason)
        self.runner(lambda: self._renew(settings, reason), "model-renewal")

    def _renew(self, settings: Settings, reason: str) -> None:
        outcome = f"renewal stopped by an unexpected error ({reason})"
        signature: Signature | None = None
        try:
            try:
                new_signature = () if self.demo else source_signature(settings)
                fresh = self._build(self._serving(settings), None, force=False)
            except (OSError, ValueError, RuntimeError) as error:
                # The old pair keeps serving; the Model page shows what went wrong.
                outcome = f"renewal failed ({reason}): {error}"
                log.warning("model renewal failed: %s", error)
            else:
                if self.prepare is not None:
                    self.prepare(fresh)
                self.services, signature = fresh, new_signature
                outcome = f"renewed at {_stamp(self.clock.now())} because {reason}"
        finally:
            with self.state_lock:
                if signature is not None:
                    self.signature = signature
                self.last_renewal = outcome
                self.renewing = False
                self._idle.notify_all()

    def _artifact(self) -> str:
        # While the quick catalog serves, its retraining must not overwrite the full model.
        return QUICK_MODEL_FILENAME if self.serving_quick else MODEL_FILENAME

    def wait_until_idle(self, timeout_s: float) -> bool:
        """Wait until no renewal runs; False when ``timeout_s`` passed first."""
        with self.state_lock:
            return self._idle.wait_for(lambda: not self.renewing, timeout=timeout_s)

    def retrain_now(self, settings: Settings) -> Services:
        """Retrain synchronously (admin button); others keep the old pair until it is done.

        The catalog's load notes stay with the pair; the retraining adds its own.
        """
        with self.load_lock:
            current = self.services
            if current is None:
                return self.open(settings)
            if self.demo:
                fresh = replace(current, model=train(current.catalog, now=self.clock.now()))
            else:
                model_load = open_model(
                    current.catalog,
                    settings,
                    clock=self.clock.now,
                    force=True,
                    artifact=self._artifact(),
                )
                # The catalog's notes still hold; of the model's, only what this training
                # worked around (that it retrained is what was asked for).
                kept = tuple(n for n in current.notes if not n.kind.startswith("model_"))
                added = tuple(n for n in model_load.notes if n.kind != "model_retrained")
                fresh = Services(
                    catalog=current.catalog, model=model_load.model, notes=(*kept, *added)
                )
            self.services = fresh
            with self.state_lock:
                self.last_renewal = f"retrained on request at {_stamp(self.clock.now())}"
            return fresh
