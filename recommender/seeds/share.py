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
# "Not this track" / "not this artist": comma-separated ids, and one parameter per artist
# (an artist's name may hold a comma: "Tyler, The Creator").
NOT_TRACKS_PARAM: Final = "not"
NOT_ARTISTS_PARAM: Final = "not_artist"
MAX_ARTIST_NAME: Final = 200
# Long enough for any real selection, short enough that a pasted link cannot make the
# server resolve thousands of ids.
MAX_SHARED_SEEDS: Final = 50


@dataclass(frozen=True, slots=True)
class SharedSelection:
    """What a share link asks for: seed ids (in order, unique), weights, and what was wrong."""

    seed_ids: tuple[str, ...]
    weights: dict[str, float]
    problems: tuple[str, ...]
    excluded_ids: tuple[str, ...] = ()
    excluded_artists: tuple[str, ...] = ()


def _parse_ids(text: str, *, what: str) -> tuple[list[str], list[str]]:
    """Track ids in order, unique, at most ``MAX_SHARED_SEEDS``; one problem per kind."""
    ids: list[str] = []
    bad: list[str] = []
    for piece in text.split(","):
        if not piece.strip():
            continue
        try:
            track_id = parse_track_id(piece)
        except ValueError:
            bad.append(repr(piece.strip()[:60]))
            continue
        if track_id not in ids:
            ids.append(track_id)
    problems = []
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        problems.append(f"{len(bad)} {what} of the link {_are(len(bad))} not track ids: {shown}")
    if len(ids) > MAX_SHARED_SEEDS:
        problems.append(f"only the first {MAX_SHARED_SEEDS} of {len(ids)} {what} are used")
        ids = ids[:MAX_SHARED_SEEDS]
    return ids, problems


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _parse_artists(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Artist names in order, unique, trimmed, capped; one problem per kind."""
    kept: list[str] = []
    long = 0
    for name in names:
        text = " ".join(name.split())
        if len(text) > MAX_ARTIST_NAME:
            long += 1
            continue
        if text and text not in kept:
            kept.append(text)
    problems = []
    if long:
        problems.append(f"{long} left-out artist name(s) longer than {MAX_ARTIST_NAME} ignored")
    if len(kept) > MAX_SHARED_SEEDS:
        problems.append(
            f"only the first {MAX_SHARED_SEEDS} of {len(kept)} left-out artists are used"
        )
        kept = kept[:MAX_SHARED_SEEDS]
    return kept, problems


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


def parse_share(
    seeds: str | None,
    weights: str | None = None,
    *,
    not_tracks: str | None = None,
    not_artists: Sequence[str] = (),
) -> SharedSelection:
    """Read the query parameters of a share link.

    Args:
        seeds: comma-separated track ids, ``spotify:track:`` URIs or open.spotify.com links.
        weights: ``name:value`` pieces in the engine's weight syntax.
        not_tracks: left-out tracks, written like ``seeds``.
        not_artists: left-out artist names (one query parameter each).

    Returns:
        The selection; ``problems`` says, once per kind, what was ignored and why.
    """
    seed_ids, seed_problems = _parse_ids(seeds or "", what="seeds")
    weight_map, weight_problems = _parse_weights(weights or "")
    excluded, excluded_problems = _parse_ids(not_tracks or "", what="left-out tracks")
    artists, artist_problems = _parse_artists(not_artists)
    return SharedSelection(
        seed_ids=tuple(seed_ids),
        weights=weight_map,
        problems=(*seed_problems, *weight_problems, *excluded_problems, *artist_problems),
        excluded_ids=tuple(excluded),
        excluded_artists=tuple(artists),
    )


def split_known(seed_ids: Sequence[str], known: Collection[str]) -> tuple[list[str], list[str]]:
    """Split ids into (in the catalog, unknown), keeping their order."""
    present = [track_id for track_id in seed_ids if track_id in known]
    missing = [track_id for track_id in seed_ids if track_id not in known]
    return present, missing


def share_query(
    seed_ids: Sequence[str],
    weights: Mapping[str, float] | None = None,
    *,
    excluded_ids: Sequence[str] = (),
    excluded_artists: Sequence[str] = (),
) -> str:
    """Return the query string (without ``?``) that reproduces these seeds, weights and exclusions.

    Weights at their defaults are left out, so a link with default weights has no
    ``weights`` parameter; no exclusions, no ``not``/``not_artist`` parameters.

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
    if excluded_ids:
        params[NOT_TRACKS_PARAM] = ",".join(parse_track_id(t) for t in excluded_ids)
    pairs = [*params.items(), *((NOT_ARTISTS_PARAM, name) for name in excluded_artists)]
    return urlencode(pairs, safe=",:")


def share_url(base_url: str, seed_ids: Sequence[str], weights: Mapping[str, float] | None) -> str:
    """Return ``base_url`` with the share query appended (any query it had is replaced)."""
    root = base_url.split("?", 1)[0].split("#", 1)[0]
    return f"{root}?{share_query(seed_ids, weights)}"
