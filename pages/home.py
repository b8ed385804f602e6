"""Home: what the app does, search at once (or log in), pick the seed tracks."""

import streamlit as st

from ui import home, loaders

st.title("Find tracks that sound like the ones you love")
services = loaders.load_services()
if services is None:
    st.stop()
if services.catalog.synthetic:
    st.write(
        "Demo: the catalog holds made-up tracks (“Demo Track 0042” by “Demo Artist 07”), "
        "so you can try every step; their recommendations mean nothing."
    )
else:
    st.write(
        "Add a few tracks you like and get real tracks from a catalog of about "
        f"{round(services.catalog.tracks.height, -3):,} with similar audio features, artists "
        "and genres. Tune what “similar” means with sliders, listen in the page, and save the "
        "result as a playlist."
    )
loaders.show_catalog_status()
home.entry_choice(services)
home.seed_pickers(services)
home.picked_seeds(services.catalog)
