"""``catalog``: build or load the catalog and print its statistics."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from recommender.data.detect import CatalogError
from recommender.data.store import load_catalog
from recommender.settings import Settings


def _print_summary(report: dict[str, Any]) -> None:
    print(f"{report['tracks']:,} tracks, {report['artists']:,} artists, {report['genres']} genres")
    for source, count in report["sources"].items():
        print(f"  {source}: {count:,} tracks")
    for name, reasons in report["dropped_rows"].items():
        for reason, count in reasons.items():
            print(f"  dropped from {name}: {count:,} ({reason})")
    for name, why in report.get("skipped_files", {}).items():
        print(f"  skipped {name}: {why}")
    print(f"fingerprint {report['fingerprint']}")


def _stderr_progress(fraction: float, message: str) -> None:
    end = "\n" if fraction >= 1.0 else ""
    print(f"\r\x1b[2K{fraction:4.0%} {message[-100:]}", end=end, file=sys.stderr, flush=True)


def _run_catalog(args: argparse.Namespace) -> int:
    # Progress only for a person watching; piped output and tests stay clean.
    progress = _stderr_progress if sys.stderr.isatty() else None
    try:
        catalog = load_catalog(Settings.from_sources(), progress=progress)
    except (CatalogError, OSError, ValueError) as exc:
        print(f"catalog: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(catalog.report, indent=2))
    else:
        _print_summary(catalog.report)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``catalog [--json]``: build or load the catalog and print its statistics."""
    parser = subparsers.add_parser(
        "catalog", help="build (or load the cached) catalog and print its statistics"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=_run_catalog)
