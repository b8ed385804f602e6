"""Spotify data exports and Exportify playlists read in memory, within size limits.

The file-format half of the history import (the matching half is ``seeds.history``).
Everything happens on bytes or file objects the caller holds: nothing is written to disk and
nothing is cached, because a listening history is personal. Only play totals per song are
kept while a file (or a zip member) is read, so a multi-year history fits in memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Final

from recommender.seeds.export_json import ACCOUNT_FIELDS, EXTENDED_FIELDS, read_json, track_id
from recommender.seeds.plays import (
    FileProblem,
    FileSummary,
    HistoryFileError,
    PlayTotals,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "DEFAULT_LIMITS",
    "EXPORTIFY_COLUMNS",
    "EXTENDED_FIELDS",
    "FileProblem",
    "FileSummary",
    "HistoryFileError",
    "HistoryLimits",
    "Source",
    "is_listening_file",
    "not_read",
    "read_plays",
]

MB: Final = 1024 * 1024
Source = bytes | IO[bytes]

# Exportify's id column by header generation: "Track URI" (the original and 2024-),
# "Spotify URI" and "Spotify ID" (a bare id; 2019-2024). Rows are matched by it when present.
EXPORTIFY_ID_COLUMNS: Final = ("Track URI", "Spotify URI", "Spotify ID")
EXPORTIFY_COLUMNS: Final = ("Track Name", "Artist Name(s)")
# Files of an export that hold listening data or chosen tracks; the rest (Userdata.json,
# Payments.json, SearchQueries.json, …) are listed as not read and never opened.
_LISTENING_FILE: Final = re.compile(
    r"^(streaminghistory.*\.json|streaming_history_.*\.json|endsong.*\.json"
    r"|playlist\d*\.json|yourlibrary\.json|.*\.csv|.*\.zip)$",
    flags=re.IGNORECASE,
)
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_CHUNK: Final = 1 * MB
_NON_SPACE: Final = re.compile(r"\S")


def readable_size(size: float) -> str:
    """A byte count as people read it in a message ("1.5 MB", "200 bytes")."""
    for unit, scale in (("GB", 1024 * MB), ("MB", MB), ("kB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} bytes"


@dataclass(frozen=True, slots=True)
class HistoryLimits:
    """What an upload may weigh; the defaults are the ones docs/app.md states."""

    max_file_bytes: int = 200 * MB
    max_members: int = 200
    max_total_uncompressed: int = 1024 * MB
    max_member_bytes: int = 200 * MB
    # Spotify's JSON deflates about 10:1; a member far beyond that is a zip bomb.
    max_ratio: float = 100.0
    min_ms_played: int = 30_000


DEFAULT_LIMITS: Final = HistoryLimits()


def is_listening_file(name: str) -> bool:
    """True for the files of an export worth reading (histories, playlists, library, CSVs)."""
    return bool(_LISTENING_FILE.match(PurePosixPath(name.replace("\\", "/")).name))


def not_read(name: str) -> FileSummary:
    """The report line of an export file that holds no listening data (never opened)."""
    return FileSummary(name, "other account data", 0, 0, why="not listening data", music=False)


def read_plays(
    files: Sequence[tuple[str, Source]], *, limits: HistoryLimits = DEFAULT_LIMITS
) -> tuple[PlayTotals, list[FileSummary], list[FileProblem]]:
    """Read every file into per-song totals; a bad file becomes a problem.

    Returns the totals (``ranked()`` gives the songs), what each file (or zip member) is and
    what was read or skipped from it, and the files that could not be used with the reason;
    the good files still count.
    """
    totals = PlayTotals()
    summaries: list[FileSummary] = []
    problems: list[FileProblem] = []
    for name, source in files:
        try:
            file_totals, file_summaries, file_problems = _read_file(name, source, limits)
        except HistoryFileError as error:
            problems.append(FileProblem(name, str(error)))
            continue
        except OSError as error:  # e.g. a stream that cannot seek, or a read failing midway
            problems.append(FileProblem(name, f"could not be read ({error})"))
            continue
        totals.merge(file_totals)
        summaries.extend(file_summaries)
        problems.extend(file_problems)
    return totals, summaries, problems


def _read_file(
    name: str, source: Source, limits: HistoryLimits
) -> tuple[PlayTotals, list[FileSummary], list[FileProblem]]:
    size = _size(source)
    if size > limits.max_file_bytes:
        msg = f"{readable_size(size)}, over the {readable_size(limits.max_file_bytes)} upload limit"
        raise HistoryFileError(msg)
    head = _peek(source, 4)
    if head in _ZIP_MAGIC:
        return _read_zip(name, source, limits)
    if name.lower().endswith(".zip"):
        msg = "not a zip file (corrupt, truncated or renamed)"
        raise HistoryFileError(msg)
    raw = source if isinstance(source, bytes) else source.read()
    totals = PlayTotals()
    summary = _parse_export(name, raw, totals, limits)
    return totals, [summary], []


def _size(source: Source) -> int:
    if isinstance(source, bytes):
        return len(source)
    position = source.tell()
    size = source.seek(0, io.SEEK_END)
    source.seek(position)
    return size - position


def _peek(source: Source, n: int) -> bytes:
    if isinstance(source, bytes):
        return source[:n]
    position = source.tell()
    head = source.read(n)
    source.seek(position)
    return head


def _parse_export(name: str, raw: bytes, totals: PlayTotals, limits: HistoryLimits) -> FileSummary:
    """Parse one JSON history or Exportify CSV into ``totals``; raise HistoryFileError."""
    if b"\x00" in raw[:4096]:
        msg = "not a Spotify export: binary data, expected JSON, CSV or zip"
        raise HistoryFileError(msg)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        msg = f"not UTF-8 text (byte {raw[error.start]:#04x} at offset {error.start})"
        raise HistoryFileError(msg) from None
    start = _NON_SPACE.search(text)
    if start is None:
        msg = "empty file"
        raise HistoryFileError(msg)
    begin = start.start()
    if text[begin] in "[{":
        return _parse_json(name, text, totals, limits)
    end = text.find("\n", begin)
    first_line = text[begin:] if end < 0 else text[begin:end]
    if "Track Name" in first_line or name.lower().endswith(".csv"):
        return _parse_exportify(name, text, totals, delimiter=_delimiter(first_line))
    msg = "not a Spotify export: expected JSON, an Exportify CSV or a zip"
    raise HistoryFileError(msg)


def _parse_json(name: str, text: str, totals: PlayTotals, limits: HistoryLimits) -> FileSummary:
    try:
        rows = json.loads(text)
    except RecursionError:
        msg = "not valid JSON: nested too deeply"
        raise HistoryFileError(msg) from None
    except ValueError as error:  # JSONDecodeError, and ints beyond Python's digit limit
        where = (
            f" at line {error.lineno} column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        msg = f"not valid JSON (truncated or damaged?): {getattr(error, 'msg', error)}{where}"
        raise HistoryFileError(msg) from None
    return read_json(name, rows, totals, limits.min_ms_played)


def _delimiter(header: str) -> str:
    # A playlist re-saved by a spreadsheet in a comma-decimal locale uses ";" (or tabs).
    return max(",;\t", key=header.count)


def _parse_exportify(
    name: str, text: str, totals: PlayTotals, *, delimiter: str = ","
) -> FileSummary:
    """An Exportify playlist: every row is a chosen track, matched by its id when it has one."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
        artist_column = next((c for c in ("Artist Name(s)", "Artist Name") if c in header), None)
        id_column = next((c for c in EXPORTIFY_ID_COLUMNS if c in header), None)
        if "Track Name" not in header or artist_column is None:
            found = ", ".join(h for h in header[:8] if h) or "none"
            msg = (
                f"CSV without the Exportify columns {', '.join(EXPORTIFY_COLUMNS)}; found: {found}"
            )
            raise HistoryFileError(msg)
        rows = counted = 0
        for row in reader:
            rows += 1
            track, artists = row.get("Track Name"), row.get(artist_column)
            if isinstance(track, str) and track.strip() and isinstance(artists, str):
                found_id = track_id(row.get(id_column)) if id_column else None
                # One row counts one occurrence and no listening time: file order decides.
                totals.add(track, artists, ms=0, track_id=found_id)
                totals.choose(track, artists, track_id=None)
                counted += 1
    except csv.Error as error:
        msg = f"not a valid CSV: {error} (line {reader.line_num})"
        raise HistoryFileError(msg) from None
    if counted == 0:
        msg = "empty playlist: the CSV lists no tracks" if rows == 0 else "no row has a track name"
        raise HistoryFileError(msg)
    why = f"{rows - counted:,} rows without a track name" if rows > counted else ""
    if id_column is None:
        why = "; ".join(filter(None, [why, "no id column: matched by title and artist"]))
    return FileSummary(
        file=name,
        kind="Exportify playlist",
        rows=rows,
        counted=counted,
        skipped=rows - counted,
        why=why,
    )


