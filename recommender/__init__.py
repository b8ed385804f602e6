"""Content-based Spotify track recommender: the pure core (no Streamlit in here)."""
