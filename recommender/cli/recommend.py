"""``recommend``: tracks like the given seeds."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from recommender.cli.args import positive_int
from recommender.domain import parse_track_id
from recommender.engine.explain import top_reasons
from recommender.engine.features import WEIGHT_NAMES, parse_weights
from recommender.engine.model import load_or_train
from recommender.engine.recommend import DEFAULT_PER_SEED, RecommendOptions, recommend
from recommender.seeds.share import summarise
from recommender.settings import Settings


def _read_seeds_file(path: Path) -> list[str]:
    """Track ids of a file: one id or URI per line; blank lines and ``#`` comments ignored.

    Raises:
        ValueError: naming the file (and the line) when it cannot be read as text or a line
            is not a track id.
    """
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        msg = (
            f"seeds file {path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
            f"offset {error.start}); expected one track id or spotify:track: URI per line"
        )
        raise ValueError(msg) from None
    except OSError as error:
        msg = f"seeds file {path}: cannot be read ({error.strerror or error})"
        raise ValueError(msg) from None
    seeds = []
    for number, line in enumerate(content.splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            seeds.append(parse_track_id(text))
        except ValueError as error:
            msg = f"seeds file {path}, line {number}: {error}"
            raise ValueError(msg) from None
    return seeds


def _cli_inputs(args: argparse.Namespace) -> tuple[list[str], dict[str, float]]:
    seeds = [parse_track_id(value) for value in args.seed or []]
    if args.seeds_file:
        seeds += _read_seeds_file(Path(args.seeds_file))
    if not seeds:
        msg = "give at least one --seed ID_OR_URI or a --seeds-file"
        raise ValueError(msg)
    weights: dict[str, float] = {}
    for text in args.weight or []:
        weights.update(parse_weights(text))
    return seeds, weights


def _run_recommend(args: argparse.Namespace) -> int:
    from recommender.data.detect import CatalogError
    from recommender.data.store import load_catalog

    try:
        seeds, weights = _cli_inputs(args)
        settings = Settings.from_sources()
        catalog = load_catalog(settings)
    except (CatalogError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    known_ids = set(catalog.tracks["track_id"].to_list())
    unknown = [seed for seed in seeds if seed not in known_ids]
    if unknown:
        examples = ", ".join(catalog.tracks["track_id"].head(3).to_list())
        print(
            f"error: unknown seed track id(s) {summarise(unknown)}; valid seeds are the "
            f"{catalog.tracks.height} catalog track ids (e.g. {examples}) or their "
            "spotify:track: URIs",
            file=sys.stderr,
        )
        return 2
    model = load_or_train(catalog, settings)
    options = RecommendOptions(
        per_seed=args.per_seed,
        limit=args.limit,
        max_per_artist=args.max_per_artist,
        discover=args.discover,
    )
    try:
        results = recommend(model, catalog, seeds, weights=weights, options=options)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        payload = [{**asdict(r), "artists": list(r.artists)} for r in results]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for rank, r in enumerate(results, start=1):
            print(
                f"{rank:>3}. {r.name} - {', '.join(r.artists)}  "
                f"[{r.similarity:.0f}/100, seed {r.seed_track_id}] {top_reasons(r.contributions)}"
            )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``recommend``."""
    parser = subparsers.add_parser("recommend", help="recommend tracks like the seeds")
    parser.add_argument("--seed", action="append", metavar="ID_OR_URI", help="seed track")
    parser.add_argument("--seeds-file", metavar="FILE", help="one id or URI per line")
    parser.add_argument(
        "--weight",
        action="append",
        metavar="NAME=VALUE",
        help=f"feature weight 0-3; names: {', '.join(WEIGHT_NAMES)}",
    )
    parser.add_argument("--per-seed", type=positive_int, default=DEFAULT_PER_SEED, metavar="K")
    parser.add_argument("--limit", type=positive_int, default=None, metavar="N")
    parser.add_argument("--max-per-artist", type=positive_int, default=None, metavar="M")
    parser.add_argument("--discover", action="store_true", help="exclude the seeds' artists")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_run_recommend)
