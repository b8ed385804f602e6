"""The address holds the list: the Recommendations page keeps its query string current.

While a listener works, the seeds, weights, "not this" choices and list options are written
into ``st.query_params`` in share-link form (``recommender.seeds.share``), so a reload,
back/forward, a bookmark and a shared link all reopen the same list. The entrypoint applies
an address only when it is not the one this session wrote itself (see :func:`is_own`), so a
rerun never undoes a change the listener just made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

import streamlit as st

from recommender.engine.recommend import SEED_ARTISTS_PER_BLOCK
from recommender.present.listing import OptionValues
from recommender.seeds.share import ADDRESS_PARAMS, MAX_SHARED_SEEDS, SharedOptions, share_query
from ui import state


def _canonical(pairs: Sequence[tuple[str, str]]) -> str:
    """The address's own part as one string, in ``ADDRESS_PARAMS`` order."""
    ordered = sorted(
        (pair for pair in pairs if pair[0] in ADDRESS_PARAMS),
        key=lambda pair: ADDRESS_PARAMS.index(pair[0]),
    )
    return urlencode(ordered, safe=",:")


def current() -> str:
    """The address's list parameters as they are now."""
    params = st.query_params
    return _canonical([(name, value) for name in params for value in params.get_all(name)])


def is_own() -> bool:
    """True when the address holds exactly what this session last wrote into it."""
    return state.peek(state.ADDRESS_QUERY) == current()


def shared_options(values: OptionValues) -> SharedOptions:
    """The list options in share-link form."""
    return SharedOptions(
        per_seed=values.per_seed,
        limit=values.limit or 0,
        max_per_artist=values.max_per_artist or 0,
        discover=values.discover,
        popularity_range=values.popularity_range,
        exclude_explicit=values.exclude_explicit,
        seed_artists_per_block=values.seed_artists_per_block,
    )


def option_values(shared: SharedOptions) -> OptionValues:
    """A link's options as widget values; what it does not set is at its default."""
    return OptionValues(
        per_seed=shared.get("per_seed", 5),
        limit=shared.get("limit"),
        max_per_artist=shared.get("max_per_artist"),
        discover=shared.get("discover", False),
        popularity_range=shared.get("popularity_range", (0, 100)),
        exclude_explicit=shared.get("exclude_explicit", False),
        seed_artists_per_block=shared.get("seed_artists_per_block", SEED_ARTISTS_PER_BLOCK),
    )


def list_query(
    seed_ids: Sequence[str],
    weights: Mapping[str, float],
    *,
    excluded_ids: Sequence[str],
    excluded_artists: Sequence[str],
    options: OptionValues,
) -> str:
    """The share-link query of this list ("" without seeds a link can carry)."""
    if not seed_ids:
        return ""
    # A link carries what its reader reads (MAX_SHARED_SEEDS of each); the rest stays in the
    # session, and the share box says how many.
    return share_query(
        seed_ids,
        weights,
        excluded_ids=list(excluded_ids)[:MAX_SHARED_SEEDS],
        excluded_artists=list(excluded_artists)[:MAX_SHARED_SEEDS],
        options=shared_options(options),
    )


def keep(query: str) -> None:
    """Make the address hold ``query`` (its list part; ``demo=1`` and the like stay)."""
    wanted: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        wanted.setdefault(name, []).append(value)
    params = st.query_params
    for name in ADDRESS_PARAMS:
        have = params.get_all(name)
        if name not in wanted:
            if have:
                del params[name]
        elif have != wanted[name]:
            values = wanted[name]
            params[name] = values if len(values) > 1 else values[0]
    state.put(state.ADDRESS_QUERY, current())


def session_query() -> str:
    """The share-link query of this session's list as it stands (seeds a link can carry)."""
    profiles = state.seed_profiles()
    carried = [s for s in state.seed_ids() if s not in profiles]
    return list_query(
        carried,
        state.weights(),
        excluded_ids=list(state.excluded_tracks()),
        excluded_artists=state.excluded_artists(),
        options=state.options(),
    )


def restore(query: str) -> None:
    """Put a carried list into the address for the entrypoint to apply (not as the session's
    own: this session has not shown it yet)."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in ADDRESS_PARAMS:
            existing = st.query_params.get_all(name)
            st.query_params[name] = [*existing, value] if existing else value
