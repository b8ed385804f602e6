"""Plotly figures the dashboard draws: radar profiles, feature histograms and a feature scatter.

Every feature goes onto one 0-1 scale. The seven Spotify unit features already live there;
loudness and tempo are mapped linearly from fixed ranges and clipped, so a chart means the
same thing whatever the catalog or the seeds:

- loudness: -30 dB -> 0, 0 dB -> 1 (about 99 % of the reference catalog lies inside);
- tempo: 40 BPM -> 0, 220 BPM -> 1 (about 99.5 % inside; 0 BPM marks an unanalysed track).

Hover text always shows the real value (dB, BPM).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Final, TypeVar

import numpy as np
import plotly.graph_objects as go
import polars as pl

from recommender.domain import PROFILE_FEATURES, AudioProfile

LOUDNESS_RANGE_DB: Final = (-30.0, 0.0)
TEMPO_RANGE_BPM: Final = (40.0, 220.0)
SCALED_RANGES: Final[Mapping[str, tuple[float, float]]] = {
    "loudness": LOUDNESS_RANGE_DB,
    "tempo": TEMPO_RANGE_BPM,
}
UNITS: Final[Mapping[str, str]] = {"loudness": "dB", "tempo": "BPM"}
# Spotify green first, then colours that stay readable on the dark theme.
PALETTE: Final = ("#1DB954", "#F59B23", "#4FC3F7", "#E57373", "#BA68C8", "#FFF176")
HISTOGRAM_BINS: Final = 30
_T = TypeVar("_T")


def mark_colour(index: int) -> str:
    """Colour of the ``index``-th marked seed (the palette after the catalog's green)."""
    return PALETTE[1 + index % (len(PALETTE) - 1)]


def to_unit_scale(feature: str, value: float) -> float:
    """Map one raw feature value onto the common 0-1 radar scale (clipped).

    Raises:
        ValueError: if ``feature`` is not one of the nine profile features.
    """
    if feature not in PROFILE_FEATURES:
        msg = f"unknown profile feature {feature!r}; expected one of {', '.join(PROFILE_FEATURES)}"
        raise ValueError(msg)
    low, high = SCALED_RANGES.get(feature, (0.0, 1.0))
    return float(min(1.0, max(0.0, (value - low) / (high - low))))


def spread_to_unit_scale(feature: str, spread: float) -> float:
    """Map a spread (standard deviation, raw units) onto the radar scale's width."""
    low, high = SCALED_RANGES.get(feature, (0.0, 1.0))
    return float(spread / (high - low))


def format_value(feature: str, value: float) -> str:
    """Human text for a raw feature value: "-6.2 dB", "122 BPM", "0.74"."""
    unit = UNITS.get(feature)
    if feature == "tempo":
        return f"{value:.0f} {unit}"
    if unit:
        return f"{value:.1f} {unit}"
    return f"{value:.2f}"


def profile_of(
    tracks: pl.DataFrame, *, label: str, approximate: bool = False, with_spread: bool = True
) -> AudioProfile:
    """Return the mean of the nine profile features over ``tracks`` (nulls ignored).

    Args:
        tracks: rows carrying the columns of ``PROFILE_FEATURES`` (catalog schema).
        label: legend name of the profile.
        approximate: mark the profile as estimated (drawn dashed, labelled "approx.").
        with_spread: also store each feature's standard deviation (population, ddof=0).

    Raises:
        ValueError: if ``tracks`` is empty, lacks a feature column, or a feature has no value.
    """
    missing = [name for name in PROFILE_FEATURES if name not in tracks.columns]
    if missing:
        msg = f"profile_of({label!r}): columns missing: {', '.join(missing)}"
        raise ValueError(msg)
    if tracks.height == 0:
        msg = f"profile_of({label!r}): no tracks to average"
        raise ValueError(msg)
    stats = tracks.select(
        *(pl.col(name).cast(pl.Float64).mean().alias(f"mean_{name}") for name in PROFILE_FEATURES),
        *(
            pl.col(name).cast(pl.Float64).std(ddof=0).alias(f"std_{name}")
            for name in PROFILE_FEATURES
        ),
    ).row(0, named=True)
    empty = [name for name in PROFILE_FEATURES if stats[f"mean_{name}"] is None]
    if empty:
        msg = f"profile_of({label!r}): no values for {', '.join(empty)}"
        raise ValueError(msg)
    features = {name: float(stats[f"mean_{name}"]) for name in PROFILE_FEATURES}
    spread = (
        {name: float(stats[f"std_{name}"] or 0.0) for name in PROFILE_FEATURES}
        if with_spread
        else None
    )
    return AudioProfile(label=label, features=features, spread=spread, approximate=approximate)


def _translucent(colour: str, alpha: float = 0.22) -> str:
    # A light fill keeps both shapes readable where they overlap; the outline stays solid.
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _closed(values: Sequence[_T]) -> list[_T]:
    # A polar trace only closes its outline when the first point is repeated at the end.
    return [*values, values[0]]


def _theta() -> list[str]:
    return _closed(PROFILE_FEATURES)


def _hover(profile: AudioProfile) -> list[str]:
    lines = []
    for name in PROFILE_FEATURES:
        text = f"{profile.label}<br>{name}: {format_value(name, profile.features[name])}"
        if profile.spread:
            text += f" ± {format_value(name, profile.spread[name]).split(' ')[0]}"
        lines.append(text)
    return _closed(lines)


def _profile_traces(
    profile: AudioProfile, colour: str, *, show_spread: bool
) -> list[go.Scatterpolar]:
    missing = [name for name in PROFILE_FEATURES if name not in profile.features]
    if missing:
        msg = f"radar_chart: profile {profile.label!r} lacks {', '.join(missing)}"
        raise ValueError(msg)
    name = f"{profile.label} (approx.)" if profile.approximate else profile.label
    scaled = [to_unit_scale(f, profile.features[f]) for f in PROFILE_FEATURES]
    dash = "dash" if profile.approximate else "solid"
    traces = [
        go.Scatterpolar(
            r=_closed(scaled),
            theta=_theta(),
            name=name,
            legendgroup=name,
            fill="toself",
            fillcolor=_translucent(colour),
            line={"color": colour, "dash": dash, "width": 2},
            hovertext=_hover(profile),
            hoverinfo="text",
        )
    ]
    if show_spread and profile.spread:
        for sign, label in ((1.0, "+1 sd"), (-1.0, "-1 sd")):
            band = [
                min(1.0, max(0.0, value + sign * spread_to_unit_scale(f, profile.spread[f])))
                for f, value in zip(PROFILE_FEATURES, scaled, strict=True)
            ]
            traces.append(
                go.Scatterpolar(
                    r=_closed(band),
                    theta=_theta(),
                    name=f"{name} {label}",
                    legendgroup=name,
                    showlegend=False,
                    mode="lines",
                    line={"color": colour, "dash": "dot", "width": 1},
                    hoverinfo="skip",
                )
            )
    return traces


def radar_chart(
    profiles: Sequence[AudioProfile], *, title: str, show_spread: bool = True
) -> go.Figure:
    """Overlay audio profiles on one radar (plotly ``Scatterpolar``) on the common 0-1 scale.

    Each profile is one filled trace (its first point repeated to close the shape); a profile
    with a spread also gets two dotted "±1 sd" outlines in its legend group. Approximate
    profiles are dashed and labelled "(approx.)".

    Raises:
        ValueError: if no profile is given or one lacks a profile feature.
    """
    if not profiles:
        msg = f"radar_chart({title!r}): no profiles to draw"
        raise ValueError(msg)
    figure = go.Figure()
    for index, profile in enumerate(profiles):
        colour = PALETTE[index % len(PALETTE)]
        for trace in _profile_traces(profile, colour, show_spread=show_spread):
            figure.add_trace(trace)
    figure.update_layout(
        title={"text": title},
        polar={
            "radialaxis": {"range": [0.0, 1.0], "showticklabels": False, "ticks": ""},
            # Clockwise from the top puts short names at the sides, where labels get clipped.
            "angularaxis": {"rotation": 90, "direction": "clockwise"},
            "bgcolor": "rgba(0,0,0,0)",
        },
        showlegend=True,
        legend={"orientation": "h", "y": -0.15},
        # Wide side margins: the longest axis labels ("instrumentalness") sit outside the circle.
        margin={"l": 80, "r": 80, "t": 60, "b": 30},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def feature_histogram(
    values: pl.Series,
    *,
    feature: str,
    marks: Mapping[str, float] | None = None,
    bins: int = HISTOGRAM_BINS,
) -> go.Figure:
    """Histogram of one feature, binned here (only the bin counts reach the browser).

    Args:
        values: the feature column of the catalog (nulls are dropped).
        feature: the feature name, used for the title and units.
        marks: label -> raw value, drawn as vertical lines (e.g. the listener's seeds).
        bins: number of equal-width bins.

    Raises:
        ValueError: if ``values`` has no non-null value.
    """
    data = values.drop_nulls().cast(pl.Float64).to_numpy()
    if data.size == 0:
        msg = f"feature_histogram({feature!r}): no values"
        raise ValueError(msg)
    counts, edges = np.histogram(data, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    unit = UNITS.get(feature)
    suffix = f" {unit}" if unit else ""
    figure = go.Figure(
        go.Bar(
            x=centres.tolist(),
            y=counts.tolist(),
            width=float(edges[1] - edges[0]),
            marker={"color": PALETTE[0]},
            name=feature,
            hovertemplate=f"{feature} %{{x:.2f}}{suffix}: %{{y}} tracks<extra></extra>",
        )
    )
    top = int(counts.max())
    for index, (label, value) in enumerate((marks or {}).items()):
        colour = mark_colour(index)
        figure.add_vline(x=value, line={"color": colour, "dash": "dash"})
        # Names as hover on a marker, not as text: several seeds' labels would overlap.
        figure.add_trace(
            go.Scatter(
                x=[value],
                y=[top],
                mode="markers",
                name=chart_text(label),
                marker={"color": colour, "size": 9, "symbol": "triangle-down"},
                # The title goes in as data: inside the template, "%{" would be a placeholder.
                customdata=[chart_text(label)],
                hovertemplate=f"%{{customdata}}: {format_value(feature, value)}<extra></extra>",
                showlegend=False,
            )
        )
    figure.update_layout(
        title={"text": f"{feature}{f' ({unit})' if unit else ''}"},
        showlegend=False,
        bargap=0.02,
        margin={"l": 30, "r": 10, "t": 50, "b": 30},
        height=260,
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return figure


def chart_text(value: str | None) -> str:
    """A catalog title as Plotly text: its pseudo-HTML (``<a href>``, ``<b>``) shown literally.

    Plotly renders ``<a href=...>``, ``<b>``, ``<br>`` and entities inside trace text and hover
    labels, and decodes ``&lt;``/``&amp;`` back for display, so escaping keeps the title as is.
    """
    return html.escape(value or "", quote=False)


def feature_scatter(
    sample: pl.DataFrame,
    *,
    x: str,
    y: str,
    seeds: pl.DataFrame | None = None,
) -> go.Figure:
    """Scatter two features over a sample of tracks, with the seeds on top.

    Both frames need ``name`` and the two feature columns; hover shows the title.

    Raises:
        ValueError: if a column is missing from ``sample``.
    """
    missing = [c for c in ("name", x, y) if c not in sample.columns]
    if missing:
        msg = f"feature_scatter: sample lacks {', '.join(missing)}"
        raise ValueError(msg)
    figure = go.Figure(
        go.Scattergl(
            x=sample[x].to_list(),
            y=sample[y].to_list(),
            mode="markers",
            name=f"catalog sample ({sample.height:,})",
            text=[chart_text(name) for name in sample["name"].to_list()],
            marker={"color": PALETTE[0], "size": 4, "opacity": 0.35},
            hovertemplate="%{text}<br>%{x}, %{y}<extra></extra>",
        )
    )
    if seeds is not None and seeds.height:
        figure.add_trace(
            go.Scatter(
                x=seeds[x].to_list(),
                y=seeds[y].to_list(),
                mode="markers",
                name="your seeds",
                text=[chart_text(name) for name in seeds["name"].to_list()],
                marker={"color": PALETTE[1], "size": 12, "symbol": "star"},
                hovertemplate="%{text}<br>%{x}, %{y}<extra></extra>",
            )
        )
    figure.update_layout(
        xaxis_title=f"{x}{f' ({UNITS[x]})' if x in UNITS else ''}",
        yaxis_title=f"{y}{f' ({UNITS[y]})' if y in UNITS else ''}",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return figure
