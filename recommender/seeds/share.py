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
# The work a link can ask for is bounded before any per-id step: at most this many
# characters of each parameter are looked at, and at most this many comma-separated pieces.
# 1,000 pieces leave room to find 50 catalog tracks among unknown ones (20x), and 64k
# characters hold 1,000 open.spotify.com track links.
MAX_SEED_PIECES: Final = 1_000
MAX_SEEDS_CHARS: Final = 64_000
MAX_WEIGHT_PIECES: Final = 100
MAX_WEIGHTS_CHARS: Final = 4_000
# Left-out artists come one parameter each; at most this many are looked at.
MAX_ARTIST_PIECES: Final = 200
# How many bad pieces a problem names before "and N more", and how much of each.
SHOWN_PIECES: Final = 3
SHOWN_CHARS: Final = 40


@dataclass(frozen=True, slots=True)
class SharedSelection:
    """What a share link asks for: seed ids (in order, unique), weights, and what was wrong.

    ``problems`` holds at most one sentence per kind of problem (cut link, malformed ids,
    unknown ids, too many ids, nothing usable, bad weights, bad exclusions). ``examined``
    counts the pieces of every parameter that were looked at (never more than the caps).
    """

    seed_ids: tuple[str, ...]
    weights: dict[str, float]
    problems: tuple[str, ...]
    excluded_ids: tuple[str, ...] = ()
    excluded_artists: tuple[str, ...] = ()
    examined: int = 0


def _pieces(text: str, *, max_chars: int, max_pieces: int) -> tuple[list[str], bool]:
    """The first ``max_pieces`` comma-separated pieces of the first ``max_chars`` characters.

    Returns the pieces and whether anything was left unread. Only bounded slices of the
    input are ever split, so the cost does not grow with the length of the link.
    """
    if not text:
        return [], False
    cut = len(text) > max_chars
    if cut:
        # Drop the piece the character cap went through the middle of.
        text = text[:max_chars].rpartition(",")[0]
    pieces = text.split(",", max_pieces)
    if len(pieces) > max_pieces:
        pieces = pieces[:max_pieces]
        cut = True
    return pieces, cut


def _shown(piece: str) -> str:
    piece = piece.strip()
    return piece if len(piece) <= SHOWN_CHARS else piece[: SHOWN_CHARS - 1] + "…"


def summarise(items: Sequence[str], *, shown: int = SHOWN_PIECES) -> str:
    """The first ``shown`` items, then how many are left: "a, b, c and 9 more"."""
    head = ", ".join(items[:shown])
    rest = len(items) - shown
    return f"{head} and {rest:,} more" if rest > 0 else head


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _parse_ids(
    text: str, known: Collection[str] | None, *, what: str
) -> tuple[list[str], list[str], int]:
    """Ids of ``seeds`` or ``not``: in order, unique, in ``known``, at most the first 50.

    ``what`` names them in the problems: "tracks" or "left-out tracks".
    """
    pieces, cut = _pieces(text, max_chars=MAX_SEEDS_CHARS, max_pieces=MAX_SEED_PIECES)
    malformed: list[str] = []
    unknown: list[str] = []
    # A dict keeps the first-seen order and makes each duplicate check O(1).
    usable: dict[str, None] = {}
    seen: set[str] = set()
    for piece in pieces:
        if not piece.strip():
            continue
        try:
            track_id = parse_track_id(piece)
        except ValueError:
            malformed.append(_shown(piece))
            continue
        if track_id in seen:
            continue
        seen.add(track_id)
        # Membership first, the cap after: 60 unknown ids must not hide 3 known ones.
        if known is None or track_id in known:
            usable[track_id] = None
        else:
            unknown.append(track_id)
    of_link = "" if what == "tracks" else f" of the {what}"
    problems: list[str] = []
    if cut:
        problems.append(
            f"The link is longer than any selection this app makes: only the first "
            f"{len(pieces):,} pieces of its {what} were read."
        )
    if malformed:
        verb = "is not a Spotify track id" if len(malformed) == 1 else "are not Spotify track ids"
        problems.append(
            f"{_plural(len(malformed), 'id', 'ids')}{of_link} {verb}: {summarise(malformed)}."
        )
    if unknown:
        one = len(unknown) == 1
        problems.append(
            f"{_plural(len(unknown), what.removesuffix('s'), what)} of the link "
            f"{'is' if one else 'are'} not in the catalog and {'was' if one else 'were'} left "
            f"out: {summarise(unknown)}."
        )
    ids = list(usable)
    if len(ids) > MAX_SHARED_SEEDS:
        problems.append(
            f"Only the first {MAX_SHARED_SEEDS} of the link's {len(ids):,} {what} are used."
        )
        ids = ids[:MAX_SHARED_SEEDS]
    if what == "tracks" and not ids and (malformed or unknown):
        problems.append("None of the link's tracks can be used; pick seeds on Home instead.")
    return ids, problems, len(pieces)


