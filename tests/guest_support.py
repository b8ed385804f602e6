"""The guest widgets in one panel, for AppTests that reach them without the Home page."""

from __future__ import annotations

from recommender.domain import Catalog
from ui import guest


def guest_panel(catalog: Catalog) -> None:
    """All guest widgets in their natural order (search, surprise, upload, seeds)."""
    guest.search_box(catalog)
    guest.surprise_button(catalog)
    guest.history_uploader(catalog)
    guest.picked_seeds(catalog)
