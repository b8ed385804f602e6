"""``train``: train (or reuse) the model artifact."""

from __future__ import annotations

import argparse
import sys

from recommender.engine.features import DENSE_WEIGHTS, WEIGHT_NAMES
from recommender.engine.model import load_or_train, model_path
from recommender.settings import Settings


def _run_train(args: argparse.Namespace) -> int:
    from recommender.data.detect import CatalogError
    from recommender.data.store import load_catalog

    try:
        settings = Settings.from_sources()
        catalog = load_catalog(settings)
    except (CatalogError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    model = load_or_train(catalog, settings, force=args.force)
    print(f"model: {model_path(settings)}")
    print(f"trained_at: {model.trained_at.isoformat()}")
    print(f"tracks: {model.n_tracks}")
    print(
        f"features: {len(WEIGHT_NAMES)} weights ({len(DENSE_WEIGHTS)} dense, artist, genre) "
        f"over {model.n_features} columns ({model.dense.shape[1]} dense, "
        f"{model.artists.shape[1]} artists, {model.genres.shape[1]} genres)"
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``train``."""
    parser = subparsers.add_parser("train", help="train (or reuse) the model artifact")
    parser.add_argument(
        "--force", action="store_true", help="retrain even when the artifact is current"
    )
    parser.set_defaults(func=_run_train)
