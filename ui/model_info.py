"""The Model page's sections: age and renewal, the admin-only retrain, the evaluation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from recommender.features import DEFAULT_WEIGHTS, WEIGHT_NAMES
from ui import loaders
from ui.loaders import Services


def _age_text(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{delta.total_seconds() / 60:.0f} minutes"
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
    cols[0].metric("Trained", f"{trained:%Y-%m-%d %H:%M} UTC")
    cols[1].metric("Age", _age_text(now - trained))
    cols[2].metric("Renews", f"{renews:%Y-%m-%d}")
    cols[3].metric("Tracks in the pool", f"{len(model.track_ids):,}")
    st.caption(
        f"The model is retrained automatically when it is older than "
        f"{settings.max_model_age_days:g} days (RECOMMENDER_MAX_MODEL_AGE_DAYS) or the catalog "
        "changes; the running server renews it in the background and keeps serving meanwhile."
    )
    store = loaders.current_store()
    if store.renewing:
        st.info("A renewed model is being trained in the background.")
    if store.last_renewal:
        st.caption(f"Last renewal: {store.last_renewal}")
    if services.catalog.synthetic:
        st.warning("This model was trained on the synthetic demo catalog.")
    st.subheader("Features and default weights")
    st.dataframe(
        {"weight": list(WEIGHT_NAMES), "default": [DEFAULT_WEIGHTS[n] for n in WEIGHT_NAMES]},
        hide_index=True,
    )
    st.caption(
        f"Catalog fingerprint `{model.catalog_fingerprint}` · libraries "
        + ", ".join(f"{name} {version}" for name, version in sorted(model.versions.items()))
    )


def _retrain() -> None:
    store = loaders.current_store()
    store.retrain_now(loaders.get_settings())
    st.session_state["retrained_at"] = datetime.now(UTC)


def retrain_control() -> None:
    """The "Retrain now" button, for admins only, so visitors cannot tie up the server."""
    if not loaders.get_settings().admin:
        return
    st.subheader("Administration")
    st.button(
        "Retrain now",
        key="retrain_now",
        on_click=_retrain,
        help="Trains a fresh model on the current catalog; visitors keep the old one meanwhile.",
    )
    if "retrained_at" in st.session_state:
        st.success(f"Retrained at {st.session_state['retrained_at']:%H:%M:%S} UTC.")


def evaluation() -> None:
    """The offline evaluation table, when one has been computed."""
    st.subheader("Evaluation")
    st.caption(
        "How well the recommender recovers held-out tracks of real playlists, against simple "
        "baselines: run `python -m recommender evaluate` (see the README)."
    )
