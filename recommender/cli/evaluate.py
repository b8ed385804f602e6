"""``evaluate`` and ``tune``: score the recommender on held-out playlists; search weights."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recommender.data.store import load_catalog
from recommender.domain import Catalog
from recommender.engine.features import PRESETS
from recommender.engine.model import TrackModel, load_or_train, train
from recommender.evaluation.genre_trial import genre_trial, trial_table
from recommender.evaluation.preset_tuning import tune_preset
from recommender.evaluation.protocol import DEFAULT_RANDOM_STATE, TrackTable, leak_free_genres
from recommender.evaluation.report import (
    evaluation_json,
    format_page,
    format_report,
    format_tuning,
    parse_evaluation,
)
from recommender.evaluation.results import EvaluationResult
from recommender.evaluation.scoring import evaluate_systems
from recommender.evaluation.systems import default_contenders
from recommender.evaluation.tuning import run_tuning, sweep_source_weights
from recommender.settings import Settings


def _load(settings: Settings) -> tuple[Catalog, TrackModel]:
    catalog = load_catalog(settings)
    return catalog, load_or_train(catalog, settings)


def _evaluation_pool(settings: Settings) -> tuple[Catalog, TrackModel]:
    """The catalog with leak-free genres and a model trained on it (about 15 s)."""
    catalog, model = _load(settings)
    leak_free = leak_free_genres(catalog)
    return leak_free, train(leak_free, now=model.trained_at)


def _recorded(path: Path) -> EvaluationResult:
    """A recorded result (``--from-json``); raises ValueError naming the file."""
    try:
        return parse_evaluation(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: not a recorded evaluation ({exc})") from exc


def _run_evaluate(args: argparse.Namespace) -> int:
    try:
        if args.from_json is not None:
            result = _recorded(args.from_json)
        else:
            catalog, model = _evaluation_pool(Settings.from_sources())
            table = TrackTable.from_catalog(catalog)
            contenders = default_contenders(catalog, model, table, random_state=args.random_state)
            result = evaluate_systems(
                catalog, contenders, random_state=args.random_state, quick=args.quick, table=table
            )
        text = evaluation_json(result)
        if args.output:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(text + "\n", encoding="utf-8")
        if args.page:
            args.page.parent.mkdir(parents=True, exist_ok=True)
            args.page.write_text(format_page(result), encoding="utf-8")
    except (OSError, ValueError) as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    print(text if args.json else format_report(result, markdown=args.markdown))
    return 0


def _run_tune(args: argparse.Namespace) -> int:
    if args.budget_seconds <= 0:
        print("tune: --budget-seconds must be positive", file=sys.stderr)
        return 2
    if args.sweep_source_weights:
        return _run_sweep(args)
    if args.preset is not None:
        return _run_tune_preset(args)
    if args.genre_trial:
        return _run_genre_trial(args)
    try:
        catalog, model = _evaluation_pool(Settings.from_sources())
        result = run_tuning(
            catalog, model, budget_seconds=args.budget_seconds, random_state=args.random_state
        )
    except (OSError, ValueError) as exc:
        print(f"tune: {exc}", file=sys.stderr)
        return 2
    print(evaluation_json(result) if args.json else format_tuning(result))
    return 0


def _run_tune_preset(args: argparse.Namespace) -> int:
    try:
        catalog, model = _evaluation_pool(Settings.from_sources())
        found = tune_preset(
            catalog,
            model,
            preset=args.preset,
            budget_seconds=args.budget_seconds,
            random_state=args.random_state,
        )
    except (OSError, ValueError) as exc:
        print(f"tune: {exc}", file=sys.stderr)
        return 2
    print(found.text())
    return 0


def _run_genre_trial(args: argparse.Namespace) -> int:
    try:
        catalog, model = _evaluation_pool(Settings.from_sources())
        rows = genre_trial(catalog, model, random_state=args.random_state)
    except (OSError, ValueError) as exc:
        print(f"tune: {exc}", file=sys.stderr)
        return 2
    print(trial_table(rows))
    return 0


def _run_sweep(args: argparse.Namespace) -> int:
    try:
        catalog, model = _evaluation_pool(Settings.from_sources())
        points = sweep_source_weights(catalog, model, random_state=args.random_state)
    except (OSError, ValueError) as exc:
        print(f"tune: {exc}", file=sys.stderr)
        return 2
    print("| changes to the defaults | TT-only recall@50 | artists/10 | largest source gap |")
    print("|---|---|---|---|")
    for point in points:
        changes = ", ".join(f"{name} {value:g}" for name, value in point.changes.items())
        print(
            f"| {changes} | {point.recall:.4f} | {point.distinct_artists:.2f} | "
            f"{100 * point.source_gap:.1f} points |"
        )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``evaluate`` and ``tune``."""
    parser = subparsers.add_parser(
        "evaluate", help="score the recommender and baselines on held-out playlists and genres"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a subset: 30 held-out playlists, 60 genre seeds, 30 seeds per source",
    )
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="do not evaluate: read this recorded result (docs/evaluation.json) instead",
    )
    parser.add_argument(
        "--page", type=Path, help="also write the generated Markdown page here (docs/evaluation.md)"
    )
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
    tune.add_argument(
        "--sweep-source-weights",
        action="store_true",
        help="instead: year and genre against recall and the source mix (tuning half)",
    )
    tune.add_argument(
        "--genre-trial",
        action="store_true",
        help="instead: each genre mode and weight on both tasks (whole tuning half)",
    )
    tune.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="instead: search this preset's weights for its own aim (tuning half)",
    )
    tune.set_defaults(func=_run_tune)
