"""The catalog: source files -> one validated, deduplicated table of tracks.

Formats are detected by ``data.detect``; this module reads, validates and merges the tables
(the Parquet cache is ``data.store``).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from recommender.data.adapters import (
    PARQUET,
    SOURCE_PRECEDENCE,
    playlist_rows,
)
from recommender.data.detect import CatalogError, Table, expand_sources, first_line, tables_in
from recommender.domain import CATALOG_SCHEMA, PLAYLIST_SCHEMA, UNIT_FEATURES, Catalog
from recommender.text_columns import credit_names

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

# Bump when the build logic changes, so older caches are not reused.
CATALOG_FORMAT_VERSION: Final = 3
MAX_BAD_FRACTION: Final = 0.05
# Content hashes read whole files up to this size; larger ones (the 1.2M set, ~350 MB) hash
# their first and last chunk plus the size, so a warm start stays fast.
_FULL_HASH_LIMIT: Final = 64 * 1024 * 1024
_HASH_CHUNK: Final = 8 * 1024 * 1024
_TRACK_ID_RE: Final = r"^[0-9A-Za-z]{22}$"


@dataclass(frozen=True, slots=True)
class ValidRange:
    """One row of the valid-range table; ``high=None`` means "the current year"."""

    column: str
    low: float
    high: float | None
    required: bool
    whole: bool
    unit: str = ""

    def describe(self, this_year: int) -> str:
        """The range as docs/data.md and the drop reasons spell it ("loudness -60…5 dB")."""
        high = this_year if self.high is None else self.high
        unit = f" {self.unit}" if self.unit else ""
        return f"{_number(self.low)}…{_number(high)}{unit}"


def _number(value: float) -> str:
    # Years print as 2026, not 2,026; other whole numbers get thousands separators.
    if value != int(value):
        return f"{value:g}"
    return str(int(value)) if 1000 <= value < 10_000 else f"{int(value):,}"


# The valid-range table (also in docs/data.md). A row outside it is dropped and counted by reason.
VALID_RANGES: Final = (
    *(ValidRange(name, 0, 1, required=True, whole=False) for name in UNIT_FEATURES),
    ValidRange("key", -1, 11, required=True, whole=True),
    ValidRange("mode", 0, 1, required=True, whole=True),
    ValidRange("loudness", -60, 5, required=True, whole=False, unit="dB"),
    ValidRange("tempo", 0, 250, required=True, whole=False, unit="BPM"),
    ValidRange("time_signature", 0, 7, required=False, whole=True),
    ValidRange("duration_ms", 1, 10_800_000, required=True, whole=True),
    ValidRange("popularity", 0, 100, required=False, whole=True),
    ValidRange("year", 1900, None, required=False, whole=True),
)
TRACK_ID_REASON: Final = "track_id not 22 letters/digits"
EXPLICIT_REASON: Final = "explicit not true/false"
_TRUE_FALSE: Final = {"true": True, "false": False, "1": True, "0": False}


# --------------------------------------------------------------------------- reading


def _check_not_truncated(data: bytes, header: list[str], name: str) -> None:
    if data.endswith(b"\n"):
        return
    last = data.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    fields = next(csv.reader([last]), [])
    if len(fields) < len(header):
        msg = (
            f"{name}: looks truncated: its last line has {len(fields)} of "
            f"{len(header)} columns and no line end"
        )
        raise CatalogError(msg)


def _head_and_tail(table: Table) -> tuple[Path | io.BytesIO, bytes, bytes]:
    """Where polars reads the table from, plus its first and last 64 KiB."""
    size = 64 * 1024
    if table.member is None:
        with table.path.open("rb") as handle:
            head = handle.read(size)
            handle.seek(max(0, table.path.stat().st_size - size))
            tail = handle.read()
        return table.path, head, tail
    data = table.read_bytes()
    return io.BytesIO(data), data[:size], data[-size:]


def _read_raw(table: Table) -> pl.DataFrame:
    source, head, tail = _head_and_tail(table)
    if table.adapter is PARQUET:
        try:
            return pl.read_parquet(source)
        except pl.exceptions.PolarsError as exc:
            msg = f"{table.name}: unreadable Parquet file ({exc})"
            raise CatalogError(msg) from exc
    header = first_line(head, table.name)
    _check_not_truncated(tail, header, table.name)
    try:
        frame = pl.read_csv(
            source,
            infer_schema=False,
            null_values=list(table.adapter.null_values) or None,
        )
    except pl.exceptions.PolarsError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "utf-8" in reason.lower():
            reason = "not UTF-8 text; save it as UTF-8 CSV"
        msg = f"{table.name}: cannot read as CSV ({reason})"
        raise CatalogError(msg) from exc
    if frame.height == 0:
        msg = f"{table.name}: has a header but no rows"
        raise CatalogError(msg)
    return frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})


# --------------------------------------------------------------------------- validation


def _this_year() -> int:
    return dt.datetime.now(dt.UTC).year


def _flag(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()


def _num(column: str) -> pl.Expr:
    return pl.col(f"_num_{column}")


def _checks(this_year: int, *, explicit_is_text: bool) -> list[tuple[str, pl.Expr]]:
    """(reason, row breaks it) for every rule, in table order; reads the ``_num_`` columns."""
    track_id_ok = pl.col("track_id").str.contains(_TRACK_ID_RE).fill_null(value=False)
    checks = [(TRACK_ID_REASON, ~track_id_ok)]
    for rule in VALID_RANGES:
        raw, num = pl.col(rule.column), _num(rule.column)
        high = this_year if rule.high is None else rule.high
        if rule.required:
            checks.append((f"missing {rule.column}", raw.is_null()))
        checks.append(
            (f"{rule.column} not a number", raw.is_not_null() & (num.is_null() | num.is_nan()))
        )
        if rule.whole:
            checks.append((f"{rule.column} not a whole number", num != num.floor()))
        checks.append(
            (f"{rule.column} outside {rule.describe(this_year)}", (num < rule.low) | (num > high))
        )
    if explicit_is_text:
        flag = _flag("explicit")
        checks.append((EXPLICIT_REASON, flag.is_not_null() & ~flag.is_in(list(_TRUE_FALSE))))
    return [(reason, broken.fill_null(value=False)) for reason, broken in checks]


def _first_reason(checks: list[tuple[str, pl.Expr]]) -> pl.Expr:
    (reason, broken), *rest = checks
    first = pl.when(broken).then(pl.lit(reason))
    if not rest:
        return first.otherwise(pl.lit(None, dtype=pl.String))
    (reason, broken), *others = rest
    chain = first.when(broken).then(pl.lit(reason))
    for reason, broken in others:
        chain = chain.when(broken).then(pl.lit(reason))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in CATALOG_SCHEMA.items():
        if name == "explicit" and frame.schema[name] != pl.Boolean:
            flags = _flag(name).replace_strict(_TRUE_FALSE, default=None, return_dtype=pl.Boolean)
            exprs.append(flags.alias(name))
        elif f"_num_{name}" in frame.columns:
            exprs.append(_num(name).cast(dtype).alias(name))
        else:
            exprs.append(pl.col(name).cast(dtype).alias(name))
    return frame.select(exprs)


def _validate(frame: pl.DataFrame, name: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """Drop rows outside VALID_RANGES; refuse the file when more than 5% are bad."""
    parsed = frame.with_columns(
        pl.col(rule.column).cast(pl.Float64, strict=False).alias(f"_num_{rule.column}")
        for rule in VALID_RANGES
    )
    checks = _checks(_this_year(), explicit_is_text=frame.schema["explicit"] != pl.Boolean)
    checked = parsed.with_columns(pl.any_horizontal(b for _, b in checks).alias("_bad"))
    # Reasons are worked out on the (few) bad rows only.
    bad_rows = checked.filter(pl.col("_bad")).select(_first_reason(checks).alias("reason"))
    counts = bad_rows.get_column("reason").value_counts(sort=True, name="n").rows()
    dropped = {str(reason): int(n) for reason, n in counts}
    bad = bad_rows.height
    if bad > MAX_BAD_FRACTION * frame.height:
        detail = ", ".join(f"{reason}: {n:,}" for reason, n in dropped.items())
        msg = (
            f"{name}: refused, {bad:,} of {frame.height:,} rows ({bad / frame.height:.1%}) "
            f"break the valid ranges (more than {MAX_BAD_FRACTION:.0%} allowed): {detail}"
        )
        raise CatalogError(msg)
    # Filtering copies every column; a clean file (the usual case) skips that copy.
    kept = checked.filter(~pl.col("_bad")) if bad else checked
    return _typed(kept), dropped


# --------------------------------------------------------------------------- merging


def _merge(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """One row per track_id; per column, the highest-precedence non-null value wins.

    Rows of equal precedence (one track in two Hit Predictor decade files, credited
    differently) are ordered by their content, not by file order: the zip and its unpacked
    members, or a folder listed in another order, must build the same catalog.
    """
    combined = pl.concat(frames, how="vertical")
    repeated = combined.get_column("track_id").is_duplicated()
    content = [
        pl.col(c).list.join("\x1f") if dtype == pl.List(pl.String) else pl.col(c)
        for c, dtype in CATALOG_SCHEMA.items()
        if c not in ("track_id", "sources")
    ]
    ranked = combined.filter(repeated).sort(
        [pl.col("track_id"), pl.col("_rank"), *content], nulls_last=True
    )
    scalar = [c for c in CATALOG_SCHEMA if c not in ("track_id", "genres", "sources")]
    merged = ranked.group_by("track_id", maintain_order=True).agg(
        *(pl.col(c).drop_nulls().first() for c in scalar),
        pl.col("genres").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
        pl.col("sources")
        .list.explode(keep_nulls=False, empty_as_null=False)
        .unique(maintain_order=True),
    )
    # Most tracks come from one row; only repeated ids pay for the group-by (and, when there
    # are none, nothing pays for a filtered copy of the whole table).
    single = (combined.filter(~repeated) if repeated.any() else combined).select(
        list(CATALOG_SCHEMA)
    )
    del combined
    genres = pl.col("genres")
    return (
        pl.concat([single, merged.select(list(CATALOG_SCHEMA)).cast(CATALOG_SCHEMA)])
        .with_columns(pl.when(genres.list.len() > 0).then(genres).otherwise(None).alias("genres"))
        .cast(CATALOG_SCHEMA)
        .sort("track_id")
    )


def _playlists(frames: list[pl.DataFrame], tracks: pl.DataFrame) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema=PLAYLIST_SCHEMA)
    members = pl.concat(frames).unique().cast(PLAYLIST_SCHEMA)
    # Membership only for tracks that passed validation.
    kept = members.join(tracks.select("track_id"), on="track_id", how="semi")
    return kept.sort(["playlist_id", "track_id"])


def artist_count(tracks: pl.DataFrame) -> int:
    """Distinct artists of a tracks frame, as ``text.artist_names`` defines them.

    The one count the catalog report, the demo catalog and the Explore page all show.
    """
    # Column-wise (text_columns): the names text.artist_names gives, each distinct credit once.
    names = credit_names(tracks.get_column("artists").explode())
    return names.get_column("names").explode().drop_nulls().n_unique()


def _summary(tracks: pl.DataFrame) -> dict[str, Any]:
    sources = tracks.get_column("sources").explode().drop_nulls().value_counts().rows()
    return {
        "tracks": tracks.height,
        "artists": artist_count(tracks),
        "genres": tracks.get_column("genres").explode().drop_nulls().n_unique(),
        "sources": {str(k): int(n) for k, n in sorted(sources, key=lambda kn: str(kn[0]))},
        "nulls": {c: int(tracks.get_column(c).null_count()) for c in tracks.columns},
    }


def _adapt(table: Table, raw: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    try:
        return _validate(table.adapter.to_canonical(raw), table.name)
    except pl.exceptions.PolarsError as exc:
        # e.g. a column polars typed or named differently from what the header promised
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"{table.name}: cannot read its {table.adapter.label} columns ({reason})"
        raise CatalogError(msg) from exc


def build_from_files(
    files: Sequence[Path], *, fingerprint: str, progress: Progress | None
) -> Catalog:
    """Read, validate and merge the given source files into one catalog."""
    tables = [table for path in files for table in tables_in(path)]
    tracks_parts: list[pl.DataFrame] = []
    playlist_parts: list[pl.DataFrame] = []
    dropped_rows: dict[str, dict[str, int]] = {}
    file_report: dict[str, dict[str, Any]] = {}
    for i, table in enumerate(tables):
        if progress:
            progress(0.05 + 0.8 * i / len(tables), f"reading {table.name}")
        raw = _read_raw(table)
        valid, dropped = _adapt(table, raw)
        tracks_parts.append(valid.with_columns(_rank=pl.lit(table.adapter.precedence)))
        if table.adapter.kind == "tidytuesday":
            playlist_parts.append(playlist_rows(raw))
        dropped_rows[table.name] = dropped
        file_report[table.name] = {"kind": table.adapter.kind, "rows": raw.height}
        # The raw strings are the largest frame here; do not keep them through the merge.
        del raw, valid
    if progress:
        progress(0.9, "merging duplicate tracks")
    tracks = _merge(tracks_parts)
    playlists = _playlists(playlist_parts, tracks)
    report = {
        **_summary(tracks),
        "playlists": playlists.get_column("playlist_id").n_unique(),
        "dropped_rows": dropped_rows,
        "fingerprint": fingerprint,
        "files": file_report,
        "precedence": list(SOURCE_PRECEDENCE),
    }
    return Catalog(
        tracks=tracks,
        playlists=playlists,
        fingerprint=fingerprint,
        report=report,
    )


# --------------------------------------------------------------------------- fingerprint


def _content_hash(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        if size <= _FULL_HASH_LIMIT:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        else:
            digest.update(handle.read(_HASH_CHUNK))
            handle.seek(size - _HASH_CHUNK)
            digest.update(handle.read(_HASH_CHUNK))
    return digest.hexdigest()


def fingerprint(files: Sequence[Path]) -> str:
    """Identify a set of source files by path, size, mtime and content hash (16 hex digits)."""
    entries = []
    for path in sorted(files):
        try:
            stat = path.stat()
            content = _content_hash(path, stat.st_size)
        except OSError as exc:
            msg = f"{path}: cannot read ({exc.strerror or exc})"
            raise CatalogError(msg) from exc
        entries.append([str(path), stat.st_size, stat.st_mtime_ns, content])
    payload = json.dumps({"version": CATALOG_FORMAT_VERSION, "files": entries})
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def build_catalog(paths: Sequence[Path]) -> Catalog:
    """Build the catalog from files or folders (each file's kind is detected from its header).

    Raises:
        CatalogError: an unknown, unreadable, empty, truncated or mostly invalid file.
    """
    files, skipped = expand_sources(paths)
    return with_skipped_files(
        build_from_files(files, fingerprint=fingerprint(files), progress=None), skipped
    )


def with_skipped_files(catalog: Catalog, skipped: dict[str, str]) -> Catalog:
    """The catalog with its report naming the files that were passed over."""
    # Worked out on every load (not cached): the folder may have gained a README since.
    report = {**catalog.report, "skipped_files": skipped}
    return dataclasses.replace(catalog, report=report)
