"""Reading a share link's ``seeds`` parameter: today's parser beside main's list-based one.

Run: ``python benchmarks/bench_share.py [--pieces 100000] [--skip-old-above 100000]``

Inputs (``--pieces`` comma-separated pieces each, made here, no catalog needed):
- ``distinct ids``: well-formed, all different, the worst case for a list-based duplicate
  check (every ``not in`` scans the whole list);
- ``malformed``: ``bad-<n>`` pieces (the 3,000-id warning flood of issue 14, scaled up);
- ``one id repeated``: the same id every time.

Columns, in one run: main's list-based ``_parse_seeds`` (copied below as it was before
issue 14, with its ``split_known``), ``parse_share`` as shipped (reads at most
``MAX_SEED_PIECES`` pieces), and ``parse_share`` with the caps lifted so that every piece is
examined (the per-piece loop alone, to show it is linear). Medians of ``--repeats`` runs;
main's version runs once per size above 20,000 pieces (it takes minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from recommender.domain import parse_track_id
from recommender.seeds import share


# -- main before issue 14 (verbatim logic) ------------------------------------------------------
def main_parse_seeds(text: str) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    problems: list[str] = []
    for piece in text.split(","):
        if not piece.strip():
            continue
        try:
            track_id = parse_track_id(piece)
        except ValueError:
            problems.append(f"not a track id: {piece.strip()[:60]!r}")
            continue
        if track_id not in ids:
            ids.append(track_id)
    if len(ids) > 50:
        problems.append(f"only the first 50 of {len(ids)} seeds are used")
        ids = ids[:50]
    return ids, problems


def main_open_link(text: str, known: Collection[str]) -> list[str]:
    ids, _ = main_parse_seeds(text)
    return [track_id for track_id in ids if track_id in known]


# -- inputs -----------------------------------------------------------------------------------
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def fake_id(n: int) -> str:
    """A well-formed 22-character id from a number (base 62, zero-padded)."""
    digits = []
    while True:
        n, rest = divmod(n, 62)
        digits.append(_ALPHABET[rest])
        if n == 0:
            break
    return "".join(reversed(digits)).rjust(22, "0")


def inputs(pieces: int) -> dict[str, str]:
    return {
        "distinct ids": ",".join(fake_id(n) for n in range(pieces)),
        "malformed": ",".join(f"bad-{n}" for n in range(pieces)),
        "one id repeated": ",".join([fake_id(7)] * pieces),
    }


def timed(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def uncapped(text: str, known: Collection[str]) -> share.SharedSelection:
    saved = share.MAX_SEED_PIECES, share.MAX_SEEDS_CHARS
    share.MAX_SEED_PIECES, share.MAX_SEEDS_CHARS = 10**9, 10**12  # type: ignore[misc]
    try:
        return share.parse_share(text, known=known)
    finally:
        share.MAX_SEED_PIECES, share.MAX_SEEDS_CHARS = saved  # type: ignore[misc]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--skip-old-above",
        type=int,
        default=100_000,
        help="do not run main's quadratic version on more pieces than this",
    )
    args = parser.parse_args()
    # A catalog-sized set of known ids; the links' own ids are unknown except every 1,000th.
    known = {fake_id(n) for n in range(0, max(args.pieces), 1_000)} | {
        fake_id(10**9 + n) for n in range(75_000)
    }
    print(f"caps: {share.MAX_SEED_PIECES:,} pieces, {share.MAX_SEEDS_CHARS:,} characters")
    header = ("pieces", "input", "main (list-based)", "parse_share", "caps lifted", "ratio")
    print("| " + " | ".join(header) + " |")
    print("|---|---|---|---|---|---|")
    for pieces in args.pieces:
        for name, text in inputs(pieces).items():
            capped = timed(partial(share.parse_share, text, known=known), args.repeats)
            lifted = timed(partial(uncapped, text, known), args.repeats)
            if pieces > args.skip_old_above:
                old_text = "skipped"
                ratio = ""
            else:
                old_repeats = 1 if pieces > 20_000 else args.repeats
                old = timed(partial(main_open_link, text, known), old_repeats)
                old_text = _ms(old)
                ratio = f"{old / capped:,.0f}×"
            print(
                f"| {pieces:,} | {name} | {old_text} | {_ms(capped)} | {_ms(lifted)} | {ratio} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
