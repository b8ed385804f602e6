"""Which of the selected sources a server can hold, and which to serve first.

A big source (1.2M tracks) takes minutes to download, build and train on a fresh host and
about 0.55 KB per track once loaded; a host's memory limit may not hold it at all. So the
store serves in stages: first the small sources (about 140k tracks, ready in seconds), then,
in the background, the largest prefix of the selected sources (in their declared order) that
fits under :data:`MEMORY_SHARE` of the host's limit. What is left out is said, never a crash.

The per-track and base figures are measured (docs/benchmarks.md, "many guests at once" and
"cost model": a server after 20 guests holds about 534 MB with the 140k catalog and 1,201 MB
with 1.35M tracks); the sizes are the public files' row counts, an upper bound of the tracks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from recommender.data.sources import Source

MB: Final = 1_000_000
# A server's memory without the catalog and model: libraries, sessions, scratch.
BASE_BYTES: Final = 460 * MB
# Catalog frame, model arrays, search index and ids, per track.
BYTES_PER_TRACK: Final = 550
# Of the host's limit; the rest is headroom for many sessions at once and for the switch.
MEMORY_SHARE: Final = 0.7


def estimated_bytes(tracks: int) -> int:
    """What a server serving ``tracks`` tracks is expected to hold."""
    return BASE_BYTES + BYTES_PER_TRACK * tracks


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """What to serve: ``first`` at once, then ``full`` once ready (``first == full``: one stage)."""

    first: tuple[str, ...]
    full: tuple[str, ...]
    left_out: tuple[str, ...]
    limit_bytes: int
    full_tracks: int
    # What every selected source together would need.
    needed_bytes: int

    @property
    def staged(self) -> bool:
        """True when a quick catalog serves while the full one is prepared."""
        return self.first != self.full

    def left_out_note(self) -> str | None:
        """The sentence the Model page and the log give when a source does not fit."""
        if not self.left_out:
            return None
        return (
            f"left out {', '.join(self.left_out)}: with them the server would need about "
            f"{self.needed_bytes / 1e9:.1f} GB, over {MEMORY_SHARE:.0%} of its "
            f"{self.limit_bytes / 1e9:.1f} GB memory limit (RECOMMENDER_SOURCES chooses the "
            "sources; docs/deploy.md gives each choice's memory)"
        )


def plan_sources(selected: Sequence[Source], *, limit_bytes: int) -> SourcePlan:
    """The stages for ``selected`` (in declared order) under a memory limit of ``limit_bytes``.

    The first source is always served, even over the budget: a server with no catalog helps
    nobody, and the log and the Model page say it is short of memory.
    """
    if not selected:
        msg = "plan_sources: no source selected"
        raise ValueError(msg)
    budget = MEMORY_SHARE * limit_bytes
    full: list[Source] = [selected[0]]
    tracks = selected[0].approx_tracks
    for source in selected[1:]:
        if estimated_bytes(tracks + source.approx_tracks) > budget:
            break
        full.append(source)
        tracks += source.approx_tracks
    left_out = tuple(s.name for s in selected[len(full) :])
    quick = tuple(s.name for s in full if s.quick)
    big = any(not s.quick for s in full)
    first = quick if big and quick else tuple(s.name for s in full)
    needed = estimated_bytes(sum(s.approx_tracks for s in selected))
    return SourcePlan(
        first=first,
        full=tuple(s.name for s in full),
        left_out=left_out,
        limit_bytes=limit_bytes,
        full_tracks=tracks,
        needed_bytes=needed,
    )
