"""``evaluate`` and ``tune``: score the recommender on held-out playlists; search weights."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recommender.data.store import load_catalog
from recommender.domain import Catalog
from recommender.engine.model import TrackModel, load_or_train
from recommender.evaluation.protocol import DEFAULT_RANDOM_STATE, TrackTable
from recommender.evaluation.report import evaluation_json, format_report, format_tuning
from recommender.evaluation.scoring import evaluate_systems
from recommender.evaluation.systems import default_contenders
from recommender.evaluation.tuning import run_tuning
from recommender.settings import Settings


def _load(settings: Settings) -> tuple[Catalog, TrackModel]:
    catalog = load_catalog(settings)
    return catalog, load_or_train(catalog, settings)


def _run_evaluate(args: argparse.Namespace) -> int:
    try:
        catalog, model = _load(Settings.from_sources())
        table = TrackTable.from_catalog(catalog)
        contenders = default_contenders(catalog, model, table, random_state=args.random_state)
        result = evaluate_systems(
            catalog, contenders, random_state=args.random_state, quick=args.quick, table=table
        )
    except (OSError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    text = evaluation_json(result)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else format_report(result))
    return 0


def _run_tune(args: argparse.Namespace) -> int:
    if args.budget_seconds <= 0:
        print("tune: --budget-seconds must be positive", file=sys.stderr)
        return 2
    try:
        catalog, model = _load(Settings.from_sources())
        result = run_tuning(
            catalog, model, budget_seconds=args.budget_seconds, random_state=args.random_state
        )
    except (OSError, ValueError) as exc:
        print(f"tune: {exc}", file=sys.stderr)
        return 2
    print(evaluation_json(result) if args.json else format_tuning(result))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``evaluate`` and ``tune``."""
    parser = subparsers.add_parser(
        "evaluate", help="score the recommender and baselines on held-out playlists and genres"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a subset: 30 playlists and 60 genre seeds"
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument(
        "--random-state",
        type=int,
        default=DEFAULT_RANDOM_STATE,
        help=f"fixes splits, samples and bootstrap (default {DEFAULT_RANDOM_STATE})",
    )
    parser.add_argument(
        "--output", type=Path, help="also write the JSON result here (docs/evaluation.json)"
    )
    parser.set_defaults(func=_run_evaluate)
    tune = subparsers.add_parser(
        "tune", help="search the weights on half the playlists, report on the other half"
    )
    tune.add_argument(
        "--budget-seconds", type=float, default=180.0, help="time for the search (default 180)"
    )
    tune.add_argument("--random-state", type=int, default=DEFAULT_RANDOM_STATE)
    tune.add_argument("--json", action="store_true", help="print the result as JSON")
    tune.set_defaults(func=_run_tune)
