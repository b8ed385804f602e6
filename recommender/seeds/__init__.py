"""Seeds: where seed tracks come from (search, resolution, share links, data exports)."""
