"""``download``: fetch and verify the public datasets into the cache."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from recommender.data.fetch import ProgressCallback, _done_text, download_sources
from recommender.data.sources import SOURCES, Source, selected_sources
from recommender.settings import Settings


class _TqdmProgress:
    """Adapts ``progress(fraction, text)`` to a tqdm bar on stderr (the CLI's view)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=100, unit="%", file=sys.stderr, bar_format="{percentage:3.0f}%|{bar:24}| {desc}"
        )

    def __call__(self, fraction: float, text: str) -> None:
        self._bar.n = round(fraction * 100, 1)
        self._bar.set_description_str(text, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


@contextmanager
def tqdm_progress() -> Iterator[ProgressCallback]:
    """A progress callback drawing a tqdm bar on stderr, closed on exit."""
    bar = _TqdmProgress()
    try:
        yield bar
    finally:
        bar.close()


def _cli_download(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_sources()
        sources = selected_sources(settings)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.quiet:
        result = download_sources(settings, sources=sources, force=args.force)
    else:
        with tqdm_progress() as progress:
            result = download_sources(
                settings, sources=sources, progress=progress, force=args.force
            )
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        for outcome in result.files:
            print(f"{_done_text(outcome)}  {outcome.path or ''}")
    for failed in result.failures:
        reasons = "\n    ".join(failed.errors) or "no URL to try"
        print(
            f"error: {failed.source}/{failed.name} could not be had:\n    {reasons}",
            file=sys.stderr,
        )
    return 1 if result.failures else 0


def _describe_source(source: Source) -> str:
    """A --help paragraph: name, on or off by default, size, licence, URLs in order."""
    state = "on by default" if source.default else "off by default"
    urls = [url for f in source.files for url in f.urls]
    urls += [f"{a.url} (zip)" for f in source.files for a in f.archives]
    lines = [
        f"{source.name} ({state}; ~{source.approx_bytes / 1e6:,.0f} MB; licence: {source.licence})",
        f"  {source.title}",
        *(f"  {url}" for url in urls),
    ]
    return "\n".join(lines)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``download``."""
    parser = subparsers.add_parser(
        "download",
        help="download and verify the public datasets into the cache",
        description="Download the public datasets (RECOMMENDER_SOURCES; from "
        "RECOMMENDER_MIRROR_URL when set) into RECOMMENDER_CACHE_DIR/downloads, verify them "
        "and record their sha256. Intact cached files are kept.",
        epilog="sources (RECOMMENDER_SOURCES, comma-separated; unset: the ones on by "
        "default), each file's URLs tried in order:\n\n"
        + "\n\n".join(_describe_source(source) for source in SOURCES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--force", action="store_true", help="fetch again even if cached")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_cli_download)
