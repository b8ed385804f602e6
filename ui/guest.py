"""Guest-mode widgets for Home: forgiving search, "Surprise me", export upload, picked seeds.

Each widget reads its input, makes one core call and renders. Seeds go through ``ui.state``.
Uploads are parsed from the in-memory ``UploadedFile`` objects; only a small summary stays in
this session's ``st.session_state`` (never on disk, never in a global cache).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import numpy as np
import streamlit as st

from recommender.domain import Catalog
from recommender.present.listing import catalog_rows, seed_labels, track_label
from recommender.seeds.history import HistoryImport, import_history, top_table
from recommender.seeds.plays import RANGE_NAMES
from recommender.seeds.search import SearchIndex, surprise_pick
from ui import login, state
from ui.plain import plain
from ui.search_indexes import INDEXES

# Resolving more of a long history costs time and shows nothing more useful.
HISTORY_TOP: Final = 50
# Songs the seed picker offers (exact matches first, in listening order).
SWAP_CHOICES: Final = 200
_HOW: Final = {
    "by_id": "by track id",
    "by_title": "by title and artist",
    "online": "online features",
    "artist_profile": "artist's average (approx.)",
    "not_found": "not in the catalog",
}
UPLOAD_HELP: Final = (
    "Spotify → Account → Privacy → Download your data. Upload StreamingHistory_music_*.json "
    "(Account data), Streaming_History_Audio_*.json (Extended streaming history), the whole "
    "my_spotify_data.zip, or an Exportify playlist CSV. At most 200 MB per file; a zip may hold "
    "200 files and 1 GB unpacked. Read in memory only, never stored."
)


def search_index(catalog: Catalog) -> SearchIndex:
    """The catalog's search index; a spinner only while its background build finishes."""
    if INDEXES.ready(catalog):
        return INDEXES.index_for(catalog)
    with st.spinner("Indexing the catalog for search…"):
        return INDEXES.index_for(catalog)


def recommendations_button(*, key: state.Key[bool]) -> None:
    """The primary way on: open the recommendations for the current seeds."""
    if st.button(
        "Get recommendations",
        key=key,
        type="primary",
        icon=":material/queue_music:",
    ):
        st.switch_page("pages/recommendations.py")


def hit_details(row: dict) -> str:
    """Album, year and length of a search hit, to tell versions of one song apart."""
    parts = [row.get("album") or "unknown album"]
    if row.get("year"):
        parts.append(str(row["year"]))
    if row.get("duration_ms"):
        minutes, seconds = divmod(round(row["duration_ms"] / 1000), 60)
        parts.append(f"{minutes}:{seconds:02d}")
    return " · ".join(parts)


def told_apart(lines: dict[str, str]) -> dict[str, str]:
    """Each hit's details line; where two hits' lines are the same, with its track id.

    Versions of one song often share album, year and length ("- 2011 Mix" and "- Remastered
    2011" of one album read alike at a glance); the id is what still differs.
    """
    counts: dict[str, int] = {}
    for line in lines.values():
        counts[line] = counts.get(line, 0) + 1
    return {
        track_id: f"{line} · id {track_id}" if counts[line] > 1 else line
        for track_id, line in lines.items()
    }


def search_box(catalog: Catalog, *, limit: int = 20) -> None:
    """Search on Enter; hits right below, each added to the seeds with one click.

    Once there is a seed, the primary "Get recommendations" button sits right under the
    box, above the hits: on the first screen, wherever the added hit was.
    """
    placeholder = (
        "e.g. demo track 42, demo artist 07 — press Enter"
        if catalog.synthetic
        else "e.g. beyo hal, daft punk, bohemian rapsody — press Enter"
    )
    query = st.text_input(
        "Search the catalog by title or artist", key=state.GUEST_SEARCH, placeholder=placeholder
    )
    if state.seed_ids():
        recommendations_button(key=state.GET_RECOMMENDATIONS)
    if not query.strip():
        return
    hits = search_index(catalog).search(query, limit=limit)
    if not hits:
        st.warning(
            f"Nothing in the catalog matches “{plain(query)}”. Try fewer letters or one word."
        )
        return
    picked = set(state.seed_ids())
    details = {
        row["track_id"]: row
        for row in catalog_rows(catalog, [hit.track_id for hit in hits])
        .select("track_id", "album", "year", "duration_ms")
        .iter_rows(named=True)
    }
    lines = told_apart({hit.track_id: hit_details(details.get(hit.track_id, {})) for hit in hits})
    for hit in hits:
        text, button = st.columns([5, 1], vertical_alignment="center")
        note = " · one typo forgiven" if hit.kind == "fuzzy" else ""
        text.markdown(f"{plain(track_label(hit.name, hit.artists))}{note}")
        text.caption(plain(lines[hit.track_id]))
        button.button(
            "Added" if hit.track_id in picked else "Add",
            key=state.GUEST_ADD(hit.track_id),
            on_click=state.add_seed,
            args=(hit.track_id,),
            kwargs={"source": "guest search"},
            disabled=hit.track_id in picked,
        )


