"""Share links: ``?seeds=<id>,<id>&weights=energy:2,valence:0.5&discover=1`` read and written.

A link carries only public track ids, weights, "not this" choices and the list options (never
anything about the person who made it), so opening it in a fresh browser reproduces the
recommendations as a guest. The Recommendations page keeps its own address in this form, so a
reload, back/forward and a bookmark show the same list. Reading is forgiving: a malformed id,
an unknown weight or a bad option is reported and the rest of the link still works.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypedDict
from urllib.parse import urlencode

from recommender.domain import parse_track_id
from recommender.engine.features import format_weights, parse_weights
from recommender.engine.recommend import DEFAULT_PER_SEED, SEED_ARTISTS_PER_BLOCK

SEEDS_PARAM: Final = "seeds"
WEIGHTS_PARAM: Final = "weights"
# "Not this track" / "not this artist": comma-separated ids, and one parameter per artist
# (an artist's name may hold a comma: "Tyler, The Creator").
NOT_TRACKS_PARAM: Final = "not"
NOT_ARTISTS_PARAM: Final = "not_artist"
MAX_ARTIST_NAME: Final = 200
# The list options, each left out of a link while at its default.
DISCOVER_PARAM: Final = "discover"  # 1: leave out the seeds' artists
PER_SEED_PARAM: Final = "per_seed"
LIMIT_PARAM: Final = "limit"
PER_ARTIST_PARAM: Final = "per_artist"
POPULARITY_PARAM: Final = "popularity"  # low-high, 0-100
NO_EXPLICIT_PARAM: Final = "no_explicit"  # 1: leave out tracks known to be explicit
SEED_ARTISTS_PARAM: Final = "seed_artists"  # of every 20, 0-20
OPTION_PARAMS: Final = (
    SEED_ARTISTS_PARAM,
    DISCOVER_PARAM,
    PER_SEED_PARAM,
    LIMIT_PARAM,
    PER_ARTIST_PARAM,
    POPULARITY_PARAM,
    NO_EXPLICIT_PARAM,
)
# What the address may hold; anything else in it (demo=1, an OAuth answer) is not ours.
ADDRESS_PARAMS: Final = (
    SEEDS_PARAM,
    WEIGHTS_PARAM,
    NOT_TRACKS_PARAM,
    NOT_ARTISTS_PARAM,
    *OPTION_PARAMS,
)
# The bounds of the option widgets (ui/render.option_controls).
PER_SEED_RANGE: Final = (1, 20)
LIMIT_RANGE: Final = (1, 200)
PER_ARTIST_RANGE: Final = (1, 20)
OPTION_CHARS: Final = 20


class SharedOptions(TypedDict, total=False):
    """The list options a link sets, by the names of ``present.listing.OptionValues``.

    A key is present only when the link sets that option to something other than its default.
    """

    per_seed: int
    limit: int
    max_per_artist: int
    discover: bool
    popularity_range: tuple[int, int]
    exclude_explicit: bool
    seed_artists_per_block: int


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
    options: SharedOptions = field(default_factory=lambda: SharedOptions())


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


def _whole(text: str, bounds: tuple[int, int]) -> int | None:
    low, high = bounds
    value = text.strip()
    if not value.isdigit() or len(value) > 4:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _flag(text: str) -> bool | None:
    return {"1": True, "0": False}.get(text.strip())


def _popularity(text: str) -> tuple[int, int] | None:
    low, sep, high = text.strip().partition("-")
    if not sep:
        return None
    first, last = _whole(low, (0, 100)), _whole(high, (0, 100))
    if first is None or last is None or first > last:
        return None
    return (first, last)


def parse_options(params: Mapping[str, str]) -> tuple[SharedOptions, list[str]]:
    """The list options of a link (each at most ``OPTION_CHARS`` long), and one problem line.

    A value outside the widgets' bounds, or not a number, is ignored and named; the other
    options still apply.
    """
    options = SharedOptions()
    ignored: list[str] = []
    for name in OPTION_PARAMS:
        if name not in params:
            continue
        raw = params[name][:OPTION_CHARS]
        if name == DISCOVER_PARAM and (flag := _flag(raw)) is not None:
            options["discover"] = flag
        elif name == NO_EXPLICIT_PARAM and (flag := _flag(raw)) is not None:
            options["exclude_explicit"] = flag
        elif name == PER_SEED_PARAM and (number := _whole(raw, PER_SEED_RANGE)) is not None:
            options["per_seed"] = number
        elif name == LIMIT_PARAM and (number := _whole(raw, LIMIT_RANGE)) is not None:
            options["limit"] = number
        elif name == PER_ARTIST_PARAM and (number := _whole(raw, PER_ARTIST_RANGE)) is not None:
            options["max_per_artist"] = number
        elif name == SEED_ARTISTS_PARAM and (number := _whole(raw, (0, 20))) is not None:
            options["seed_artists_per_block"] = number
        elif name == POPULARITY_PARAM and (span := _popularity(raw)) is not None:
            options["popularity_range"] = span
        else:
            ignored.append(f"{name}={_shown(raw)}")
    problems = []
    if ignored:
        problems.append(
            f"{_plural(len(ignored), 'list option', 'list options')} ignored: {summarise(ignored)}."
        )
    return options, problems


def option_params(options: SharedOptions) -> dict[str, str]:
    """The query parameters of the options that differ from their defaults, in a fixed order."""
    params: dict[str, str] = {}
    room = options.get("seed_artists_per_block")
    if room is not None and room != SEED_ARTISTS_PER_BLOCK:
        params[SEED_ARTISTS_PARAM] = str(room)
    if options.get("discover"):
        params[DISCOVER_PARAM] = "1"
    if "per_seed" in options and options["per_seed"] != DEFAULT_PER_SEED:
        params[PER_SEED_PARAM] = str(options["per_seed"])
    if options.get("limit"):
        params[LIMIT_PARAM] = str(options["limit"])
    if options.get("max_per_artist"):
        params[PER_ARTIST_PARAM] = str(options["max_per_artist"])
    span = options.get("popularity_range")
    if span is not None and tuple(span) != (0, 100):
        params[POPULARITY_PARAM] = f"{span[0]}-{span[1]}"
    if options.get("exclude_explicit"):
        params[NO_EXPLICIT_PARAM] = "1"
    return params


def parse_share(
    seeds: str | None,
    weights: str | None = None,
    *,
    not_tracks: str | None = None,
    not_artists: Sequence[str] = (),
    known: Collection[str] | None = None,
    options: Mapping[str, str] | None = None,
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
        options: the link's list-option parameters (``OPTION_PARAMS``), name -> value.
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
    shared_options, option_problems = parse_options(options or {})
    return SharedSelection(
        seed_ids=tuple(seed_ids),
        weights=weight_map,
        problems=(
            *seed_problems,
            *weight_problems,
            *excluded_problems,
            *artist_problems,
            *option_problems,
        ),
        excluded_ids=tuple(excluded),
        excluded_artists=tuple(artists),
        examined=seed_pieces + weight_pieces + excluded_pieces + artist_pieces,
        options=shared_options,
    )


def share_query(
    seed_ids: Sequence[str],
    weights: Mapping[str, float] | None = None,
    *,
    excluded_ids: Sequence[str] = (),
    excluded_artists: Sequence[str] = (),
    options: SharedOptions | None = None,
) -> str:
    """Return the query string (without ``?``) that reproduces this list.

    Weights and options at their defaults are left out, so a link with default weights has
    no ``weights`` parameter; no exclusions, no ``not``/``not_artist`` parameters.

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
    params.update(option_params(options or SharedOptions()))
    pairs = [*params.items(), *((NOT_ARTISTS_PARAM, name) for name in excluded_artists)]
    return urlencode(pairs, safe=",:")


def share_url(base_url: str, seed_ids: Sequence[str], weights: Mapping[str, float] | None) -> str:
    """Return ``base_url`` with the share query appended (any query it had is replaced)."""
    root = base_url.split("?", 1)[0].split("#", 1)[0]
    return f"{root}?{share_query(seed_ids, weights)}"
