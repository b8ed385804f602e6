"""Cached loaders: the catalog and the model, shared read-only by every visitor.

Both live in one ``st.cache_resource`` store per catalog kind (real or demo), so every
session of the server sees the same objects (``st.cache_data`` would copy the 75k-row catalog
on every rerun). The store hands out a matching (catalog, model) pair:

- cold start: the first visitor loads/trains behind a progress display; anyone arriving
  meanwhile waits on the same lock instead of loading a second copy;
- a stale model (older than ``RECOMMENDER_MAX_MODEL_AGE_DAYS``) or changed catalog files are
  noticed on a later request (files are checked at most once a minute) and renewed in a
  background thread; until the new pair is ready, everyone keeps using the old one.

Nothing per user is stored here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

import streamlit as st
import threadpoolctl
from streamlit.errors import StreamlitSecretNotFoundError

from recommender.data.store import CatalogUnavailable, open_catalog
from recommender.domain import Catalog, LoadNote
from recommender.engine.model import TrackModel, load_or_train, needs_retrain, open_model, train
from recommender.settings import Settings
from ui import state
from ui.plain import plain

log = logging.getLogger(__name__)

FILE_CHECK_INTERVAL_S: Final = 60.0
Progress = Callable[[float, str], None]


@dataclass(frozen=True, slots=True)
class Services:
    """A catalog and the model trained on it (always a matching pair)."""

    catalog: Catalog
    model: TrackModel


def _secrets() -> dict[str, object]:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def get_settings() -> Settings:
    """Settings from the environment first, then ``st.secrets`` (cheap; read per run)."""
    return Settings.from_sources(secrets=_secrets())


def _source_signature(settings: Settings) -> tuple[tuple[str, int, int], ...]:
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


@dataclass
class ServiceStore:
    """The shared (catalog, model) pair of one catalog kind and its renewal machinery."""

    demo: bool
    services: Services | None = None
    signature: tuple[tuple[str, int, int], ...] = ()
    checked_at: float = 0.0
    renewing: bool = False
    last_renewal: str | None = None
    # What the last load had to work around (a damaged cache rebuilt, an unwritable folder).
    notes: tuple[LoadNote, ...] = ()
    load_lock: threading.Lock = field(default_factory=threading.Lock)
    state_lock: threading.Lock = field(default_factory=threading.Lock)

    def _build(self, settings: Settings, progress: Progress | None, *, force: bool) -> Services:
        if self.demo:
            # The demo model stays in memory: it must never replace the real model's artifact.
            catalog = _demo_catalog()
            return Services(catalog=catalog, model=train(catalog))
        started = time.monotonic()
        loaded = open_catalog(settings, progress=progress)
        catalog = loaded.catalog
        if progress:
            progress(0.9, f"Preparing the model for {catalog.tracks.height:,} tracks…")
        model_load = open_model(catalog, settings, force=force)
        model = model_load.model
        self.notes = (*loaded.notes, *model_load.notes)
        # One line per load: the end-to-end tests count them to prove a single shared load.
        log.info(
            "loaded the catalog (%d tracks) and the model (trained %s) in %.1f s",
            catalog.tracks.height,
            f"{model.trained_at:%Y-%m-%d %H:%M} UTC",
            time.monotonic() - started,
        )
        return Services(catalog=catalog, model=model)

    def get(self, settings: Settings, *, progress: Progress | None = None) -> Services:
        """Return the current pair, loading it first if nobody has yet."""
        if self.services is None:
            with self.load_lock:
                if self.services is None:
                    signature = () if self.demo else _source_signature(settings)
                    self.services = self._build(settings, progress, force=False)
                    self.signature = signature
                    self.checked_at = time.monotonic()
            return self.services
        self._maybe_renew(settings)
        return self.services

    def stale_reason(self, settings: Settings) -> str | None:
        """Why the current pair should be renewed, or None."""
        current = self.services
        if current is None:
            return None
        now = time.monotonic()
        if not self.demo and now - self.checked_at >= FILE_CHECK_INTERVAL_S:
            self.checked_at = now
            if _source_signature(settings) != self.signature:
                return "the catalog files changed"
        return needs_retrain(current.model, current.catalog, settings, now=datetime.now(UTC))

    def _maybe_renew(self, settings: Settings) -> None:
        with self.state_lock:
            if self.renewing:
                return
            reason = self.stale_reason(settings)
            if reason is None:
                return
            self.renewing = True
        log.info("renewing the model in the background: %s", reason)
        threading.Thread(
            target=self._renew, args=(settings, reason), name="model-renewal", daemon=True
        ).start()

    def _renew(self, settings: Settings, reason: str) -> None:
        try:
            signature = () if self.demo else _source_signature(settings)
            fresh = self._build(settings, None, force=False)
            self.services, self.signature = fresh, signature
            self.last_renewal = (
                f"renewed at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC because {reason}"
            )
        except (OSError, ValueError, RuntimeError) as error:
            # The old pair keeps serving; the Model page shows what went wrong.
            self.last_renewal = f"renewal failed ({reason}): {error}"
            log.warning("model renewal failed: %s", error)
        finally:
            with self.state_lock:
                self.renewing = False

    def retrain_now(self, settings: Settings) -> Services:
        """Retrain synchronously (admin button); others keep the old pair until it is done."""
        with self.load_lock:
            catalog = self.services.catalog if self.services else None
            if catalog is None:
                return self.get(settings)
            model = train(catalog) if self.demo else load_or_train(catalog, settings, force=True)
            self.services = Services(catalog=catalog, model=model)
            self.last_renewal = f"retrained on request at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
            return self.services


@st.cache_resource(show_spinner=False)
def _one_blas_thread() -> threadpoolctl.threadpool_limits:
    """Run BLAS single-threaded in this server process (once; kept for the process's life).

    A query's matrix product is small (seeds x 31 columns x the catalog), and the server
    answers many sessions at once on few cores. OpenBLAS's worker threads then spin waiting
    for cores others hold: on the 2-core machine under load, one engine call took 270 ms
    with two BLAS threads and 67 ms with one (``benchmarks/bench_browser_slider.py`` shows
    what that means for a slider move).
    """
    return threadpoolctl.threadpool_limits(limits=1, user_api="blas")


@st.cache_resource(show_spinner=False)
def service_store(demo: bool, cache_dir: str) -> ServiceStore:
    """The one store per catalog kind and cache folder in this server process."""
    del cache_dir  # only part of the cache key: another cache folder means another store
    return ServiceStore(demo=demo)


def using_demo() -> bool:
    """True when this session chose the labelled demo catalog."""
    return state.get(state.USE_DEMO_CATALOG, False)


def current_store() -> ServiceStore:
    """The store this session draws from (real or demo catalog)."""
    settings = get_settings()
    return service_store(using_demo(), str(settings.cache_dir))


def _choose_demo() -> None:
    state.put(state.USE_DEMO_CATALOG, True)


def load_services() -> Services | None:
    """The (catalog, model) pair with progress on a cold start; None after showing an error.

    When no real catalog can be had, the error says why and what to do, and offers the
    clearly labelled demo catalog instead.
    """
    _one_blas_thread()
    settings = get_settings()
    store = current_store()
    if store.services is not None:
        return store.get(settings)
    if store.load_lock.locked():
        with st.spinner("Another visitor is loading the catalog and model; this takes a moment…"):
            return store.get(settings)
    with st.status("Loading the catalog and the model (first start only)…", expanded=True) as box:
        bar = st.progress(0.0, text="Looking for the catalog files…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(1.0, max(0.0, fraction)), text=plain(text))

        try:
            services = store.get(settings, progress=progress)
        except (OSError, ValueError, RuntimeError) as error:
            # The bar would stay green at its last step: the box alone shows the failure.
            bar.empty()
            box.update(label="The catalog could not be loaded", state="error", expanded=True)
            # One sentence of what failed and what to do; the full message in the details.
            if isinstance(error, CatalogUnavailable):
                st.error(
                    "No catalog of real tracks could be found or downloaded (no internet "
                    "here?): put the dataset files in a folder and set RECOMMENDER_DATA_DIR to "
                    "it, or try the demo catalog below."
                )
            else:
                st.error(
                    "The catalog or the model could not be loaded; the details below name the "
                    "file. Fix or remove it and reload, or try the demo catalog below."
                )
            with st.expander("Details: what was tried"):
                st.code(str(error), language=None, wrap_lines=True)
            if not using_demo():
                st.button(
                    "Use the demo catalog (synthetic tracks, for trying the app only)",
                    key=state.USE_DEMO,
                    on_click=_choose_demo,
                )
            return None
        box.update(
            label=f"Ready: {services.catalog.tracks.height:,} tracks",
            state="complete",
            expanded=bool(store.notes),
        )
        show_storage_notes()
    return services


def show_storage_notes() -> None:
    """Say what the last load worked around (rebuilt cache, files kept in memory only)."""
    for note in current_store().notes:
        st.warning(
            f"{plain(note.message)}. The app keeps working; if this repeats, check the cache "
            "folder (RECOMMENDER_CACHE_DIR): it must be writable and have free space."
        )
