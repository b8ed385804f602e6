"""Entrypoint: sidebar and navigation over the page files in pages/."""

import streamlit as st

st.set_page_config(page_title="Track recommender", page_icon="🎧", layout="wide")

home = st.Page("pages/home.py", title="Home", icon="🏠", default=True)
st.navigation([home]).run()
