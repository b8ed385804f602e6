import streamlit as st

st.title("Find tracks that sound like the ones you love")
st.write(
    "Pick a few tracks you like, by logging in with Spotify or as a guest, and get real tracks "
    "from a catalog of about 75,000 with similar audio features, artists and genres."
)
