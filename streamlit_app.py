"""Entrypoint: OAuth callback and share links first, then the sidebar and navigation."""

import streamlit as st

from ui import auth, entry, state

st.set_page_config(page_title="Track recommender", page_icon="🎧", layout="wide")
state.init()
auth.handle_oauth_callback()
entry.keep_demo_choice()

pages = {
    "home": st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    "recommendations": st.Page(
        "pages/recommendations.py",
        title="Recommendations",
        icon=":material/queue_music:",
        url_path="recommendations",
    ),
    "explore": st.Page(
        "pages/explore.py", title="Explore", icon=":material/insights:", url_path="explore"
    ),
    "model": st.Page(
        "pages/model.py", title="Model", icon=":material/model_training:", url_path="model"
    ),
}
navigation = st.navigation(list(pages.values()))
entry.open_share_link(pages["recommendations"])
auth.account_sidebar()
seed_status = entry.sidebar()
try:
    navigation.run()
finally:
    # Also after a page's st.stop(): the sidebar shows the seeds as the page left them.
    entry.seed_status(seed_status)
