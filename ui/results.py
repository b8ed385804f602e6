"""The recommendations page's results: one fragment from the weights to the share link.

Everything that depends on the weights, options and "not this" choices lives in one
``st.fragment``: the sliders (written into the sidebar from inside it), the engine call and
what shows its answer. A slider move therefore reruns only this fragment (not the
entrypoint's login handling, navigation and account sidebar, nor the page's title and seed
checks), and the browser receives only the fragment's elements. The list comes first (on a
phone too), so what a person is looking at is redrawn before the radars are computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import polars as pl
import streamlit as st

from recommender.domain import Catalog
from recommender.engine.explain import Recommendation
from recommender.present.export import recommendation_table
from recommender.present.listen import EMBED_HEIGHT, embed_url
from recommender.present.listing import (
    catalog_rows,
    describe_recommendations,
    order_notes,
    seed_labels,
    track_label,
)
from recommender.present.reasons import Reasons, explain_pair
from recommender.seeds.share import MAX_SHARED_SEEDS
from recommender.text import split_artists
from ui import address, loaders, render, save, state
from ui.plain import plain

SELECT_HINT: Final = "Select a row to listen to it, read why it was picked, or leave it out."
ROW_HEIGHT: Final = 35  # st.dataframe's default row height, in pixels
# The "why" cells hold reasons.CELL_CHARS characters, the phone's "close on" cells
# reasons.SHORT_CELL_CHARS (tests/browser measure the drawn text against these).
WHY_WIDTH: Final = 205
CLOSE_ON_WIDTH: Final = 112
# The columns shown, in order; the CSV has exactly these plus the ids.
SHOWN: Final = ("title", "artists", "similarity", "why", "spotify", "answers seed")
# What the list shows on screen: the seed a row answers is in the row's detail panel (and in
# the CSV), so the columns a listener needs fit a laptop's width without scrolling.
DISPLAYED: Final = ("title", "artists", "similarity", "why", "spotify")


@st.fragment
def recommendations_view() -> None:
    """Weights and options (sidebar) -> one engine call -> list, detail, radars, save, share."""
    services = loaders.load_services()
    seeds = state.seed_ids()
    if services is None or not seeds:
        return
    profiles = state.seed_profiles()
    # The session holds what the controls say (their callbacks ran before this rerun), so the
    # list is computed and sent first and the sidebar's controls are drawn after it.
    weights = state.weights()
    options = render.current_options()
    excluded = state.excluded_tracks()
    artists = state.excluded_artists()
    # The address follows every change, also one that leaves no track (a reload shows that).
    carried = [s for s in seeds if s not in profiles]
    query = address.list_query(
        carried, weights, excluded_ids=list(excluded), excluded_artists=artists, options=options
    )
    address.keep(query)
    exclusion_chips(excluded, artists)
    try:
        recs = render.recommendations_for(
            services,
            seeds,
            weights,
            options,
            profiles,
            skip_ids=frozenset(excluded),
            exclude_artists=frozenset(artists),
        )
    except ValueError as error:
        st.error(f"{plain(error)}. Remove that seed on Home and try again.")
        _controls()
        return
    labels = seed_labels(services.catalog, seeds, profiles)
    if not recs:
        st.warning(
            "No track passes these options. Widen the popularity range, turn off Discover "
            "or remove a “not this” choice."
        )
        _controls()
        return
    reasons = explain_all(services.catalog, recs, weights, profiles)
    table = build_table(recs, labels, reasons, synthetic=services.catalog.synthetic)
    st.caption(plain(describe_recommendations(recs, len(seeds))))
    # Beside the list on a laptop (no scrolling to the player), under it on a phone.
    list_styles()
    listing, detail = st.columns([5, 2], gap="small")
    with listing:
        results_table(table)
        phone_table(table, recs, reasons)
    with detail:
        selected_detail(services.catalog, recs, labels, reasons)
    _controls()
    render.radar_section(services.catalog, seeds, recs, profiles, labels)
    save.take_to_spotify(table, services.catalog)
    render.export_button(table, services.catalog)
    # Seeds known only by an approximate profile cannot be reproduced from a link.
    beyond = max(0, len(excluded) - MAX_SHARED_SEEDS) + max(0, len(artists) - MAX_SHARED_SEEDS)
    render.share_box(query, estimated=len(seeds) - len(carried), beyond_link=beyond)


def _controls() -> None:
    """Weights and list options, written into the sidebar from this fragment."""
    with st.sidebar:
        render.weight_controls()
        render.option_controls()


# -- steer ------------------------------------------------------------------------------------
def exclusion_chips(tracks: Mapping[str, str], artists: Sequence[str]) -> None:
    """The "not this" choices as removable chips (one click puts a choice back)."""
    if not tracks and not artists:
        return
    st.caption("Left out (click one to bring it back):")
    with st.container(horizontal=True, gap="small"):
        for track_id, label in tracks.items():
            st.button(
                plain(label),
                key=state.INCLUDE_TRACK(track_id),
                icon=":material/close:",
                on_click=state.include_track,
                args=(track_id,),
            )
        for index, name in enumerate(artists):
            st.button(
                f"artist: {plain(name)}",
                key=state.INCLUDE_ARTIST(index),
                icon=":material/close:",
                on_click=state.include_artist,
                args=(name,),
            )


def primary_artist_name(rec: Recommendation) -> str | None:
    """The first credited artist as shown ("A feat. B" -> "A"), or None."""
    names = split_artists(rec.artists[0]) if rec.artists else []
    return names[0] if names else None


# -- trust ------------------------------------------------------------------------------------
def _values(catalog: Catalog, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    return {row["track_id"]: row for row in catalog_rows(catalog, ids).iter_rows(named=True)}


def explain_all(
    catalog: Catalog,
    recs: Sequence[Recommendation],
    weights: Mapping[str, float],
    profiles: Mapping[str, Any],
) -> dict[str, Reasons]:
    """Readable reasons of every recommendation (both tracks' values from the catalog)."""
    rows = _values(catalog, [*{r.seed_track_id for r in recs}, *(r.track_id for r in recs)])
    for seed_id, profile in profiles.items():
        rows.setdefault(seed_id, dict(profile.features))
    return {
        rec.track_id: explain_pair(
            seed=rows.get(rec.seed_track_id, {}),
            track=rows.get(rec.track_id, {}),
            contributions=rec.contributions,
            weights=weights,
        )
        for rec in recs
    }


def build_table(
    recs: Sequence[Recommendation],
    labels: Mapping[str, str],
    reasons: Mapping[str, Reasons],
    *,
    synthetic: bool,
) -> pl.DataFrame:
    """The table shown, exported and saved: the shown columns in order, then the ids.

    A demo catalog's tracks do not exist on Spotify, so it has no Spotify column.
    """
    base = recommendation_table(recs, seed_names=labels)
    notes = order_notes([float(s) for s in base["similarity"]])
    # A moved row says why it sits there; its reasons are in full in the detail panel.
    why = [note or reasons[r.track_id].cell() for note, r in zip(notes, recs, strict=True)]
    table = base.with_columns(
        pl.Series("why", why, dtype=pl.String),
        pl.Series("seed_track_id", [r.seed_track_id for r in recs], dtype=pl.String),
    )
    shown = [c for c in SHOWN if not (synthetic and c == "spotify")]
    return table.select(*shown, "track_id", "seed_track_id")


def _table_key() -> state.Key[Any]:
    """The list's widget key; a new one after each "not this" so no stale row stays selected."""
    return state.RESULTS_TABLE(state.get(state.NOT_THIS_COUNT, 0))


def _phone_table_key() -> state.Key[Any]:
    """The phone grid's key, renewed with the list's."""
    return state.PHONE_TABLE(state.get(state.NOT_THIS_COUNT, 0))


def _remember(key: state.Key[Any]) -> None:
    event = state.peek(key)
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    shown = state.get(state.SELECTED_IDS, [])
    state.put(state.SELECTED, shown[rows[0]] if rows and rows[0] < len(shown) else None)


def _remember_selection() -> None:
    _remember(_table_key())


def _remember_phone_selection() -> None:
    _remember(_phone_table_key())


def results_table(table: pl.DataFrame) -> None:
    """The whole list, every row visible (no inner scroll box); select a row for its detail."""
    state.put(state.SELECTED_IDS, table["track_id"].to_list())
    columns = [c for c in table.columns if c in DISPLAYED]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=ROW_HEIGHT * (table.height + 1) + 3,
        column_order=columns,
        column_config={
            # Pixel widths that add up to the list's column at 1440x900 (5 of 7 parts).
            "title": st.column_config.TextColumn("title", width=180),
            "artists": st.column_config.TextColumn("artists", width=125),
            "similarity": st.column_config.ProgressColumn(
                "similarity", min_value=0, max_value=100, format="%.0f", width=64
            ),
            "why": st.column_config.TextColumn(
                "why", width=WHY_WIDTH, help="Select the row to read every reason in full."
            ),
            "spotify": st.column_config.LinkColumn("Spotify", display_text="Open ↗", width=64),
        },
        key=_table_key(),
        on_select=_remember_selection,
        selection_mode="single-row",
    )


