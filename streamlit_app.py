"""Entrypoint: OAuth callback and share links first, then the sidebar and navigation."""

import streamlit as st

from recommender.logs import log_to_console
from ui import entry, login, state

# The server's output shows the app's INFO lines (loads, training, cache rebuilds).
log_to_console(("recommender", "ui"))
st.set_page_config(page_title="Track recommender", page_icon="🎧", layout="wide")
state.init()
login.handle_oauth_callback()
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
login.account_sidebar()
seed_status = entry.sidebar()
try:
    navigation.run()
finally:
    # Also after a page's st.stop(): the sidebar shows the seeds as the page left them.
    entry.seed_status(seed_status)
