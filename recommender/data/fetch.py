"""Fetching the public datasets once: streamed, verified, recorded, and found again later.

A download lands in ``<cache>/downloads/.partial/`` and is renamed into
``<cache>/downloads/<source>/<file>`` only after its header and at least ``MIN_ROWS`` parsed
rows check out, so a half-written or wrong file is never used. ``manifest.json`` records the
sha256 of every accepted file; a cached file whose bytes no longer match is thrown away and
fetched again. ``locate_catalog_files`` is the lookup order the catalog loader follows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import filelock
import requests

from recommender.data.detect import CatalogError, detect_kind
from recommender.data.read import build_catalog
from recommender.data.sources import MIN_ROWS, Archive, Source, SourceFile, selected_sources
from recommender.data.transfer import (
    VerificationError,
    cannot_connect,
    describe,
    stream,
    unpack,
)
from recommender.settings import Settings

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[float, str], None]

MANIFEST_NAME: Final = "manifest.json"
_HEADER_LIMIT: Final = 64 * 1024
# A transport error (reset, truncated body, 5xx) is retried once from byte zero; a 404 is not.
ATTEMPTS_PER_URL: Final = 2
# Another process (the app and the CLI at once) may be downloading; wait for it, not race it.
LOCK_TIMEOUT_S: Final = 30 * 60
# Files above this are verified on their first VERIFY_SAMPLE_ROWS rows: building a 1.2M-row
# catalog only to count it would double the first start (the catalog build reads it all).
VERIFY_WHOLE_BYTES: Final = 64 * 1024 * 1024
VERIFY_SAMPLE_ROWS: Final = 50_000


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file: fetched now, found intact in the cache, or failed."""

    source: str
    name: str
    status: Literal["downloaded", "cached", "failed"]
    path: Path | None = None
    url: str | None = None
    sha256: str | None = None
    bytes: int = 0
    rows: int | None = None
    errors: tuple[str, ...] = ()
    # What the server said it served (the hub's commit header, else the ETag), when it said.
    revision: str | None = None
    # The zip the file was unpacked from, when it came as one.
    archive: str | None = None
    # True when only the first VERIFY_SAMPLE_ROWS rows were parsed to verify the file.
    sampled: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as strings)."""
        data = asdict(self)
        data["path"] = str(self.path) if self.path else None
        data["errors"] = list(self.errors)
        return data


@dataclass(frozen=True, slots=True)
class DownloadReport:
    """The outcome of :func:`download_sources`, one entry per declared file."""

    files: tuple[FileOutcome, ...]
    directory: Path

    @property
    def paths(self) -> list[Path]:
        """Verified files ready for the catalog, in declaration order."""
        return [f.path for f in self.files if f.path is not None and f.status != "failed"]

    @property
    def failures(self) -> list[FileOutcome]:
        """Files that could not be had."""
        return [f for f in self.files if f.status == "failed"]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary for ``python -m recommender download --json``."""
        return {
            "directory": str(self.directory),
            "ok": not self.failures,
            "files": [f.to_json() for f in self.files],
        }


def downloads_dir(settings: Settings) -> Path:
    """Where downloaded datasets live: ``<RECOMMENDER_CACHE_DIR>/downloads``."""
    return settings.cache_dir / "downloads"


def _file_key(source: Source, file: SourceFile) -> str:
    return f"{source.name}/{file.name}"