# The phone list: what fits 390 px without a sideways swipe (the rest is in the detail).
PHONE_COLUMNS: Final = ("title", "artists", "close on")


def phone_table(
    table: pl.DataFrame, recs: Sequence[Recommendation], reasons: Mapping[str, Reasons]
) -> None:
    """The same list for a phone: title, artists and the closest features' short names.

    Both grids are sent; the page's style shows one by the screen's width (``LIST_STYLES``),
    so the choice follows the width the browser has, not a guess from the user agent.
    """
    short = [reasons[r.track_id].short_cell() for r in recs]
    phone = table.select("title", "artists", "track_id").with_columns(
        pl.Series("close on", short, dtype=pl.String)
    )
    st.dataframe(
        phone,
        hide_index=True,
        width="stretch",
        height=ROW_HEIGHT * (phone.height + 1) + 3,
        column_order=PHONE_COLUMNS,
        column_config={
            "title": st.column_config.TextColumn("title", width=122),
            "artists": st.column_config.TextColumn("artists", width=90),
            "close on": st.column_config.TextColumn(
                "close on",
                width=CLOSE_ON_WIDTH,
                help="Select the row to read every reason in full.",
            ),
        },
        key=_phone_table_key(),
        on_select=_remember_phone_selection,
        selection_mode="single-row",
    )


