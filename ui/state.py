"""Per-session state: every session key, the seed sources, and the listener's seeds and options.

Everything per user lives in ``st.session_state`` (never in a global cache), and every key of it
is declared here, with the type of its value: pages and the other ``ui`` modules name a key as
``state.SOMETHING`` and read or write it through :func:`get` / :func:`put` / :func:`pop`
(``tests/test_session_keys.py`` fails on a key spelled anywhere else).

Streamlit forgets a keyed widget's value when a run does not draw it (e.g. after visiting
another page), so each persistent widget is *bound*: before it is drawn its key is restored from
the session's own record, and its ``on_change`` writes the new value back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Generic, Literal, TypeVar, cast, get_args

import streamlit as st

from recommender.domain import AudioProfile
from recommender.engine.explain import Recommendation
from recommender.engine.features import DEFAULT_WEIGHTS, DISCOVER_PRESETS, PRESETS, WEIGHT_NAMES
from recommender.engine.recommend import SEED_ARTISTS_PER_BLOCK
from recommender.present.listing import OptionValues
from recommender.seeds.history import HistoryImport
from recommender.seeds.resolve import Resolution
from recommender.spotify.library import SavedPlaylist
from recommender.spotify.problems import SpotifyProblem

T = TypeVar("T")


class Key(str, Generic[T]):
    """A session-state key that carries the type of the value stored under it."""

    __slots__ = ()


@dataclass(frozen=True)  # not slots: a subscripted call sets __orig_class__ on it
class KeyFamily(Generic[T]):
    """Keys made of a fixed prefix and a part (one button per track, one slider per weight)."""

    prefix: str

    def __call__(self, part: object) -> Key[T]:
        return Key(f"{self.prefix}{part}")


def get(key: Key[T], default: T) -> T:
    """The value under ``key``, or ``default`` when the session has none."""
    return cast(T, st.session_state.get(key, default))


def peek(key: Key[T]) -> T | None:
    """The value under ``key``, or None when the session has none."""
    return cast("T | None", st.session_state.get(key))


def put(key: Key[T], value: T) -> None:
    """Store ``value`` under ``key``."""
    st.session_state[key] = value


def pop(key: Key[T], default: T) -> T:
    """Remove ``key`` and return what it held (``default`` when nothing)."""
    return cast(T, st.session_state.pop(key, default))


def drop(key: Key[Any]) -> None:
    """Forget ``key`` (nothing happens when the session has no value under it)."""
    st.session_state.pop(key, None)


# -- where seeds come from --------------------------------------------------------------------
SeedSource = Literal[
    "guest search",
    "surprise me",
    "Spotify top tracks",
    "Spotify playlist",
    "upload",
    "share link",
    # Seeds added one by one from a second source on top of the first (add_seed).
    "mixed",
]
SOURCES: Final[tuple[SeedSource, ...]] = get_args(SeedSource)


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The login ended before Save was pressed."""

    message: str = "You are no longer logged in; log in on Home."


# What the last Save press came to, kept in the session for the rerun that shows it.
SaveOutcome = SavedPlaylist | SpotifyProblem | LoggedOut

# -- every session key ------------------------------------------------------------------------
# Seeds, weights, presets (this module).
SEED_IDS: Final = Key[list[str]]("seed_ids")
SEED_SOURCE: Final = Key[SeedSource | None]("seed_source")
SEED_PROFILES: Final = Key[dict[str, AudioProfile]]("seed_profiles")
WEIGHTS: Final = Key[dict[str, float]]("weights")
WEIGHT_SLIDER: Final = KeyFamily[float]("weight_")
ACTIVE_PRESET: Final = Key[str | None]("active_preset")
# What a preset replaced (weights and the discover option), for the one-click restore.
_BEFORE_PRESET: Final = Key[tuple[dict[str, float], bool] | None]("_before_preset")
# The last value of every bound widget (widget key -> value), across page switches.
_KEPT: Final = Key[dict[str, Any]]("_kept_widget_values")
# "Not this": exclusions kept for the session.
EXCLUDED_TRACKS: Final = Key[dict[str, str]]("excluded_tracks")  # track id -> chip label
EXCLUDED_ARTISTS: Final = Key[list[str]]("excluded_artists")  # artist names as shown

# The list options (their widgets; read and written together as OptionValues).
PER_SEED: Final = Key[int]("per_seed")
LIMIT: Final = Key[int]("limit")  # the widget's 0 is OptionValues.limit None (the default)
MAX_PER_ARTIST: Final = Key[int]("max_per_artist")  # 0 is max_per_artist None (no cap)
DISCOVER: Final = Key[bool]("discover")
POPULARITY_RANGE: Final = Key[tuple[int, int]]("popularity_range")
EXCLUDE_EXPLICIT: Final = Key[bool]("exclude_explicit")
SEED_ARTISTS: Final = Key[int]("seed_artists")  # of every 20; 20 is no cap

