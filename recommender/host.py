"""The memory this process may use and what it holds: the cgroup limit, else the machine's.

A container's limit is its cgroup's (v2 ``memory.max``, v1 ``memory.limit_in_bytes``); a
process outside one is limited by the machine (``MemTotal``). The catalog at 1.35M tracks
needs about 1.2 GB (docs/data.md), so the Model page and the log say how close the server is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

# Share of the limit above which the server says it is short of memory.
HIGH_SHARE: Final = 0.7
# cgroup v1 writes "no limit" as a page-aligned number near 2**63.
_V1_UNLIMITED: Final = 1 << 60


@dataclass(frozen=True, slots=True)
class Memory:
    """The limit (None when none could be read), where it came from, and the process's RSS."""

    limit_bytes: int | None
    limit_source: str
    rss_bytes: int | None

    @property
    def share(self) -> float | None:
        """RSS as a share of the limit, when both are known."""
        if not self.limit_bytes or self.rss_bytes is None:
            return None
        return self.rss_bytes / self.limit_bytes

    @property
    def high(self) -> bool:
        """Whether the process holds more than ``HIGH_SHARE`` of its limit."""
        return self.share is not None and self.share > HIGH_SHARE

    def describe(self) -> str:
        """One line: "1.19 GB of 2.00 GB (cgroup v2 memory.max), 60%"."""
        held = "unknown" if self.rss_bytes is None else _gb(self.rss_bytes)
        if self.limit_bytes is None:
            return f"{held} in use; no memory limit could be read"
        share = self.share
        percent = "" if share is None else f", {share:.0%}"
        return f"{held} of {_gb(self.limit_bytes)} ({self.limit_source}){percent}"


def _gb(value: int) -> str:
    return f"{value / 1e9:.2f} GB"


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def _kilobytes(path: Path, field: str) -> int | None:
    """``field: N kB`` of a /proc file, in bytes."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if name == field and parts and parts[0].isdigit():
            return int(parts[0]) * 1024
    return None


def read_memory(*, cgroup: Path = Path("/sys/fs/cgroup"), proc: Path = Path("/proc")) -> Memory:
    """The memory limit of this process and its resident set, from cgroup and /proc files."""
    rss = _kilobytes(proc / "self" / "status", "VmRSS")
    v2 = _read_int(cgroup / "memory.max")  # "max" (no limit) reads as None
    if v2 is not None:
        return Memory(v2, "cgroup v2 memory.max", rss)
    v1 = _read_int(cgroup / "memory" / "memory.limit_in_bytes")
    if v1 is not None and v1 < _V1_UNLIMITED:
        return Memory(v1, "cgroup v1 memory.limit_in_bytes", rss)
    total = _kilobytes(proc / "meminfo", "MemTotal")
    if total is not None:
        return Memory(total, "the machine's MemTotal", rss)
    return Memory(None, "unknown", rss)
