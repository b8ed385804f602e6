"""Home: what the app does, log in or continue as a guest, pick the seed tracks."""

import streamlit as st

from ui import home, loaders

st.title("Find tracks that sound like the ones you love")
st.write(
    "Pick a few tracks you like, by logging in with Spotify or as a guest, and get real tracks "
    "from a catalog of about 75,000 with similar audio features, artists and genres. "
    'Tune what "similar" means with sliders, compare your taste with the recommendations '
    "on radar charts, and save the result as a playlist."
)

services = loaders.load_services()
if services is None:
    st.stop()

home.entry_choice()
home.seed_pickers(services)
home.picked_seeds(services.catalog)