# Home, guest side (ui/guest.py).
GUEST_SEARCH: Final = Key[str]("guest_search")
SURPRISE_ME: Final = Key[bool]("surprise_me")
HISTORY_UPLOAD: Final = Key[Any]("history_upload")  # the uploader's files
HISTORY_SEED_COUNT: Final = Key[int]("history_seed_count")
HISTORY_USE_SEEDS: Final = Key[bool]("history_use_seeds")
HISTORY_RANGE: Final = Key[str]("history_range")  # plays.RANGES: the upload's time range
HISTORY_SWAP: Final = Key[list[str]]("history_swap")  # the seeds picked from the upload
GET_RECOMMENDATIONS: Final = Key[bool]("get_recommendations")
GET_RECOMMENDATIONS_BELOW: Final = Key[bool]("get_recommendations_below")
GUEST_ADD: Final = KeyFamily[bool]("guest_add_")  # + track id
GUEST_REMOVE: Final = KeyFamily[bool]("guest_remove_")  # + track id
GUEST_CLEAR_SEEDS: Final = Key[bool]("guest_clear_seeds")
SURPRISE_LABEL: Final = Key[str | None]("_guest_surprise_label")
SURPRISE_ERROR: Final = Key[str | None]("_guest_surprise_error")
# (file ids and catalog fingerprint, the summary shown, songs in the whole upload)
HISTORY_MEMO: Final = Key[tuple[tuple[Any, ...], HistoryImport, int]]("_guest_history_memo")

# Home, Spotify side (ui/home.py, ui/login.py).
TIME_RANGE: Final = Key[str]("time_range")
USE_TOP_TRACKS: Final = Key[bool]("use_top_tracks")
PLAYLIST_CHOICE: Final = Key[str]("playlist_choice")
USE_PLAYLIST: Final = Key[bool]("use_playlist")
# (playlist id, its name, the resolution, the line about skipped items)
PLAYLIST_PICK: Final = Key[tuple[str, str, Resolution, str]]("_playlist_resolution")
SPOTIFY_USER: Final = Key[dict[str, str]]("spotify_user")  # user_id, display_name
SPOTIFY_LOGOUT: Final = Key[bool]("spotify_logout")
# The Spotify session's own data (the token): SessionTokenStore's keys, all under one prefix.
SPOTIFY_DATA: Final = KeyFamily[Any]("spotify:")

# Recommendations page (ui/render.py, ui/results.py, ui/save.py, pages/recommendations.py).
SHARE_PROBLEMS: Final = Key[list[str]]("share_problems")  # set by a share link, shown once
# The list part of the address this session last wrote (ui/address.py): an address equal to
# it is the session's own and is not applied again.
ADDRESS_QUERY: Final = Key[str]("address_query")
# A listener's own Spotify app (PKCE): {"client_id", "redirect_uri"}, for the token refresh.
OWN_APP: Final = Key[dict[str, str]]("own_spotify_app")
OWN_APP_CLIENT: Final = Key[str]("own_app_client_id")  # the client id text box
FORGET_OWN_APP: Final = Key[bool]("forget_own_app")
PRESET_BUTTON: Final = KeyFamily[bool]("preset_")  # + preset name, lower case, "_" for " "
RESTORE_WEIGHTS: Final = Key[bool]("restore_weights")
RESET_WEIGHTS: Final = Key[bool]("reset_weights")
# (everything the list depends on, the list)
RECOMMENDATIONS_MEMO: Final = Key[tuple[tuple[Any, ...], list[Recommendation]]](
    "_recommendations_memo"
)
RADAR_SEED: Final = Key[str]("radar_seed")
RADAR_SEED_CHART: Final = Key[Any]("radar_seed_chart")
RADAR_PROFILE: Final = Key[Any]("radar_profile")
HOME_SEEDS_RADAR: Final = Key[Any]("home_seeds_radar")
HOME_SEEDS_TABLE: Final = Key[Any]("home_seeds_table")
EXPORT_CSV: Final = Key[bool]("export_csv")
# The list's grid: a new key after each "not this" (+ how many there were).
RESULTS_TABLE: Final = KeyFamily[Any]("results_table_")
# The phone width's narrower grid of the same list (+ the same count), and the detail panel.
PHONE_TABLE: Final = KeyFamily[Any]("phone_list_")
RESULT_DETAIL: Final = Key[Any]("result_detail")
SELECTED: Final = Key[str | None]("_selected_recommendation")
SELECTED_IDS: Final = Key[list[str]]("_selected_recommendation_ids")  # the rows, in order
NOT_THIS_COUNT: Final = Key[int]("_not_this_count")
EXCLUDE_TRACK: Final = Key[bool]("exclude_track")
EXCLUDE_ARTIST: Final = Key[bool]("exclude_artist")
INCLUDE_TRACK: Final = KeyFamily[bool]("include_track_")  # + track id
INCLUDE_ARTIST: Final = KeyFamily[bool]("include_artist_")  # + position
PLAYLIST_NAME: Final = Key[str]("playlist_name")
PLAYLIST_PUBLIC: Final = Key[bool]("playlist_public")
SAVE_PLAYLIST: Final = Key[bool]("save_playlist")
SAVED_PLAYLIST: Final = Key[SaveOutcome]("saved_playlist")

