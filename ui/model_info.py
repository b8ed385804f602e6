"""The Model page's sections: age and renewal, the admin-only retrain, the evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import streamlit as st

from recommender.engine.features import DEFAULT_WEIGHTS, WEIGHT_NAMES
from recommender.evaluation.report import (
    COLUMN_LEGEND,
    PRESETS_CAPTION,
    format_comparisons,
    format_summary,
    format_verdict,
    parse_evaluation,
    preset_cells,
    source_mix_cells,
    system_configs,
    table_cells,
    tradeoff_cells,
)
from recommender.host import read_memory
from ui import loaders, state
from ui.loaders import Services
from ui.plain import plain, table

EVALUATION_FILE: Final = Path(__file__).resolve().parents[1] / "docs" / "evaluation.json"


def _age_text(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        minutes = round(delta.total_seconds() / 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def summary(services: Services) -> None:
    """When the model was trained, how old it is, when it renews, what it is built on."""
    settings = loaders.get_settings()
    model = services.model
    now = datetime.now(UTC)
    trained = model.trained_at if model.trained_at.tzinfo else model.trained_at.replace(tzinfo=UTC)
    renews = trained + timedelta(days=settings.max_model_age_days)
    cols = st.columns(4)
    cols[0].metric("Trained", f"{trained:%Y-%m-%d}", help=f"{trained:%Y-%m-%d %H:%M} UTC")
    cols[1].metric("Age", _age_text(now - trained))
    cols[2].metric("Renews", f"{renews:%Y-%m-%d}")
    cols[3].metric("Tracks in the pool", f"{len(model.track_ids):,}")
    st.caption(
        f"Trained at {trained:%H:%M} UTC. The model is retrained automatically when it is "
        f"older than {settings.max_model_age_days:g} days (RECOMMENDER_MAX_MODEL_AGE_DAYS) or "
        "the catalog changes; the running server renews it in the background and keeps "
        "serving meanwhile."
    )
    store = loaders.current_store()
    if store.upgrade is not None:
        loaders.show_catalog_status()
    elif store.renewing:
        st.info("A renewed model is being trained in the background.")
    loaders.show_budget_note()
    if store.last_renewal:
        st.caption(f"Last renewal: {plain(store.last_renewal)}")
    if services.catalog.synthetic:
        st.warning("This model was trained on the synthetic demo catalog.")
    memory = read_memory()
    if memory.high:
        st.warning(
            f"Memory: {plain(memory.describe())}. The server is close to its limit: fewer catalog "
            "sources (RECOMMENDER_SOURCES) or a larger limit would keep it from being stopped."
        )
    else:
        st.caption(f"Memory: {plain(memory.describe())}.")
    st.subheader("Features and default weights")
    st.dataframe(
        {"weight": list(WEIGHT_NAMES), "default": [DEFAULT_WEIGHTS[n] for n in WEIGHT_NAMES]},
        hide_index=True,
        # Every row visible without an inner scroll bar (35 px a row plus the header).
        height=35 * (len(WEIGHT_NAMES) + 1) + 3,
    )
    st.caption(
        f"Catalog fingerprint `{plain(model.catalog_fingerprint)}` · libraries "
        + ", ".join(
            f"{plain(name)} {plain(version)}" for name, version in sorted(model.versions.items())
        )
    )


def _retrain() -> None:
    store = loaders.current_store()
    store.retrain_now(loaders.get_settings())
    state.put(state.RETRAINED_AT, datetime.now(UTC))


def retrain_control() -> None:
    """The "Retrain now" button, for admins only, so visitors cannot tie up the server."""
    if not loaders.get_settings().admin:
        return
    st.subheader("Administration")
    st.button(
        "Retrain now",
        key=state.RETRAIN_NOW,
        on_click=_retrain,
        help="Trains a fresh model on the current catalog; visitors keep the old one meanwhile.",
    )
    retrained_at = state.peek(state.RETRAINED_AT)
    if retrained_at is not None:
        st.success(f"Retrained at {retrained_at:%H:%M:%S} UTC.")


def evaluation() -> None:
    """The offline evaluation table, when one has been computed and committed."""
    st.subheader("Evaluation")
    st.caption(
        "How well the recommender recovers held-out tracks of real playlists, against simple "
        "baselines (`python -m recommender evaluate --output docs/evaluation.json`)."
    )
    if not EVALUATION_FILE.is_file():
        st.info("No evaluation has been recorded yet; docs/evaluation-method.md explains it.")
        return
    try:
        result = parse_evaluation(EVALUATION_FILE.read_text(encoding="utf-8"))
        summary_line = format_summary(result)
        header, rows = table_cells(result)
        comparisons = format_comparisons(result)
        configs = system_configs(result)
        mix_header, mix_rows = source_mix_cells(result)
        trade_header, trade_rows = tradeoff_cells(result)
        preset_header, preset_rows = preset_cells(result)
        targets = format_verdict(result)
    except (OSError, ValueError, KeyError, TypeError) as error:
        st.warning(
            f"{plain(EVALUATION_FILE.name)} could not be read ({plain(error)}); "
            "re-run the evaluation."
        )
        return
    st.caption(
        plain(summary_line)
        + ". Every playlist figure is on the held-out half: playlists the weight search "
        "never saw."
    )
    st.markdown(table(header, rows))
    with st.expander("What each column means", expanded=True):
        st.markdown(
            "\n".join(f"- **{plain(name)}**: {plain(text)}" for name, text in COLUMN_LEGEND.items())
        )
    with st.expander("Exactly what each row scored"):
        st.markdown("\n".join(f"- **{plain(name)}**: {plain(text)}" for name, text in configs))
    st.markdown("**Which dataset the recommendations come from**")
    st.caption(
        "For seeds from each source, the share of the recommendations from each source, with "
        "the shipped weights and with only the fields every source has (the 12 audio features "
        "and the artist). Close rows mean no field's mere presence steers the picks to one "
        "dataset. A track in two sources counts for both."
    )
    st.markdown(table(mix_header, mix_rows))
    st.markdown("**Artist variety against recall**")
    st.caption(
        'The rule "at least N distinct artists in every block of 10" with the shipped '
        "weights, on tuning-half playlists with TidyTuesday-only candidates."
    )
    st.markdown(table(trade_header, trade_rows))
    if preset_rows:
        st.markdown("**The presets, each on what it aims for**")
        st.caption(plain(PRESETS_CAPTION))
        st.markdown(table(preset_header, preset_rows))
    st.caption(plain(" · ".join(targets)))
    with st.expander("Paired differences on the held-out playlists, and the leakage guard"):
        st.code("\n".join(comparisons), language=None)
