"""Which catalog sources a path holds: header-detected adapters for files, zips and folders.

A file's format is read from its first bytes (CSV header, Parquet or zip magic), never from its
name; a folder is opened and the files no adapter recognises (a README, an image) are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from recommender.data.adapters import ADAPTERS, PARQUET, Adapter, match_csv_header
from recommender.domain import CATALOG_SCHEMA

_ZIP_MAGIC: Final = b"PK\x03\x04"
_PARQUET_MAGIC: Final = b"PAR1"


class CatalogError(ValueError):
    """Bad catalog input; the message names the file, the column and the counts."""


class UnrecognisedError(CatalogError):
    """Not a table any adapter knows (a folder skips these; a named file is an error)."""


@dataclass(frozen=True, slots=True)
class Table:
    """One readable table: a file, or one member of a zip archive."""

    name: str
    adapter: Adapter
    path: Path
    member: str | None = None

    def read_bytes(self) -> bytes:
        """The table's bytes (a zip member is unpacked in memory)."""
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)


def accepted_headers() -> str:
    """Every adapter's label and header, one per line, for "unknown format" messages."""
    return "".join(f"\n  - {a.label}: {a.header_text()}" for a in ADAPTERS)


def first_line(head: bytes, name: str) -> list[str]:
    """The CSV header fields of a file's first bytes; raises when empty or not UTF-8."""
    if not head.strip():
        msg = f"{name}: the file is empty"
        raise UnrecognisedError(msg)
    line = head.split(b"\n", 1)[0]
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{name}: not UTF-8 text (byte {exc.start} of the header); save it as UTF-8 CSV"
        raise UnrecognisedError(msg) from exc
    return next(csv.reader([text.rstrip("\r")]), [])


def _adapter_for(head: bytes, name: str, *, parquet_source: Path | io.BytesIO) -> Adapter:
    if head.startswith(_PARQUET_MAGIC):
        try:
            columns = set(pl.read_parquet_schema(parquet_source))
        except (pl.exceptions.PolarsError, OSError) as exc:
            msg = f"{name}: unreadable Parquet file ({exc})"
            raise CatalogError(msg) from exc
        missing = [c for c in CATALOG_SCHEMA if c not in columns]
        if missing:
            msg = f"{name}: Parquet file lacks catalog columns {missing}"
            raise CatalogError(msg)
        return PARQUET
    header = first_line(head, name)
    adapter = match_csv_header(header)
    if adapter is None:
        shown = ",".join(header[:8]) + (",…" if len(header) > 8 else "")
        msg = f"{name}: unknown format (header {shown!r}); accepted headers:{accepted_headers()}"
        raise UnrecognisedError(msg)
    return adapter


def tables_in(path: Path) -> list[Table]:
    """The readable tables of a file: itself, or each CSV/Parquet member of a zip."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        msg = f"{path}: cannot read ({exc.strerror or exc})"
        raise CatalogError(msg) from exc
    if not head.startswith(_ZIP_MAGIC):
        return [Table(str(path), _adapter_for(head, str(path), parquet_source=path), path)]
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            tables = []
            for info in members:
                if info.filename.rsplit("/", 1)[-1].startswith((".", "__MACOSX")):
                    continue
                name = f"{path}:{info.filename}"
                with archive.open(info) as member:
                    member_head = member.read(64 * 1024)
                if not member_head.startswith(_PARQUET_MAGIC) and not _looks_textual(member_head):
                    continue
                source = (
                    io.BytesIO(archive.read(info))
                    if member_head.startswith(_PARQUET_MAGIC)
                    else path
                )
                adapter = _adapter_for(member_head, name, parquet_source=source)
                tables.append(Table(name, adapter, path, info.filename))
    except (zipfile.BadZipFile, EOFError) as exc:
        msg = f"{path}: damaged or truncated zip archive ({exc})"
        raise CatalogError(msg) from exc
    if not tables:
        msg = f"{path}: the zip archive holds no CSV or Parquet table"
        raise UnrecognisedError(msg)
    return tables


def _looks_textual(head: bytes) -> bool:
    # Zip members such as images are skipped; text that fails detection still errors.
    return b"\x00" not in head[:4096]


def detect_kind(path: Path) -> str:
    """Return the source kind of a file from its header (a zip: its members' kind).

    Raises:
        CatalogError: naming the file and the accepted headers when the format is unknown.
    """
    kinds = sorted({table.adapter.kind for table in tables_in(path)})
    return kinds[0] if len(kinds) == 1 else "zip:" + "+".join(kinds)


def _scan_folder(folder: Path) -> tuple[list[Path], dict[str, str]]:
    found, skipped = [], {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            tables_in(path)
        except UnrecognisedError as exc:
            skipped[str(path)] = str(exc).removeprefix(f"{path}: ").split(";")[0]
            continue
        found.append(path)
    return found, skipped


def supported_files(folder: Path) -> list[Path]:
    """Every file directly in ``folder`` whose header a known adapter recognises, sorted.

    Files no adapter recognises (a README, an image) are skipped.

    Raises:
        CatalogError: a recognised file that is damaged (a truncated zip, a broken Parquet).
    """
    return _scan_folder(folder)[0]


def expand_sources(paths: Sequence[Path]) -> tuple[list[Path], dict[str, str]]:
    """The source files (folders opened) and the folder entries skipped, with why."""
    files: list[Path] = []
    skipped: dict[str, str] = {}
    for path in paths:
        if path.is_dir():
            inside, passed_over = _scan_folder(path)
            skipped.update(passed_over)
            if not inside:
                accepted = accepted_headers()
                msg = f"{path}: no supported data file in this folder; accepted headers:{accepted}"
                raise CatalogError(msg)
            files.extend(inside)
        elif path.is_file():
            files.append(path)
        else:
            msg = f"{path}: no such file or folder"
            raise CatalogError(msg)
    unique = list(dict.fromkeys(p.resolve() for p in files))
    if not unique:
        msg = "no catalog source files given"
        raise CatalogError(msg)
    return unique, skipped


def source_tables(paths: Sequence[Path]) -> list[Table]:
    """Every table the catalog would be built from: files and folders opened, zips unpacked.

    Raises:
        CatalogError: naming the file, as a catalog build would.
    """
    files, _ = expand_sources(paths)
    return [table for path in files for table in tables_in(path)]