# Below 640 px Streamlit stacks the columns: the phone grid replaces the wide one, and the
# selected row's detail becomes a sheet fixed at the bottom of the screen, so its player
# shows where the listener is looking, wherever in the list they tapped. The page's bottom
# padding keeps the list's last rows reachable above the sheet.
LIST_STYLES: Final = """<style>
[class*="st-key-phone_list_"] { display: none !important; }
@media (max-width: 640px) {
  [class*="st-key-results_table_"] { display: none !important; }
  [class*="st-key-phone_list_"] { display: block !important; }
  .st-key-result_detail {
    position: fixed; left: 0; right: 0; bottom: 0; z-index: 999990;
    max-height: 46vh; overflow-y: auto; padding: 0.5rem 1rem 0.75rem;
    background: var(--detail-background); border-top: 1px solid rgba(250, 250, 250, 0.2);
  }
  [data-testid="stMain"]:has(.st-key-result_detail) [data-testid="stMainBlockContainer"] {
    padding-bottom: 50vh;
  }
}
</style>"""


def list_styles() -> None:
    """The list's layout rules by screen width (a style element; it takes no room)."""
    background = st.get_option("theme.secondaryBackgroundColor") or "#1E1E1E"
    st.html(LIST_STYLES.replace("var(--detail-background)", str(background)))


# -- listen -----------------------------------------------------------------------------------
def player(track_id: str, *, synthetic: bool) -> None:
    """Spotify's embed player for one track (nothing for a demo track)."""
    url = embed_url(track_id, synthetic=synthetic)
    if url is None:
        st.caption("Demo tracks cannot be played: they do not exist on Spotify.")
        return
    st.iframe(url, height=EMBED_HEIGHT)


def selected_detail(
    catalog: Catalog,
    recs: Sequence[Recommendation],
    labels: Mapping[str, str],
    reasons: Mapping[str, Reasons],
) -> None:
    """The selected recommendation: listen to it and its seed, why in full, "not this"."""
    chosen = state.peek(state.SELECTED)
    rec = next((r for r in recs if r.track_id == chosen), None)
    if rec is None:
        st.info(
            "Select a row of the list to listen to it, read why it was picked, or leave it out."
        )
        return
    with st.container(key=state.RESULT_DETAIL):
        _detail(catalog, rec, labels, reasons)


def _detail(
    catalog: Catalog,
    rec: Recommendation,
    labels: Mapping[str, str],
    reasons: Mapping[str, Reasons],
) -> None:
    label = track_label(rec.name, rec.artists)
    st.markdown(f"**{plain(label)}**")
    # The controls come first, right under the title: nothing above them changes height while
    # the players below load, so a click aimed at them lands on them.
    # Side by side where both fit (a phone's full width), one under the other in the
    # laptop's narrow detail column: a label is never cut.
    with st.container(horizontal=True, gap="small"):
        st.button(
            "Not this track",
            key=state.EXCLUDE_TRACK,
            icon=":material/block:",
            on_click=_steer,
            args=(state.exclude_track, rec.track_id, label),
        )
        artist = primary_artist_name(rec)
        if artist:
            st.button(
                "Not this artist",
                key=state.EXCLUDE_ARTIST,
                icon=":material/person_off:",
                on_click=_steer,
                args=(state.exclude_artist, artist),
                help=f"Leave out every track by {plain(artist)}",
            )
    player(rec.track_id, synthetic=catalog.synthetic)
    lines = reasons[rec.track_id].sentences()
    if lines:
        st.markdown("\n".join(f"- {plain(line)}" for line in lines))
    st.caption(f"Answers your seed {plain(labels.get(rec.seed_track_id, rec.seed_track_id))}:")
    player(rec.seed_track_id, synthetic=catalog.synthetic)


def _steer(action: Any, *args: Any) -> None:
    """Apply a "not this" choice; the selected row is gone from the next list."""
    action(*args)
    state.put(state.SELECTED, None)
    # A fresh grid: the old one's selected row number would now point at another track.
    state.put(state.NOT_THIS_COUNT, state.get(state.NOT_THIS_COUNT, 0) + 1)
