"""One HTTP transfer of a dataset file: streamed, resumed after a cut, unpacked from a zip.

``fetch`` decides what to fetch and what to keep; this module only moves bytes and says what
went wrong in one line.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import requests

_CHUNK: Final = 256 * 1024
# (connect, read) seconds: an unreachable host fails fast, a slow mirror still finishes.
TIMEOUT: Final = (10.0, 60.0)
# Response headers that name what was served: the hub's commit, else the entity tag.
REVISION_HEADERS: Final = ("X-Repo-Commit", "ETag")


class VerificationError(ValueError):
    """A fetched file is not the dataset it should be (wrong header, too few rows)."""


def cannot_connect(error: requests.RequestException) -> bool:
    """True when no connection was made at all (retrying the same host now is pointless)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = str(error)
    return isinstance(error, requests.ConnectionError) and (
        "NameResolutionError" in text or "Failed to establish a new connection" in text
    )


def describe(error: requests.RequestException) -> str:
    """A one-line reason for a failed request, without urllib3's nested repr soup."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} {error.response.reason}".strip()
    if isinstance(error, requests.ConnectTimeout):
        return "could not connect (timed out)"
    if isinstance(error, requests.ReadTimeout):
        return "timed out waiting for data"
    text = str(error)
    if "NameResolutionError" in text:
        return "could not connect (host name not resolved)"
    for marker in ("Connection refused", "Network is unreachable", "No route to host"):
        if marker in text:
            return f"could not connect ({marker.lower()})"
    return f"{type(error).__name__}: {text[:200]}"


class _Truncated(requests.exceptions.ChunkedEncodingError):
    """The body ended before its declared Content-Length."""


@dataclass(frozen=True, slots=True)
class Streamed:
    """What one transfer stored: its sha256 and size, the server's revision, where it resumed."""

    sha256: str
    bytes: int
    revision: str | None
    resumed_at: int


def _revision(response: requests.Response) -> str | None:
    """What the server (or a redirect on the way) says it served, if it says."""
    for hop in (*response.history, response):
        for header in REVISION_HEADERS:
            value = hop.headers.get(header)
            if value:
                return value.strip('"')
    return None


def _resume_offset(response: requests.Response, offset: int) -> int:
    """Where the body starts: ``offset`` for a matching 206, else 0 (a whole new body)."""
    if offset and response.status_code == 206:
        span = response.headers.get("Content-Range", "")
        if span.startswith(f"bytes {offset}-"):
            return offset
    return 0


def stream(
    session: requests.Session,
    url: str,
    target: Path,
    on_bytes: Callable[[int, int | None], None],
) -> Streamed:
    """GET ``url`` into ``target``; return its sha256, size and the server's revision.

    When ``target`` already holds bytes of an attempt cut short in this run, the request asks
    for the rest (``Range``); a server that answers with the whole file starts it over.
    Redirects are followed.
    """
    offset = target.stat().st_size if target.exists() else 0
    # identity: Content-Length then counts the bytes we store, so truncation is detectable.
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    with session.get(
        url, stream=True, timeout=TIMEOUT, headers=headers, allow_redirects=True
    ) as response:
        response.raise_for_status()
        start = _resume_offset(response, offset)
        digest = hashlib.sha256()
        if start:
            with target.open("rb") as kept:
                for block in iter(lambda: kept.read(1 << 20), b""):
                    digest.update(block)
        declared = response.headers.get("Content-Length")
        total = start + int(declared) if declared and declared.isdigit() else None
        done = start
        with target.open("ab" if start else "wb") as handle:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                handle.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                on_bytes(done, total)
        revision = _revision(response)
    if total is not None and done != total:
        msg = f"connection closed after {done:,} of {total:,} bytes"
        raise _Truncated(msg)
    return Streamed(sha256=digest.hexdigest(), bytes=done, revision=revision, resumed_at=start)


def unpack(archive: Path, member: str, target: Path) -> None:
    """Copy the zip member named ``member`` (at any depth) from ``archive`` into ``target``.

    Raises:
        VerificationError: the download is not a zip, or holds no such member.
    """
    try:
        with zipfile.ZipFile(archive) as zipped:
            names = [n for n in zipped.namelist() if n.rsplit("/", 1)[-1] == member]
            if not names:
                listed = ", ".join(zipped.namelist()[:5])
                msg = f"the zip holds no {member} (it holds {listed or 'nothing'})"
                raise VerificationError(msg)
            with zipped.open(names[0]) as source, target.open("wb") as handle:
                shutil.copyfileobj(source, handle, _CHUNK)
    except (zipfile.BadZipFile, EOFError) as error:
        msg = f"not a zip archive ({error})"
        raise VerificationError(msg) from error
