"""Recommendations: weights and options -> one engine call -> table, radars, save, export, share."""

import streamlit as st

from ui import loaders, results, state
from ui.plain import plain

st.title("Recommended for you")
services = loaders.load_services()
if services is None:
    st.stop()
share_problems = state.pop(state.SHARE_PROBLEMS, [])
if share_problems:
    # One box for all a shared link got wrong (one line per kind): a link with thousands of
    # bad ids must not bury the page in warnings.
    st.warning("\n\n".join(plain(problem) for problem in share_problems))
if not state.seed_ids():
    st.info(
        "No seed tracks yet. Pick a few on Home (search, your Spotify top tracks or an upload)."
    )
    st.page_link("pages/home.py", label="Pick seeds on Home", icon=":material/home:")
    st.stop()

# The controls live in the sidebar: beside the results on a laptop, folded away on a phone.
# The fragment writes them under this divider (a fragment may write into the sidebar once the
# full run has written to it).
st.sidebar.divider()
results.recommendations_view()
