"""Explore: catalog contents, feature distributions, any two features against each other."""

import streamlit as st

from ui import explore, loaders, state

st.title("Explore the catalog")
services = loaders.load_services()
if services is None:
    st.stop()
catalog = services.catalog
seeds = state.seed_ids()

explore.overview(catalog)
explore.distributions(catalog, seeds)
explore.scatter(catalog, seeds)