# Explore and model pages (ui/explore.py, ui/model_info.py), the catalog choice (ui/loaders.py).
GENRE_COUNTS: Final = Key[Any]("genre_counts")
FEATURE_HISTOGRAM: Final = KeyFamily[Any]("hist_")  # + feature
EXPLORE_X: Final = Key[str]("explore_x")
EXPLORE_Y: Final = Key[str]("explore_y")
FEATURE_SCATTER: Final = Key[Any]("feature_scatter")
RETRAIN_NOW: Final = Key[bool]("retrain_now")
RETRAINED_AT: Final = Key[datetime]("retrained_at")
USE_DEMO_CATALOG: Final = Key[bool]("use_demo_catalog")
USE_DEMO: Final = Key[bool]("use_demo")

MAX_SEEDS: Final = 50
MAX_EXCLUSIONS: Final = 50

# The option widgets' values when the listener has not touched them.
_OPTION_DEFAULTS: Final[Mapping[str, Any]] = {
    PER_SEED: 5,
    LIMIT: 0,
    MAX_PER_ARTIST: 0,
    DISCOVER: False,
    POPULARITY_RANGE: (0, 100),
    EXCLUDE_EXPLICIT: False,
    SEED_ARTISTS: SEED_ARTISTS_PER_BLOCK,
}


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


def seed_source() -> SeedSource | None:
    """Where the current seeds came from (one of ``SOURCES``) or None."""
    init()
    return cast("SeedSource | None", st.session_state[SEED_SOURCE])


def seed_profiles() -> dict[str, AudioProfile]:
    """Profiles of seeds that are not in the catalog (approximate, from resolution)."""
    init()
    return dict(st.session_state[SEED_PROFILES])


def set_seeds(
    ids: Sequence[str], *, source: SeedSource, profiles: Mapping[str, AudioProfile] | None = None
) -> None:
    """Replace the seeds (deduplicated, at most ``MAX_SEEDS``) and record their source."""
    init()
    unique = list(dict.fromkeys(ids))[:MAX_SEEDS]
    st.session_state[SEED_IDS] = unique
    st.session_state[SEED_SOURCE] = source if unique else None
    st.session_state[SEED_PROFILES] = {
        track_id: profile for track_id, profile in (profiles or {}).items() if track_id in unique
    }


def add_seed(track_id: str, *, source: SeedSource = "guest search") -> None:
    """Append one seed (no-op if present); an on_click callback for "Add" buttons.

    Added to seeds from another source, the seeds' source becomes "mixed".
    """
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
        st.session_state[WEIGHT_SLIDER(name)] = float(merged[name])


def reset_weights() -> None:
    """on_click callback of "Reset": every weight back to its default."""
    set_weights(DEFAULT_WEIGHTS)
    st.session_state[ACTIVE_PRESET] = None


def apply_preset(name: str) -> None:
    """on_click callback of a preset button (``PRESETS`` of the engine).

    The preset replaces every slider's value (and, for ``DISCOVER_PRESETS``, turns discover
    on); the values it replaced are kept so that :func:`restore_before_preset` brings them back.
    """
    init()
    before = st.session_state.get(_BEFORE_PRESET)
    if st.session_state.get(ACTIVE_PRESET) is None or before is None:
        before = (weights(), options().discover)
        st.session_state[_BEFORE_PRESET] = before
    set_weights(PRESETS[name])
    set_options(replace(options(), discover=name in DISCOVER_PRESETS or before[1]))
    st.session_state[ACTIVE_PRESET] = name


def active_preset() -> str | None:
    """The preset whose values the sliders hold, or None once a slider moved or on restore."""
    init()
    name = st.session_state.get(ACTIVE_PRESET)
    return str(name) if name is not None else None