def _surprise(catalog: Catalog) -> None:
    try:
        # A fresh generator per click: every click is a new draw, on every server process.
        pick = surprise_pick(catalog, rng=np.random.default_rng(), avoid=state.seed_ids())
    except ValueError as error:  # no playlist or genre holds 5 tracks (e.g. a tiny catalog)
        state.put(state.SURPRISE_ERROR, str(error))
        return
    state.put(state.SURPRISE_ERROR, None)
    state.set_seeds(pick.track_ids, source="surprise me")
    state.put(state.SURPRISE_LABEL, pick.label)


def surprise_button(catalog: Catalog) -> None:
    """ "Surprise me": replace the seeds with 5 tracks from one playlist or genre."""
    st.button(
        "Surprise me",
        key=state.SURPRISE_ME,
        icon=":material/casino:",
        on_click=_surprise,
        args=(catalog,),
        help="Five tracks from one random TidyTuesday playlist or genre",
    )
    error = state.peek(state.SURPRISE_ERROR)
    if error:
        st.warning(f"Cannot surprise you: {plain(error)}. Search for tracks instead.")
        return
    label = state.peek(state.SURPRISE_LABEL)
    if label and state.seed_source() == "surprise me":
        st.caption(f"Surprise: five tracks from the {plain(label)}.")


def _read_uploads(uploads: list, catalog: Catalog) -> HistoryImport:
    """Parse the uploads once per distinct set of files (reruns reuse the summary)."""
    key = (tuple(upload.file_id for upload in uploads), catalog.fingerprint)
    memo = state.peek(state.HISTORY_MEMO)
    if memo is not None and memo[0] == key:
        return memo[1]
    for upload in uploads:
        upload.seek(0)  # an earlier run may have read it to the end
    with st.spinner("Reading your listening history…"):
        history = import_history(
            [(upload.name, upload) for upload in uploads],
            catalog=catalog,
            index=login.catalog_index(catalog),
        )
    # Keep only what is shown: the ranked top, not every song of a multi-year history.
    summary = replace(history, plays=history.plays[:HISTORY_TOP])
    state.put(state.HISTORY_MEMO, (key, summary, len(history.plays)))
    if history.matches and not state.seed_ids():
        _use_history(summary, 5)
        # Once per upload: rerun so everything drawn before the uploader (the Get
        # recommendations button under the search box, the sidebar) shows the new seeds.
        st.rerun()
    return summary


def _use_history(history: HistoryImport, count: int, time_range: str = "long_term") -> None:
    # The seed policy (recommender.seeds.choose): exact matches first, no profile twice.
    choice = history.seeds(count, time_range=time_range)
    state.set_seeds(choice.seed_ids, source="upload", profiles=choice.profiles)
    state.put(state.HISTORY_SWAP, choice.seed_ids)
    _exclude_banned(history)


def _exclude_banned(history: HistoryImport) -> None:
    """The library's banned tracks and artists become "not this" choices (shown, removable)."""
    if not history.banned_tracks and not history.banned_artists:
        return
    tracks = {**state.excluded_tracks(), **history.banned_tracks}
    artists = [*state.excluded_artists(), *history.banned_artists]
    state.set_exclusions(tracks, artists, cap=None)


def _swap_seeds(history: HistoryImport) -> None:
    """on_change of the seed picker: the chosen songs of the upload become the seeds."""
    chosen = state.get(state.HISTORY_SWAP, [])
    profiles = history.seed_profiles()
    state.set_seeds(
        chosen, source="upload", profiles={k: v for k, v in profiles.items() if k in chosen}
    )


