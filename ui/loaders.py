"""Cached loaders: the catalog and the model, shared read-only by every visitor.

The shared pair comes from one :class:`recommender.serving.ServiceStore` per catalog kind
(real or demo) and cache folder, kept by ``st.cache_resource`` so every session of the server
sees the same objects (``st.cache_data`` would copy the 75k-row catalog on every rerun). This
module adds what only a page needs: progress on a cold start, the error box, the demo offer.
Nothing per user is stored here.
"""

from __future__ import annotations

import gc
from typing import Final

import streamlit as st
import threadpoolctl
from streamlit.errors import StreamlitSecretNotFoundError

from recommender.data.store import CatalogUnavailable
from recommender.serving import Services, ServiceStore
from recommender.settings import Settings
from ui import state
from ui.plain import plain
from ui.search_indexes import INDEXES

# How often the "preparing the larger catalog" line refreshes itself.
_STATUS_REFRESH_S: Final = 5.0

__all__ = ["ServiceStore", "Services", "current_store", "get_settings", "load_services"]


def _secrets() -> dict[str, object]:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def get_settings() -> Settings:
    """Settings from the environment first, then ``st.secrets`` (cheap; read per run)."""
    return Settings.from_sources(secrets=_secrets())


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
    return ServiceStore(demo=demo, prepare=_index_before_serving)


def _index_before_serving(services: Services) -> None:
    # A catalog that replaces another in the background is indexed before it serves.
    INDEXES.index_for(services.catalog)


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
        return _warmed(store.open(settings))
    if store.load_lock.locked():
        with st.spinner("Another visitor is loading the catalog and model; this takes a moment…"):
            return _warmed(store.open(settings))
    with st.status("Loading the catalog and the model (first start only)…", expanded=True) as box:
        bar = st.progress(0.0, text="Looking for the catalog files…")

        def progress(fraction: float, text: str) -> None:
            bar.progress(min(1.0, max(0.0, fraction)), text=plain(text))

        try:
            services = store.open(settings, progress=progress)
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
            expanded=bool(services.notes),
        )
        show_storage_notes()
    return _warmed(services)


def _warmed(services: Services) -> Services:
    """``services``, with the guests' search index of its catalog built or being built."""
    INDEXES.warm(services.catalog)
    _freeze_long_lived(id(services))
    return services


@st.cache_resource(show_spinner=False)
def _freeze_long_lived(services_id: int) -> None:
    """Move every object alive now (imports, catalog, model) out of the cyclic collector's view.

    Streamlit forces a full collection after every script run (``runner.postScriptGC``), and
    with the libraries and the loaded model that collection walks some 200k long-lived
    objects, a cost paid twice per click on "Get recommendations" (Home's rerun, then the
    page) and once per slider move (docs/benchmarks.md, opening the list). Frozen objects
    are still freed by reference counting; only cycles among them would outlive a reload,
    and the catalog and model hold none (numpy and polars buffers). Once per loaded
    services object (``services_id``), so a retrained model is frozen too.
    """
    del services_id  # only the cache key
    gc.freeze()


def catalog_status() -> str | None:
    """Which catalog serves while a bigger one is prepared; None when nothing is pending."""
    store = current_store()
    upgrade, services = store.upgrade, store.services
    if upgrade is None or services is None:
        return None
    return (
        f"Serving {services.catalog.tracks.height:,} tracks while a catalog of up to "
        f"{upgrade.tracks:,} ({', '.join(upgrade.sources)}) is prepared in the background: "
        f"{upgrade.fraction:.0%}, {upgrade.text}. Your list stays as it is; your next search "
        "or change uses the larger catalog once it is ready."
    )


def show_catalog_status() -> None:
    """The line of :func:`catalog_status`, refreshed every few seconds while it applies."""
    if catalog_status() is None:
        return

    @st.fragment(run_every=_STATUS_REFRESH_S)
    def _status() -> None:
        text = catalog_status()
        if text is None:
            st.caption("The larger catalog is ready: your next search or change uses it.")
        else:
            st.info(plain(text), icon=":material/downloading:")

    _status()


def show_budget_note() -> None:
    """Say which selected sources the host's memory left out (Model page and log)."""
    plan = current_store().plan
    note = plan.left_out_note() if plan is not None else None
    if note:
        st.warning(f"Catalog sources: {plain(note)}.")


def show_storage_notes() -> None:
    """Say what the last load worked around (rebuilt cache, files kept in memory only)."""
    for note in current_store().notes:
        st.warning(
            f"{plain(note.message)}. The app keeps working; if this repeats, check the cache "
            "folder (RECOMMENDER_CACHE_DIR): it must be writable and have free space."
        )