def restore_before_preset() -> None:
    """on_click callback of "Restore previous values": undo the active preset."""
    init()
    before = st.session_state.get(_BEFORE_PRESET)
    if before is not None:
        set_weights(before[0])
        set_options(replace(options(), discover=before[1]))
    st.session_state[ACTIVE_PRESET] = None
    st.session_state[_BEFORE_PRESET] = None


def _weight_changed(name: str) -> None:
    st.session_state[WEIGHTS][name] = float(st.session_state[WEIGHT_SLIDER(name)])
    st.session_state[ACTIVE_PRESET] = None  # the sliders no longer hold the preset's values


def bind_weight(name: str) -> dict[str, Any]:
    """Prepare the slider of weight ``name``; returns the kwargs to pass to ``st.slider``."""
    init()
    key = WEIGHT_SLIDER(name)
    if key not in st.session_state:
        st.session_state[key] = weights()[name]
    return {"key": key, "on_change": _weight_changed, "args": (name,)}


def _keep(key: Key[Any]) -> None:
    st.session_state[_KEPT][key] = st.session_state[key]


def bind(key: Key[T], default: T | None = None) -> dict[str, Any]:
    """Prepare a widget whose value survives page switches; returns its key/on_change kwargs."""
    init()
    if key not in st.session_state:
        fallback = _OPTION_DEFAULTS.get(key, default)
        st.session_state[key] = st.session_state[_KEPT].get(key, fallback)
    return {"key": key, "on_change": _keep, "args": (key,)}


def _widget_value(key: Key[Any]) -> Any:
    """A bound widget's value, whether or not it is drawn this run."""
    if key in st.session_state:
        return st.session_state[key]
    return st.session_state[_KEPT].get(key, _OPTION_DEFAULTS[key])


def options() -> OptionValues:
    """The list options as one value (None: the engine's default list length, no artist cap)."""
    init()
    low, high = _widget_value(POPULARITY_RANGE)
    return OptionValues(
        per_seed=int(_widget_value(PER_SEED)),
        limit=int(_widget_value(LIMIT)) or None,
        max_per_artist=int(_widget_value(MAX_PER_ARTIST)) or None,
        discover=bool(_widget_value(DISCOVER)),
        popularity_range=(int(low), int(high)),
        exclude_explicit=bool(_widget_value(EXCLUDE_EXPLICIT)),
        seed_artists_per_block=int(_widget_value(SEED_ARTISTS)),
    )


def set_options(values: OptionValues) -> None:
    """Write the list options (each widget that changed, and its kept value)."""
    init()
    widgets: dict[Key[Any], Any] = {
        PER_SEED: values.per_seed,
        LIMIT: values.limit or 0,
        MAX_PER_ARTIST: values.max_per_artist or 0,
        DISCOVER: values.discover,
        POPULARITY_RANGE: values.popularity_range,
        EXCLUDE_EXPLICIT: values.exclude_explicit,
        SEED_ARTISTS: values.seed_artists_per_block,
    }
    for key, value in widgets.items():
        if _widget_value(key) != value:
            st.session_state[key] = value
            st.session_state[_KEPT][key] = value


# -- "not this": exclusions kept for the session ----------------------------------------------
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


def set_exclusions(
    track_ids: Mapping[str, str], artists: Sequence[str], *, cap: int | None = MAX_EXCLUSIONS
) -> None:
    """Replace both exclusion lists: a share link (capped), or a library's bans (``cap=None``:
    all of them stay in the session; the address carries what a link can)."""
    st.session_state[EXCLUDED_TRACKS] = dict(list(track_ids.items())[:cap])
    st.session_state[EXCLUDED_ARTISTS] = list(dict.fromkeys(artists))[:cap]


# -- the Spotify session's data ---------------------------------------------------------------
class SessionTokenStore(MutableMapping[str, Any]):
    """This browser session's Spotify data inside ``st.session_state`` (keys prefixed)."""

    def __getitem__(self, key: str) -> Any:
        return st.session_state[SPOTIFY_DATA(key)]

    def __setitem__(self, key: str, value: Any) -> None:
        st.session_state[SPOTIFY_DATA(key)] = value

    def __delitem__(self, key: str) -> None:
        del st.session_state[SPOTIFY_DATA(key)]

    def __iter__(self) -> Iterator[str]:
        prefix = SPOTIFY_DATA.prefix
        keys = [k for k in st.session_state if isinstance(k, str)]
        return (k.removeprefix(prefix) for k in keys if k.startswith(prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)