def _seed_picker(history: HistoryImport, time_range: str) -> None:
    """Swap any seed for another song of the history, without uploading again."""
    choice = history.seeds(time_range=time_range)
    options = [c.seed_id for c in choice.usable if c.seed_id is not None][:SWAP_CHOICES]
    labels = {c.seed_id: c.label for c in choice.usable if c.seed_id is not None}
    current = [s for s in state.seed_ids() if s in labels]
    if state.seed_source() != "upload" or not options:
        return
    state.put(state.HISTORY_SWAP, current)
    st.multiselect(
        "Seeds from your history (remove one, or add another song)",
        options=options,
        format_func=lambda seed_id: labels.get(seed_id, seed_id),
        key=state.HISTORY_SWAP,
        on_change=_swap_seeds,
        args=(history,),
        max_selections=20,
        help="Your songs in listening order, exact matches first: swap any seed without "
        "uploading again.",
    )


def history_uploader(catalog: Catalog) -> None:
    """Upload Spotify exports / Exportify CSVs; show the top songs, coverage and problems."""
    uploads = st.file_uploader(
        "Or upload your Spotify data export",
        type=["json", "csv", "zip"],
        accept_multiple_files=True,
        key=state.HISTORY_UPLOAD,
        help=UPLOAD_HELP,
    )
    if not uploads:
        return
    history = _read_uploads(list(uploads), catalog)
    memo = state.peek(state.HISTORY_MEMO)
    songs = memo[2] if memo is not None else len(history.plays)
    for problem in history.problems:
        st.error(f"{plain(problem.file)}: {plain(problem.problem)}")
    if history.problems:
        st.caption(
            "Spotify → Account → Privacy → Download your data sends a zip; upload it whole, "
            "its StreamingHistory / Streaming_History_Audio JSON files, or an Exportify CSV."
        )
    if not history.matches:
        if not history.problems:
            st.warning("No music plays of 30 s or more in these files; try a longer history.")
        return
    time_range = "long_term"
    if history.dated:
        time_range = st.radio(
            "Which part of your history",
            list(RANGE_NAMES),
            format_func=RANGE_NAMES.__getitem__,
            horizontal=True,
            **state.bind(state.HISTORY_RANGE, "long_term"),
        )
    st.write(f"Your top songs by listening time ({songs:,} songs in the upload).")
    st.caption(plain(history.seeds(time_range=time_range).coverage()))
    if history.banned_tracks or history.banned_artists:
        tracks, artists = len(history.banned_tracks), len(history.banned_artists)
        st.caption(
            f"Your library bans {tracks:,} track{'s' if tracks != 1 else ''} and {artists:,} "
            f"artist{'s' if artists != 1 else ''}: they are left out of the recommendations "
            "(shown above the list, each removable)."
        )
    table = top_table(history.ranked_matches(time_range))
    st.dataframe(
        table.select(
            "rank", "name", "artist", "listened", table["how"].replace_strict(_HOW).alias("matched")
        ),
        hide_index=True,
    )
    with st.expander(f"What was read from each file ({len(history.files)})"):
        st.dataframe(
            [
                {
                    "file": f.file,
                    "kind": f.kind,
                    "read": f.counted,
                    "skipped": f.skipped,
                    "why": f.why,
                }
                for f in history.files
            ],
            hide_index=True,
        )
    usable = len(history.seeds(HISTORY_TOP, time_range=time_range).seed_ids)
    if usable == 0:
        st.warning("None of these songs could be profiled; search the catalog instead.")
        return
    count = 1
    if usable > 1:
        count = st.slider(
            "How many of your top songs to use as seeds",
            1,
            min(20, usable),
            min(5, usable),
            key=state.HISTORY_SEED_COUNT,
        )
    st.button(
        f"Use my top {count:d} as seeds",
        key=state.HISTORY_USE_SEEDS,
        on_click=_use_history,
        args=(history, count, time_range),
    )
    _seed_picker(history, time_range)


def picked_seeds(catalog: Catalog) -> None:
    """The current seeds, each removable, with where they came from."""
    seeds = state.seed_ids()
    if not seeds:
        st.info("No seed tracks yet: search, press Surprise me, or upload your history.")
        return
    source = state.seed_source()
    st.subheader(f"Your seeds ({len(seeds)})")
    if source:
        st.caption(f"From: {plain(source)}")
    labels = seed_labels(catalog, seeds, state.seed_profiles())
    for track_id in seeds:
        text, button = st.columns([5, 1], vertical_alignment="center")
        text.write(plain(labels[track_id]))
        button.button(
            "Remove", key=state.GUEST_REMOVE(track_id), on_click=state.remove_seed, args=(track_id,)
        )
    st.button("Clear all", key=state.GUEST_CLEAR_SEEDS, on_click=state.clear_seeds)
