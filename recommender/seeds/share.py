"""Share links: ``?seeds=<id>,<id>&weights=energy:2,valence:0.5`` read and written.

A link carries only public track ids and weights (never anything about the person who made
it), so opening it in a fresh browser reproduces the recommendations as a guest. Reading is
forgiving: a malformed id or an unknown weight is reported and the rest of the link still works.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from recommender.domain import parse_track_id
from recommender.engine.features import format_weights, parse_weights

SEEDS_PARAM: Final = "seeds"
WEIGHTS_PARAM: Final = "weights"
# Long enough for any real selection, short enough that a pasted link cannot make the
# server resolve thousands of ids.
MAX_SHARED_SEEDS: Final = 50


@dataclass(frozen=True, slots=True)
class SharedSelection:
    """What a share link asks for: seed ids (in order, unique), weights, and what was wrong."""

    seed_ids: tuple[str, ...]
    weights: dict[str, float]
    problems: tuple[str, ...]


def _parse_seeds(text: str) -> tuple[list[str], list[str]]:
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
    if len(ids) > MAX_SHARED_SEEDS:
        problems.append(f"only the first {MAX_SHARED_SEEDS} of {len(ids)} seeds are used")
        ids = ids[:MAX_SHARED_SEEDS]
    return ids, problems


def _parse_weights(text: str) -> tuple[dict[str, float], list[str]]:
    weights: dict[str, float] = {}
    problems: list[str] = []
    # Piece by piece, so one bad weight does not throw away the good ones.
    for piece in text.split(","):
        if not piece.strip():
            continue
        try:
            weights.update(parse_weights(piece))
        except ValueError as error:
            problems.append(f"weight {piece.strip()[:60]!r} ignored: {error}")
    return weights, problems


def parse_share(seeds: str | None, weights: str | None = None) -> SharedSelection:
    """Read the ``seeds`` and ``weights`` query parameters of a share link.

    Args:
        seeds: comma-separated track ids, ``spotify:track:`` URIs or open.spotify.com links.
        weights: ``name:value`` pieces in the engine's weight syntax.

    Returns:
        The selection; ``problems`` lists each piece that was ignored and why.
    """
    seed_ids, seed_problems = _parse_seeds(seeds or "")
    weight_map, weight_problems = _parse_weights(weights or "")
    return SharedSelection(
        seed_ids=tuple(seed_ids), weights=weight_map, problems=(*seed_problems, *weight_problems)
    )


def split_known(seed_ids: Sequence[str], known: Collection[str]) -> tuple[list[str], list[str]]:
    """Split ids into (in the catalog, unknown), keeping their order."""
    present = [track_id for track_id in seed_ids if track_id in known]
    missing = [track_id for track_id in seed_ids if track_id not in known]
    return present, missing


def share_query(seed_ids: Sequence[str], weights: Mapping[str, float] | None = None) -> str:
    """Return the query string (without ``?``) that reproduces these seeds and weights.

    Weights at their defaults are left out, so a link with default weights has no
    ``weights`` parameter.

    Raises:
        ValueError: if there are no seeds or one is not a track id.
    """
    if not seed_ids:
        msg = "a share link needs at least one seed track"
        raise ValueError(msg)
    ids = [parse_track_id(track_id) for track_id in seed_ids]
    params = {SEEDS_PARAM: ",".join(ids)}
    weight_text = format_weights(weights or {})
    if weight_text:
        params[WEIGHTS_PARAM] = weight_text
    return urlencode(params, safe=",:")


def share_url(base_url: str, seed_ids: Sequence[str], weights: Mapping[str, float] | None) -> str:
    """Return ``base_url`` with the share query appended (any query it had is replaced)."""
    root = base_url.split("?", 1)[0].split("#", 1)[0]
    return f"{root}?{share_query(seed_ids, weights)}"
