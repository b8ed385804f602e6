"""Data: sources, adapters, reading and merging, download, the Parquet store, the demo."""
