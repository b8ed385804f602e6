"""``import-history``: rank a listener's exported plays and match them to the catalog."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from recommender.seeds.history import (
    HistoryImport,
    MatchedPlay,
    coverage_report,
    import_history,
    match_plays,
    top_table,
)
from recommender.seeds.history_formats import FileProblem, Source


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import-history``."""
    parser = subparsers.add_parser(
        "import-history",
        help="rank the tracks of Spotify data exports / Exportify CSVs and match them",
        description=(
            "Read StreamingHistory*.json, Streaming_History_Audio_*.json, Spotify's zip or an "
            "Exportify CSV; print the top tracks by listening time, their catalog ids and the "
            "coverage. Exits 1 when a file cannot be used."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--top", type=int, default=20, help="how many tracks to show (20)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_cli_import_history)


def _cli_import_history(args: argparse.Namespace) -> int:
    from contextlib import ExitStack

    from recommender.data.detect import CatalogError
    from recommender.data.store import load_catalog
    from recommender.settings import Settings

    if args.top < 1:
        print("--top must be at least 1", file=sys.stderr)
        return 2
    problems: list[FileProblem] = []
    with ExitStack() as stack:
        opened: list[tuple[str, Source]] = []
        for path in args.files:
            try:
                opened.append((path, stack.enter_context(open(path, "rb"))))
            except OSError as error:
                problems.append(FileProblem(path, error.strerror or str(error)))
        history = import_history(opened)
    problems += history.problems
    if not history.plays:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if not problems:
            print("error: no music plays of 30 s or more in the files given", file=sys.stderr)
        return 1
    try:
        catalog = load_catalog(Settings.from_sources())
    except (CatalogError, ValueError, OSError) as error:
        print(f"cannot load the catalog: {error}", file=sys.stderr)
        return 1
    matches, resolution = match_plays(history.plays[: args.top], catalog)
    _print_result(
        history, matches, coverage_report(matches, resolution), problems, as_json=args.json
    )
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def _print_result(
    history: HistoryImport,
    matches: Sequence[MatchedPlay],
    coverage: str,
    problems: Sequence[FileProblem],
    *,
    as_json: bool,
) -> None:
    table = top_table(matches)
    if as_json:
        payload = {
            "top": table.to_dicts(),
            "coverage": coverage,
            "songs": len(history.plays),
            "files": [asdict(s) for s in history.files],
            "problems": [str(p) for p in problems],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    plays = sum(s.counted for s in history.files)
    print(f"Top {len(matches)} of {len(history.plays):,} songs ({plays:,} plays counted)")
    for row in table.iter_rows(named=True):
        print(
            f"{row['rank']:>3}  {row['listened']:>9}  {row['how']:<9}  "
            f"{row['track_id'] or '-':<22}  {row['name']} – {row['artist']}"
        )
    print(f"Coverage: {coverage}")
