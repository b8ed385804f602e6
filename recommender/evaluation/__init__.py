"""Evaluation: held-out playlists, baselines, metrics, scoring, tuning and reports."""
