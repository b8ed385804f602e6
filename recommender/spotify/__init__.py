"""Spotify: the only place spotipy is used (OAuth state, session, reads, the resumable save)."""
