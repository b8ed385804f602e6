"""Column-at-a-time ``recommender.text``: the same results without a Python call per row.

Catalog-wide text work (folded artist names, same-song keys, search tokens) used to call the
``text`` functions once per track: at a million tracks that is seconds of interpreter time and
a Python string per value. Here polars does the work for printable-ASCII values, where each rule
of ``text`` has an exact polars equivalent (only the space is whitespace, lower-casing is
case-folding, NFKD changes nothing, a word character is ``[0-9A-Za-z_]``). Any other value (accents,
other scripts, control characters) goes through the ``text`` function itself, once per distinct
value, so the result is identical by construction rather than approximately equal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import polars as pl

from recommender.text import artist_names, base_title, fold, primary_artist

# Printable ASCII: the values the polars rules below handle exactly like ``text``.
_PLAIN: Final = r"^[\x20-\x7e]*$"
# text._bracket_spans and text._ARTIST_SPLIT, restricted to what they match in printable ASCII.
_BRACKETED: Final = r"\([^)]*\)|\[[^\]]*\]"
_ARTIST_SPLIT: Final = r"(?i) *[,;] *| +& +| +feat\. +| +featuring +| +x +"
_SEPARATOR: Final = "\x00"  # never in printable ASCII, so a safe split marker


def fold_plain(expr: pl.Expr) -> pl.Expr:
    """``text.fold`` for printable ASCII: lower-case, runs of spaces to one, trimmed."""
    return expr.str.to_lowercase().str.replace_all(" +", " ").str.strip_chars(" ")


def plain_or_python(
    values: pl.Series,
    plain: Callable[[pl.Expr], pl.Expr],
    python: Callable[[str], Any],
    *,
    dtype: pl.DataType | None = None,
) -> pl.Series:
    """``plain`` (polars) on printable-ASCII values, ``python`` on the rest; nulls stay null.

    ``plain`` must give exactly what ``python`` gives on printable ASCII; ``dtype`` is the
    result's type (default: string).
    """
    dtype = dtype or pl.String()
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    is_plain = pl.col("v").str.contains(_PLAIN)
    special = frame.filter(~is_plain)["v"].unique()
    # The Python function runs once per distinct other value; a join maps it back.
    table = pl.DataFrame(
        {"v": special, "py": pl.Series([python(v) for v in special.to_list()], dtype=dtype)}
    )
    frame = frame.join(table, on="v", how="left", maintain_order="left")
    result = frame.select(
        pl.when(is_plain).then(plain(pl.col("v"))).otherwise(pl.col("py")).alias("r")
    )["r"]
    return result.rename(values.name)


def fold_column(values: pl.Series) -> pl.Series:
    """``text.fold`` of every value."""
    return plain_or_python(values, fold_plain, fold)


def base_title_column(titles: pl.Series) -> pl.Series:
    """``text.base_title`` of every title (null titles count as "")."""

    def plain(expr: pl.Expr) -> pl.Expr:
        head = expr.str.replace(r"(?s) - .*", "")
        return fold_plain(head.str.replace_all(_BRACKETED, " "))

    return plain_or_python(titles.fill_null(""), plain, base_title)


def credit_names(credits: pl.Series) -> pl.DataFrame:
    """Each distinct credit string with its artists: columns ``credit``, ``names``, ``primary``.

    ``names`` is ``text.artist_names([credit])`` and ``primary`` is ``text.primary_artist``.
    """
    distinct = credits.drop_nulls().unique().sort()
    frame = pl.DataFrame({"credit": distinct})
    plain = frame["credit"].str.contains(_PLAIN)
    fast = frame.filter(plain).with_columns(
        pl.col("credit")
        .str.replace_all(_ARTIST_SPLIT, _SEPARATOR)
        .str.split(_SEPARATOR)
        .list.eval(fold_plain(pl.element()))
        .alias("parts")
    )
    fast = fast.with_columns(
        pl.col("parts")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique(maintain_order=True)
        .alias("names"),
        # primary_artist: the first non-blank part (split_artists drops blank parts).
        pl.col("parts")
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.first()
        .fill_null("")
        .alias("primary"),
    ).drop("parts")
    slow_credits = frame.filter(~plain)["credit"].to_list()
    slow = pl.DataFrame(
        {
            "credit": slow_credits,
            "names": [artist_names([c]) for c in slow_credits],
            "primary": [primary_artist(c) for c in slow_credits],
        },
        schema={"credit": pl.String, "names": pl.List(pl.String), "primary": pl.String},
    )
    return pl.concat([fast, slow])