def _parse_artists(names: Sequence[str]) -> tuple[list[str], list[str], int]:
    """Left-out artist names in order, unique, trimmed, capped; one problem per kind."""
    examined = list(names[:MAX_ARTIST_PIECES])
    kept: dict[str, None] = {}
    long = 0
    for name in examined:
        # The length is checked before the name is split, so a huge value costs nothing.
        if len(name) > 4 * MAX_ARTIST_NAME:
            long += 1
            continue
        text = " ".join(name.split())
        if len(text) > MAX_ARTIST_NAME:
            long += 1
            continue
        if text:
            kept.setdefault(text, None)
    problems = []
    if long:
        problems.append(
            f"{_plural(long, 'left-out artist name', 'left-out artist names')} longer than "
            f"{MAX_ARTIST_NAME} characters {'was' if long == 1 else 'were'} ignored."
        )
    if len(names) > MAX_ARTIST_PIECES:
        problems.append(f"Only the first {MAX_ARTIST_PIECES} left-out artists were read.")
    artists = list(kept)
    if len(artists) > MAX_SHARED_SEEDS:
        problems.append(
            f"Only the first {MAX_SHARED_SEEDS} of the link's {len(artists):,} left-out artists "
            "are used."
        )
        artists = artists[:MAX_SHARED_SEEDS]
    return artists, problems, len(examined)


def _parse_weights(text: str) -> tuple[dict[str, float], list[str], int]:
    # ";" separates weights too; replaced only within the slice that can be read.
    pieces, cut = _pieces(
        text[: MAX_WEIGHTS_CHARS + 1].replace(";", ","),
        max_chars=MAX_WEIGHTS_CHARS,
        max_pieces=MAX_WEIGHT_PIECES,
    )
    weights: dict[str, float] = {}
    ignored: list[str] = []
    # Piece by piece, so one bad weight does not throw away the good ones.
    for piece in pieces:
        if not piece.strip():
            continue
        try:
            weights.update(parse_weights(piece))
        except ValueError as error:
            reason = str(error).split(";", 1)[0]
            ignored.append(f"{_shown(piece)} ({reason[:80]})")
    problems: list[str] = []
    if ignored:
        problems.append(
            f"{_plural(len(ignored), 'weight', 'weights')} ignored: {summarise(ignored)}."
        )
    if cut:
        problems.append(f"Only the first {len(pieces):,} weights of the link were read.")
    return weights, problems, len(pieces)


def parse_share(
    seeds: str | None,
    weights: str | None = None,
    *,
    not_tracks: str | None = None,
    not_artists: Sequence[str] = (),
    known: Collection[str] | None = None,
) -> SharedSelection:
    """Read the query parameters of a share link.

    The work is bounded before any per-id step (``MAX_SEEDS_CHARS``/``MAX_SEED_PIECES`` per
    id parameter, the weight and artist caps) and linear in what is read; duplicates are
    dropped in O(1) each.

    Args:
        seeds: comma-separated track ids, ``spotify:track:`` URIs or open.spotify.com links.
        weights: ``name:value`` pieces in the engine's weight syntax.
        not_tracks: left-out tracks, written like ``seeds``.
        not_artists: left-out artist names (one query parameter each).
        known: the catalog's track ids; ids outside it are left out (and said) before the
            first ``MAX_SHARED_SEEDS`` are kept. ``None`` accepts every well-formed id.

    Returns:
        The selection; ``problems`` holds at most one sentence per kind of problem.
    """
    seed_ids, seed_problems, seed_pieces = _parse_ids(seeds or "", known, what="tracks")
    weight_map, weight_problems, weight_pieces = _parse_weights(weights or "")
    excluded, excluded_problems, excluded_pieces = _parse_ids(
        not_tracks or "", known, what="left-out tracks"
    )
    artists, artist_problems, artist_pieces = _parse_artists(not_artists)
    return SharedSelection(
        seed_ids=tuple(seed_ids),
        weights=weight_map,
        problems=(*seed_problems, *weight_problems, *excluded_problems, *artist_problems),
        excluded_ids=tuple(excluded),
        excluded_artists=tuple(artists),
        examined=seed_pieces + weight_pieces + excluded_pieces + artist_pieces,
    )


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
