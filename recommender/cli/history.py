"""``import-history``: read a listener's export files, report each one, show the seeds."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from recommender.seeds.choose import SeedChoice
from recommender.seeds.history import HistoryImport, import_history, top_table
from recommender.seeds.history_formats import (
    FileProblem,
    FileSummary,
    Source,
    is_listening_file,
    not_read,
)
from recommender.seeds.plays import RANGES

_HOW = {
    "by_id": "id",
    "by_title": "title",
    "online": "online",
    "artist_profile": "artist avg",
    "not_found": "not found",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``import-history``."""
    parser = subparsers.add_parser(
        "import-history",
        help="read Spotify data exports / Exportify CSVs, report each file, show the seeds",
        description=(
            "Read a Spotify data export (account data: StreamingHistory*.json, Playlist*.json, "
            "YourLibrary.json; extended: Streaming_History_Audio_*.json, endsong_*.json), "
            "Exportify CSVs, zips or folders of them. Prints one line per file (kind, read, "
            "skipped, why), the seeds the app would use and the top songs with their catalog "
            "ids. Exits 0 when any music was read, 1 when none was."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="files, zips or folders")
    parser.add_argument("--top", type=int, default=20, help="how many songs to print (20)")
    parser.add_argument(
        "--range",
        choices=list(RANGES),
        default="long_term",
        dest="time_range",
        help="time range of the seeds: short_term (4 weeks), medium_term (6 months), long_term",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=_cli_import_history)


def _expand(paths: Sequence[str]) -> tuple[list[str], list[FileSummary], list[FileProblem]]:
    """Files to read: each file given, and every listening file of a folder (recursively)."""
    files: list[str] = []
    others: list[FileSummary] = []
    problems: list[FileProblem] = []
    for name in paths:
        path = Path(name)
        if not path.is_dir():
            files.append(name)
            continue
        members = sorted(p for p in path.rglob("*") if p.is_file())
        if not members:
            problems.append(FileProblem(name, "empty folder"))
        for member in members:
            if is_listening_file(member.name):
                files.append(str(member))
            else:
                others.append(not_read(str(member)))
    return files, others, problems


def _cli_import_history(args: argparse.Namespace) -> int:
    from recommender.data.detect import CatalogError
    from recommender.data.store import load_catalog
    from recommender.settings import Settings

    if args.top < 1:
        print("--top must be at least 1", file=sys.stderr)
        return 2
    names, others, problems = _expand(args.files)
    try:
        catalog = load_catalog(Settings.from_sources())
    except (CatalogError, ValueError, OSError) as error:
        print(f"cannot load the catalog: {error}", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        opened: list[tuple[str, Source]] = []
        for path in names:
            try:
                opened.append((path, stack.enter_context(open(path, "rb"))))
            except OSError as error:
                problems.append(FileProblem(path, error.strerror or str(error)))
        history = import_history(opened, catalog=catalog)
    problems += history.problems
    files = [*history.files, *others]
    seeds = history.seeds(time_range=args.time_range)
    if args.json:
        print(json.dumps(_payload(history, files, problems, seeds, args.top), indent=2))
    else:
        _print_table(history, files, problems, seeds, args.top)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not history.plays:
        print(
            "error: no music plays of 30 s or more (nor playlist or library tracks) in the "
            "files given",
            file=sys.stderr,
        )
        return 1
    return 0


def _file_rows(
    files: Sequence[FileSummary], problems: Sequence[FileProblem]
) -> list[dict[str, Any]]:
    rows = [
        {"file": f.file, "kind": f.kind, "read": f.counted, "skipped": f.skipped, "why": f.why}
        for f in files
    ]
    rows += [
        {"file": p.file, "kind": "unreadable", "read": 0, "skipped": 0, "why": p.problem}
        for p in problems
    ]
    return rows


def _seed_rows(seeds: SeedChoice) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "artist": c.artist,
            "how": c.how,
            "exact": c.exact,
            "catalog_id": c.catalog_id,
            "label": c.label,
        }
        for c in seeds.picks
    ]


def _payload(
    history: HistoryImport,
    files: Sequence[FileSummary],
    problems: Sequence[FileProblem],
    seeds: SeedChoice,
    top: int,
) -> dict[str, Any]:
    return {
        "files": _file_rows(files, problems),
        "seeds": _seed_rows(seeds),
        "coverage": seeds.coverage(),
        "songs": len(history.plays),
        "top": top_table(history.matches[:top]).to_dicts(),
        "excluded_tracks": list(history.banned_tracks.values()),
        "excluded_artists": list(history.banned_artists),
    }


def _print_table(
    history: HistoryImport,
    files: Sequence[FileSummary],
    problems: Sequence[FileProblem],
    seeds: SeedChoice,
    top: int,
) -> None:
    rows = _file_rows(files, problems)
    width = max((len(r["file"]) for r in rows), default=4)
    kind_width = max((len(r["kind"]) for r in rows), default=4)
    print("Files")
    print(f"  {'file':<{width}}  {'kind':<{kind_width}}  {'read':>7}  {'skipped':>7}  why")
    for r in rows:
        print(
            f"  {r['file']:<{width}}  {r['kind']:<{kind_width}}  {r['read']:>7,}  "
            f"{r['skipped']:>7,}  {r['why']}"
        )
    print(f"\nSeeds ({seeds.coverage()})")
    how_width = max(len(v) for v in _HOW.values())
    for rank, c in enumerate(seeds.picks, start=1):
        print(f"  {rank:>3}  {_HOW[c.how]:<{how_width}}  {c.catalog_id or '-':<22}  {c.label}")
    shown = history.matches[:top]
    print(f"\nTop {len(shown)} of {len(history.plays):,} songs (catalog ids)")
    for row in top_table(shown).iter_rows(named=True):
        print(
            f"  {row['rank']:>3}  {row['listened']:>9}  {_HOW[row['how']]:<{how_width}}  "
            f"{row['track_id'] or '-':<22}  {row['name']} – {row['artist']}"
        )
    if history.banned_tracks or history.banned_artists:
        print(
            f"\nNot this: {len(history.banned_tracks)} banned tracks in the catalog, "
            f"{len(history.banned_artists)} banned artists"
        )
