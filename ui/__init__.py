"""Streamlit-side helpers shared by the pages: cached loaders, session state, Spotify login glue."""
