"""Model: when it was trained, when it renews, what it uses; retrain for admins."""

import streamlit as st

from ui import loaders, model_info

st.title("The model")
services = loaders.load_services()
if services is None:
    st.stop()
model_info.summary(services)
loaders.show_storage_notes()
model_info.retrain_control()
model_info.evaluation()
