"""Per-session state: the listener's seeds, weights and options, kept across page switches.

Everything per user lives in ``st.session_state`` (never in a global cache). Streamlit forgets
a keyed widget's value when a run does not draw it (e.g. after visiting another page), so
each persistent widget is *bound*: before it is drawn its key is restored from the session's
own record, and its ``on_change`` writes the new value back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import streamlit as st

from recommender.domain import AudioProfile
from recommender.engine.features import DEFAULT_WEIGHTS, PRESETS, WEIGHT_NAMES

SEED_IDS: Final = "seed_ids"
WEIGHTS: Final = "weights"
SEED_SOURCE: Final = "seed_source"
SEED_PROFILES: Final = "seed_profiles"
_KEPT: Final = "_kept_widget_values"

SOURCES: Final = (
    "guest search",
    "surprise me",
    "Spotify top tracks",
    "Spotify playlist",
    "upload",
    "share link",
)
MAX_SEEDS: Final = 50

# Options of the recommendations page and their defaults (widget key -> value).
OPTION_DEFAULTS: Final[Mapping[str, Any]] = {
    "per_seed": 5,
    "limit": 0,  # 0 = the engine's default, min(50, per_seed x seeds)
    "max_per_artist": 0,  # 0 = no cap
    "discover": False,
    "popularity_range": (0, 100),
    "exclude_explicit": False,
}


def weight_key(name: str) -> str:
    """The slider key of one weight (``weight_energy``)."""
    return f"weight_{name}"


def init() -> None:
    """Give a new session its empty seeds and default weights (idempotent)."""
    state = st.session_state
    state.setdefault(SEED_IDS, [])
    state.setdefault(WEIGHTS, dict(DEFAULT_WEIGHTS))
    state.setdefault(SEED_SOURCE, None)
    state.setdefault(SEED_PROFILES, {})
    state.setdefault(_KEPT, {})


def seed_ids() -> list[str]:
    """The current seeds, in the order they were picked."""
    init()
    return list(st.session_state[SEED_IDS])


def seed_source() -> str | None:
    """Where the current seeds came from (one of ``SOURCES``) or None."""
    init()
    return st.session_state[SEED_SOURCE]


def seed_profiles() -> dict[str, AudioProfile]:
    """Profiles of seeds that are not in the catalog (approximate, from resolution)."""
    init()
    return dict(st.session_state[SEED_PROFILES])


def set_seeds(
    ids: Sequence[str], *, source: str, profiles: Mapping[str, AudioProfile] | None = None
) -> None:
    """Replace the seeds (deduplicated, at most ``MAX_SEEDS``) and record their source."""
    init()
    unique = list(dict.fromkeys(ids))[:MAX_SEEDS]
    st.session_state[SEED_IDS] = unique
    st.session_state[SEED_SOURCE] = source if unique else None
    st.session_state[SEED_PROFILES] = {
        track_id: profile for track_id, profile in (profiles or {}).items() if track_id in unique
    }


def add_seed(track_id: str, *, source: str = "guest search") -> None:
    """Append one seed (no-op if present); an on_click callback for "Add" buttons."""
    current = seed_ids()
    if track_id in current or len(current) >= MAX_SEEDS:
        return
    st.session_state[SEED_IDS] = [*current, track_id]
    if st.session_state[SEED_SOURCE] != source:
        st.session_state[SEED_SOURCE] = source if len(current) == 0 else "mixed"


def remove_seed(track_id: str) -> None:
    """Drop one seed; an on_click callback for "Remove" buttons."""
    current = [seed for seed in seed_ids() if seed != track_id]
    st.session_state[SEED_IDS] = current
    st.session_state[SEED_PROFILES].pop(track_id, None)
    if not current:
        st.session_state[SEED_SOURCE] = None


def clear_seeds() -> None:
    """Forget every seed."""
    set_seeds([], source="guest search")


def weights() -> dict[str, float]:
    """The current weight of every engine weight name."""
    init()
    return {
        name: float(st.session_state[WEIGHTS].get(name, DEFAULT_WEIGHTS[name]))
        for name in WEIGHT_NAMES
    }


def set_weights(values: Mapping[str, float]) -> None:
    """Overwrite weights (names not given go back to their defaults) and their sliders."""
    init()
    merged = {**DEFAULT_WEIGHTS, **values}
    st.session_state[WEIGHTS] = merged
    for name in WEIGHT_NAMES:
        st.session_state[weight_key(name)] = float(merged[name])


def reset_weights() -> None:
    """on_click callback of "Reset": every weight back to its default."""
    set_weights(DEFAULT_WEIGHTS)


def apply_preset(name: str) -> None:
    """on_click callback of a preset button (``PRESETS`` of the engine)."""
    set_weights(PRESETS[name])


def _weight_changed(name: str) -> None:
    st.session_state[WEIGHTS][name] = float(st.session_state[weight_key(name)])


def bind_weight(name: str) -> dict[str, Any]:
    """Prepare the slider of weight ``name``; returns the kwargs to pass to ``st.slider``."""
    init()
    key = weight_key(name)
    if key not in st.session_state:
        st.session_state[key] = weights()[name]
    return {"key": key, "on_change": _weight_changed, "args": (name,)}


def _keep(key: str) -> None:
    st.session_state[_KEPT][key] = st.session_state[key]


def bind(key: str, default: Any = None) -> dict[str, Any]:
    """Prepare a widget whose value survives page switches; returns its key/on_change kwargs."""
    init()
    if key not in st.session_state:
        fallback = OPTION_DEFAULTS.get(key, default)
        st.session_state[key] = st.session_state[_KEPT].get(key, fallback)
    return {"key": key, "on_change": _keep, "args": (key,)}


def option(key: str) -> Any:
    """The current value of a bound option, whether or not its widget is drawn this run."""
    init()
    if key in st.session_state:
        return st.session_state[key]
    return st.session_state[_KEPT].get(key, OPTION_DEFAULTS.get(key))


# -- "not this": exclusions kept for the session ----------------------------------------------
EXCLUDED_TRACKS: Final = "excluded_tracks"  # track id -> label shown on its chip
EXCLUDED_ARTISTS: Final = "excluded_artists"  # artist names as shown
MAX_EXCLUSIONS: Final = 50


def excluded_tracks() -> dict[str, str]:
    """Tracks the listener said "not this track" to (id -> label), oldest first."""
    return dict(st.session_state.get(EXCLUDED_TRACKS, {}))


def excluded_artists() -> list[str]:
    """Artists the listener said "not this artist" to, oldest first."""
    return list(st.session_state.get(EXCLUDED_ARTISTS, []))


def exclude_track(track_id: str, label: str) -> None:
    """on_click of "Not this track" (the oldest is dropped beyond ``MAX_EXCLUSIONS``)."""
    tracks = {**excluded_tracks(), track_id: label}
    st.session_state[EXCLUDED_TRACKS] = dict(list(tracks.items())[-MAX_EXCLUSIONS:])


def exclude_artist(name: str) -> None:
    """on_click of "Not this artist"."""
    names = [n for n in excluded_artists() if n != name] + [name]
    st.session_state[EXCLUDED_ARTISTS] = names[-MAX_EXCLUSIONS:]


def include_track(track_id: str) -> None:
    """on_click of a track chip's remove button."""
    tracks = excluded_tracks()
    tracks.pop(track_id, None)
    st.session_state[EXCLUDED_TRACKS] = tracks


def include_artist(name: str) -> None:
    """on_click of an artist chip's remove button."""
    st.session_state[EXCLUDED_ARTISTS] = [n for n in excluded_artists() if n != name]


def set_exclusions(track_ids: Mapping[str, str], artists: Sequence[str]) -> None:
    """Replace both exclusion lists (a share link)."""
    st.session_state[EXCLUDED_TRACKS] = dict(list(track_ids.items())[:MAX_EXCLUSIONS])
    st.session_state[EXCLUDED_ARTISTS] = list(dict.fromkeys(artists))[:MAX_EXCLUSIONS]