def _read_zip(
    name: str, source: Source, limits: HistoryLimits
) -> tuple[PlayTotals, list[FileSummary], list[FileProblem]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    # NotImplementedError: a central directory naming a zip version Python cannot read.
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        msg = f"corrupt or truncated zip ({error})"
        raise HistoryFileError(msg) from None
    with archive:
        members = _checked_members(archive, limits)
        totals = PlayTotals()
        summaries: list[FileSummary] = []
        problems: list[FileProblem] = []
        for info in members:
            label = f"{name}/{info.filename}"
            if not is_listening_file(info.filename):
                summaries.append(not_read(label))
                continue
            try:
                raw = _read_member(archive, info, limits)
                member_totals = PlayTotals()
                summaries.append(_parse_export(label, raw, member_totals, limits))
            except HistoryFileError as error:
                problems.append(FileProblem(label, str(error)))
                continue
            totals.merge(member_totals)
    if not any(s.kind != "other account data" for s in summaries) and not problems:
        msg = (
            "no streaming history in the zip: expected StreamingHistory*.json, "
            "Streaming_History_Audio_*.json, Playlist*.json, YourLibrary.json or Exportify "
            ".csv files"
        )
        raise HistoryFileError(msg)
    return totals, summaries, problems


def _checked_members(archive: zipfile.ZipFile, limits: HistoryLimits) -> list[zipfile.ZipInfo]:
    """The history members of a zip, after refusing unsafe or oversized archives as a whole."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        msg = f"the zip has {len(infos)} members, more than the {limits.max_members} allowed"
        raise HistoryFileError(msg)
    for info in infos:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if (
            ".." in parts
            or info.filename.startswith(("/", "\\"))
            or ":" in (parts[0] if parts else "")
        ):
            msg = f"unsafe member name {info.filename!r} (../ or absolute path); the zip is refused"
            raise HistoryFileError(msg)
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_uncompressed:
        msg = (
            f"the zip unpacks to {readable_size(total)}, over the "
            f"{readable_size(limits.max_total_uncompressed)} limit (zip bomb?)"
        )
        raise HistoryFileError(msg)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_ratio:
            msg = f"{info.filename!r} expands {ratio:,.0f}-fold: a zip bomb; the zip is refused"
            raise HistoryFileError(msg)
    return [info for info in infos if not info.is_dir()]


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: HistoryLimits) -> bytes:
    if info.flag_bits & 0x1:
        msg = "encrypted (password-protected) member"
        raise HistoryFileError(msg)
    if info.file_size > limits.max_member_bytes:
        limit = readable_size(limits.max_member_bytes)
        msg = f"{readable_size(info.file_size)}, over the {limit} limit"
        raise HistoryFileError(msg)
    chunks: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                read += len(chunk)
                # zipfile stops at the declared size; this guards the declared size itself.
                if read > limits.max_member_bytes:
                    msg = f"over the {readable_size(limits.max_member_bytes)} limit once unpacked"
                    raise HistoryFileError(msg)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        msg = f"corrupt or truncated zip member ({error})"
        raise HistoryFileError(msg) from None
    return b"".join(chunks)