def _read_manifest(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # A missing or unreadable manifest vouches for nothing: every file is fetched again.
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _write_manifest(directory: Path, files: dict[str, dict[str, Any]]) -> None:
    path = directory / MANIFEST_NAME
    tmp = path.with_name(f".{MANIFEST_NAME}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": 1, "files": files}, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_cached(
    directory: Path, source: Source, file: SourceFile, manifest: dict[str, dict[str, Any]]
) -> tuple[FileOutcome | None, str | None]:
    """Return the cached outcome when the file is intact, else ``(None, why it is not)``."""
    path = directory / source.name / file.name
    entry = manifest.get(_file_key(source, file))
    if not path.is_file():
        return None, None
    if entry is None:
        return None, f"{path} is not in the download manifest; fetching it again"
    size = path.stat().st_size
    digest = sha256_of(path) if size == entry.get("bytes") else None
    if digest != entry.get("sha256"):
        return None, (
            f"{path} is corrupt ({size:,} bytes, sha256 differs from the "
            f"{entry.get('bytes', 0):,}-byte file recorded at download); fetching it again"
        )
    outcome = FileOutcome(
        source=source.name,
        name=file.name,
        status="cached",
        path=path,
        url=entry.get("url"),
        sha256=digest,
        bytes=size,
        rows=entry.get("rows"),
        revision=entry.get("revision"),
        archive=entry.get("archive"),
        sampled=bool(entry.get("sampled", False)),
    )
    return outcome, None


def cached_files(
    settings: Settings, sources: Sequence[Source] | None = None
) -> tuple[list[FileOutcome], list[str]]:
    """Intact cached files of ``sources`` (default: the selected ones) and notes on the rest.

    A file whose size or sha256 no longer matches the manifest is reported, not returned.
    """
    sources = selected_sources(settings) if sources is None else sources
    directory = downloads_dir(settings)
    manifest = _read_manifest(directory)
    found: list[FileOutcome] = []
    notes: list[str] = []
    for source in sources:
        for file in source.files:
            outcome, note = _check_cached(directory, source, file, manifest)
            if outcome is not None:
                found.append(outcome)
            elif note:
                notes.append(note)
    return found, notes


def read_header(path: Path) -> list[str]:
    """The column names on the first line of a CSV file (BOM and CR stripped)."""
    with path.open("rb") as handle:
        first = handle.readline(_HEADER_LIMIT)
    text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    return next(csv.reader([text]), [])


def verify_file(path: Path, source: Source, *, url: str | None = None) -> int:
    """Check a fetched file is ``source``'s dataset; return its number of valid tracks.

    A file over ``VERIFY_WHOLE_BYTES`` is checked on its first ``VERIFY_SAMPLE_ROWS`` rows,
    and the count is of those (:func:`is_sampled` says which).

    Raises:
        VerificationError: naming the file (and URL) and what is wrong with it.
    """
    where = f"{path.name} from {url}" if url else str(path)
    header = read_header(path)
    missing = [column for column in source.columns if column not in header]
    if missing:
        first = ",".join(header)[:120]
        msg = (
            f"{where} is not the {source.name} dataset: its header lacks "
            f"{', '.join(missing[:5])}{' …' if len(missing) > 5 else ''} "
            f"(first line starts {first!r})"
        )
        raise VerificationError(msg)
    if is_sampled(path):
        with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
            head = Path(scratch) / path.name
            with path.open("rb") as whole, head.open("wb") as sample:
                for _, line in zip(range(VERIFY_SAMPLE_ROWS + 1), whole, strict=False):
                    sample.write(line)
            rows = _parsed_rows(head, source, where=where)
    else:
        rows = _parsed_rows(path, source, where=where)
    if rows < MIN_ROWS:
        msg = (
            f"{where} holds only {rows:,} valid tracks of the {source.name} dataset "
            f"(at least {MIN_ROWS:,} expected): truncated or not the published file"
        )
        raise VerificationError(msg)
    return rows


def is_sampled(path: Path) -> bool:
    """Whether :func:`verify_file` checks only the head of ``path`` (a big file)."""
    return path.stat().st_size > VERIFY_WHOLE_BYTES


def _parsed_rows(path: Path, source: Source, *, where: str) -> int:
    """Valid unique tracks the catalog's own adapter and range checks accept from ``path``."""
    try:
        kind = detect_kind(path)
        if kind != source.kind:
            msg = f"{where} reads as a {kind!r} file, expected {source.kind!r}"
            raise VerificationError(msg)
        return build_catalog([path]).tracks.height
    except CatalogError as error:
        msg = f"{where} does not parse as the {source.name} dataset: {error}"
        raise VerificationError(msg) from error


def _fetch_file(
    session: requests.Session,
    directory: Path,
    source: Source,
    file: SourceFile,
    on_bytes: Callable[[int, int | None], None],
    unreachable: set[str],
) -> FileOutcome:
    """Try each URL of ``file``, then each zip holding it, until one yields a verified file.

    A transfer cut short is resumed from where it stopped when the server allows it (else
    restarted); a partial file never outlives the run. ``unreachable`` collects hosts no
    connection could be made to, so an offline start fails after one attempt per host
    instead of one per file.
    """
    partial = directory / ".partial" / source.name / file.name
    final = directory / source.name / file.name
    partial.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    routes: list[tuple[str, Archive | None]] = [(url, None) for url in file.urls]
    routes += [(archive.url, archive) for archive in file.archives]
    try:
        for url, archive in routes:
            host = urlsplit(url).netloc
            if host in unreachable:
                errors.append(f"{url}: skipped, {host} could not be reached a moment ago")
                continue
            landing = partial.with_name(archive.name) if archive else partial
            # A partial file of an earlier run (or another URL) is never resumed.
            landing.unlink(missing_ok=True)
            for attempt in range(1, ATTEMPTS_PER_URL + 1):
                try:
                    streamed = stream(session, url, landing, on_bytes)
                except requests.RequestException as error:
                    errors.append(f"{url}: {describe(error)} (attempt {attempt})")
                    status = getattr(getattr(error, "response", None), "status_code", None)
                    if cannot_connect(error):
                        unreachable.add(host)
                        break
                    if status is not None and status < 500:
                        break
                    if status is not None:
                        landing.unlink(missing_ok=True)  # a 5xx body is not the file
                    continue
                try:
                    if archive is not None:
                        unpack(landing, file.name, partial)
                        landing.unlink(missing_ok=True)
                    rows = verify_file(partial, source, url=url)
                except VerificationError as error:
                    errors.append(f"{url}: downloaded file rejected: {error}")
                    break
                final.parent.mkdir(parents=True, exist_ok=True)
                sampled = is_sampled(partial)
                digest = sha256_of(partial) if archive is not None else streamed.sha256
                size = partial.stat().st_size
                os.replace(partial, final)
                return FileOutcome(
                    source=source.name,
                    name=file.name,
                    status="downloaded",
                    path=final,
                    url=url,
                    sha256=digest,
                    bytes=size,
                    rows=rows,
                    errors=tuple(errors),
                    revision=streamed.revision,
                    archive=archive.name if archive else None,
                    sampled=sampled,
                )
            landing.unlink(missing_ok=True)
    finally:
        partial.unlink(missing_ok=True)
        for archive in file.archives:
            partial.with_name(archive.name).unlink(missing_ok=True)
    return FileOutcome(source=source.name, name=file.name, status="failed", errors=tuple(errors))


@contextmanager
def _download_lock(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with filelock.FileLock(str(directory / ".lock"), timeout=LOCK_TIMEOUT_S):
        yield


def _remember(directory: Path, source: Source, file: SourceFile, outcome: FileOutcome) -> None:
    manifest = _read_manifest(directory)
    manifest[_file_key(source, file)] = {
        "url": outcome.url,
        "sha256": outcome.sha256,
        "bytes": outcome.bytes,
        "rows": outcome.rows,
        "revision": outcome.revision,
        "archive": outcome.archive,
        "sampled": outcome.sampled,
        "downloaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_manifest(directory, manifest)


def download_sources(
    settings: Settings,
    *,
    sources: Sequence[Source] | None = None,
    progress: ProgressCallback | None = None,
    session: requests.Session | None = None,
    force: bool = False,
) -> DownloadReport:
    """Make every file of ``sources`` (default: the selected ones) present and verified.

    Intact cached files are kept unless ``force``; the rest are streamed from their URLs in
    order. Never raises for a network problem: failures are in the report, each naming the
    URLs tried and why they failed.

    Args:
        settings: supplies the cache directory, the source selection and the mirror.
        sources: overrides the selection (tests declare their own URLs).
        progress: called with (overall fraction 0-1, text) as bytes arrive.
        session: an HTTP session to reuse; a fresh one is made otherwise.
        force: fetch again even when the cached copy is intact.
    """
    sources = selected_sources(settings) if sources is None else tuple(sources)
    directory = downloads_dir(settings)
    report = progress or (lambda _fraction, _text: None)
    total = sum(source.approx_bytes for source in sources) or 1
    finished = 0
    outcomes: list[FileOutcome] = []
    unreachable: set[str] = set()
    http = session or requests.Session()
    try:
        with _download_lock(directory):
            manifest = _read_manifest(directory)
            for source in sources:
                for file in source.files:
                    cached = None
                    if not force:
                        cached, _note = _check_cached(directory, source, file, manifest)
                    if cached is None:
                        # A corrupt or unrecorded copy must not outlive a failed re-fetch.
                        (directory / source.name / file.name).unlink(missing_ok=True)
                        outcome = _fetch_file(
                            http,
                            directory,
                            source,
                            file,
                            _byte_reporter(report, source, file, finished, total),
                            unreachable,
                        )
                        if outcome.status == "downloaded":
                            _remember(directory, source, file, outcome)
                    else:
                        outcome = cached
                    outcomes.append(outcome)
                    finished += file.approx_bytes
                    report(min(finished / total, 1.0), _done_text(outcome))
    finally:
        if session is None:
            http.close()
    return DownloadReport(files=tuple(outcomes), directory=directory)


def _byte_reporter(
    report: ProgressCallback, source: Source, file: SourceFile, finished: int, total: int
) -> Callable[[int, int | None], None]:
    def on_bytes(done: int, size: int | None) -> None:
        expected = size or file.approx_bytes
        share = min(done / expected, 1.0) * file.approx_bytes
        text = f"Downloading {source.name}/{file.name}: {done / 1e6:.1f} of {expected / 1e6:.1f} MB"
        report(min((finished + share) / total, 1.0), text)

    return on_bytes


def _done_text(outcome: FileOutcome) -> str:
    label = f"{outcome.source}/{outcome.name}"
    if outcome.status == "failed":
        return f"{label}: failed"
    checked = " in the first rows checked" if outcome.sampled else ""
    return f"{label}: {outcome.status}, {outcome.rows or 0:,} valid tracks{checked}"
