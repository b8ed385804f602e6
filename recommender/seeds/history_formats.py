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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any, Final

from recommender.domain import parse_track_id
from recommender.seeds.plays import Play, PlayTotals

MB: Final = 1024 * 1024
Source = bytes | IO[bytes]

ACCOUNT_FIELDS: Final = ("endTime", "artistName", "trackName", "msPlayed")
EXTENDED_FIELDS: Final = (
    "ts",
    "ms_played",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "spotify_track_uri",
)
EXPORTIFY_COLUMNS: Final = ("Track URI", "Track Name", "Artist Name(s)")
# Members of Spotify's zip worth reading; podcast, video and account files are skipped.
_HISTORY_MEMBER: Final = re.compile(
    r"^(streaminghistory(_music)?_?\d*\.json|streaming_history_audio_.*\.json"
    r"|endsong(_\d+)?\.json|.*\.csv)$",
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
    """What an upload may weigh; the defaults are the ones the README states."""

    max_file_bytes: int = 200 * MB
    max_members: int = 200
    max_total_uncompressed: int = 1024 * MB
    max_member_bytes: int = 200 * MB
    # Spotify's JSON deflates about 10:1; a member far beyond that is a zip bomb.
    max_ratio: float = 100.0
    min_ms_played: int = 30_000


DEFAULT_LIMITS: Final = HistoryLimits()


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file (or zip member) that could not be used, and why."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass(frozen=True, slots=True)
class FileSummary:
    """What was read from a usable file."""

    file: str
    kind: str
    rows: int
    counted: int
    skipped: int = 0


class HistoryFileError(ValueError):
    """A file that cannot be used; the message says which and why."""


def read_plays(
    files: Sequence[tuple[str, Source]], *, limits: HistoryLimits = DEFAULT_LIMITS
) -> tuple[list[Play], list[FileSummary], list[FileProblem]]:
    """Read every file into songs ranked by listening time; a bad file becomes a problem.

    Returns the ranked songs, what was read from each usable file (or zip member), and the
    files that could not be used with the reason; the good files still count.
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
    return totals.ranked(), summaries, problems


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
    if not isinstance(rows, list):
        msg = (
            f"JSON of the wrong shape: expected a list of plays, got {_json_type(rows)} "
            "(use StreamingHistory*.json or Streaming_History_Audio_*.json)"
        )
        raise HistoryFileError(msg)
    if not rows:
        msg = "empty history: the file lists no plays"
        raise HistoryFileError(msg)
    first = rows[0]
    if not isinstance(first, dict):
        got = _json_type(first)
        msg = f"JSON of the wrong shape: expected a list of objects, got a list of {got}"
        raise HistoryFileError(msg)
    kind, reader = _json_format(first)
    counted = skipped = 0
    for row in rows:
        outcome = reader(row, totals, limits.min_ms_played) if isinstance(row, dict) else None
        counted += outcome is True
        skipped += outcome is None
    if skipped == len(rows):
        msg = f"no usable rows: every row misses {', '.join(_required(kind))} or has the wrong type"
        raise HistoryFileError(msg)
    return FileSummary(file=name, kind=kind, rows=len(rows), counted=counted, skipped=skipped)


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


# Adds one row to the totals: True counted, False not music or too short, None unusable.
_ReadRow = Callable[[dict[str, Any], "PlayTotals", int], bool | None]


def _json_format(first: dict[str, Any]) -> tuple[str, _ReadRow]:
    keys = set(first)
    if keys & {"ts", "ms_played", "master_metadata_track_name", "spotify_track_uri"}:
        kind, reader = "extended streaming history", _extended_row
    elif keys & set(ACCOUNT_FIELDS):
        kind, reader = "account-data streaming history", _account_row
    else:
        found = ", ".join(sorted(keys)[:8]) or "none"
        msg = (
            "JSON of the wrong shape: rows need "
            f"{', '.join(ACCOUNT_FIELDS)} (account data) or "
            f"{', '.join(EXTENDED_FIELDS[:4])} (extended history); found: {found}"
        )
        raise HistoryFileError(msg)
    missing = [f for f in _required(kind) if f not in keys]
    if missing:
        msg = f"missing fields in the {kind}: {', '.join(missing)}"
        raise HistoryFileError(msg)
    return kind, reader


def _required(kind: str) -> tuple[str, ...]:
    if kind.startswith("extended"):
        return ("ms_played", "master_metadata_track_name", "master_metadata_album_artist_name")
    return ("artistName", "trackName", "msPlayed")


def _milliseconds(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or value > 10**12:  # NaN, negative or absurd
        return None
    return int(value)


def _account_row(row: dict[str, Any], totals: PlayTotals, min_ms: int) -> bool | None:
    """Add one account-data play; True counted, False too short, None unusable."""
    name, artist, ms = (
        row.get("trackName"),
        row.get("artistName"),
        _milliseconds(row.get("msPlayed")),
    )
    if not isinstance(name, str) or not isinstance(artist, str) or ms is None or not name.strip():
        return None
    if ms < min_ms:
        return False
    totals.add(name, artist, ms=ms, track_id=None)
    return True


def _extended_row(row: dict[str, Any], totals: PlayTotals, min_ms: int) -> bool | None:
    """Add one extended-history play; podcast and video rows (no track name) are not music."""
    ms = _milliseconds(row.get("ms_played"))
    if ms is None:
        return None
    name, artist = (
        row.get("master_metadata_track_name"),
        row.get("master_metadata_album_artist_name"),
    )
    if name is None:
        return False
    if not isinstance(name, str) or not isinstance(artist, str) or not name.strip():
        return None
    if ms < min_ms:
        return False
    totals.add(name, artist, ms=ms, track_id=_track_id(row.get("spotify_track_uri")))
    return True


def _track_id(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_track_id(value)
    except ValueError:
        return None  # local files ("spotify:local:…") have no catalog id


def _delimiter(header: str) -> str:
    # A playlist re-saved by a spreadsheet in a comma-decimal locale uses ";" (or tabs).
    return max(",;\t", key=header.count)


def _parse_exportify(
    name: str, text: str, totals: PlayTotals, *, delimiter: str = ","
) -> FileSummary:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = reader.fieldnames or []
        artist_column = next((c for c in ("Artist Name(s)", "Artist Name") if c in header), None)
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
                totals.add(track, artists, ms=0, track_id=_track_id(row.get("Track URI")))
                counted += 1
    except csv.Error as error:
        msg = f"not a valid CSV: {error} (line {reader.line_num})"
        raise HistoryFileError(msg) from None
    if counted == 0:
        msg = "empty playlist: the CSV lists no tracks" if rows == 0 else "no row has a track name"
        raise HistoryFileError(msg)
    return FileSummary(
        file=name, kind="Exportify playlist", rows=rows, counted=counted, skipped=rows - counted
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
            try:
                raw = _read_member(archive, info, limits)
                member_totals = PlayTotals()
                summaries.append(_parse_export(label, raw, member_totals, limits))
            except HistoryFileError as error:
                problems.append(FileProblem(label, str(error)))
                continue
            totals.merge(member_totals)
    if not summaries and not problems:
        msg = (
            "no streaming history in the zip: expected StreamingHistory*.json, "
            "Streaming_History_Audio_*.json or Exportify .csv files"
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
    return [
        info
        for info in infos
        if not info.is_dir() and _HISTORY_MEMBER.match(PurePosixPath(info.filename).name)
    ]


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
