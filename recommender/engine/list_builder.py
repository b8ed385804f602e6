"""One list builder: which of the nearest candidates make the list, one method per rule.

Candidates arrive nearest first, each with the seed it is closest to. The builder walks them
in passes (``Phase``): each seed's quota first, then a top-up to the limit, then, only when
nothing else is left, the tracks the artist rule kept waiting. Every rule answers a candidate
with a ``Verdict``:

- ``ADMIT``: this rule lets it in;
- ``DEFER``: not in this block of 10; it waits and goes first when the next block starts;
- ``REJECT``: not in this pass (a later pass looks at it again; the song and artist rules
  reject for good, because what they count only grows).

A candidate enters when every rule admits it, asked in the order of ``RULES``. A new rule is
one method here, one entry in ``RULES`` and one test (``tests/test_list_builder.py``).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Final

import numpy as np

from recommender.engine.recording import RecordingKey, RecordingSet

BLOCK: Final = 10
# The seeds' artists get at most a share of each block of this many (seed_artists_per_block).
SEED_ARTIST_BLOCK: Final = 20


class Verdict(enum.Enum):
    """What one rule says about one candidate (see the module doc)."""

    ADMIT = "admit"
    DEFER = "defer"
    REJECT = "reject"


class Phase(enum.Enum):
    """The passes over the candidates, in order."""

    QUOTA = "each seed's quota"
    TOP_UP = "top-up to the limit"
    FILL = "waiting tracks fill what is left"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One pool entry: its position in the walk, its song, primary artist and seed."""

    position: int
    song: int
    artist: int
    seed: int
    row: int = -1  # the catalog row (-1 in tests that do not need it)


@dataclass(frozen=True, slots=True)
class ListRules:
    """The options the rules read (``RecommendOptions`` carries them)."""

    per_seed: int
    max_per_artist: int | None
    # Distinct primary artists every block of 10 keeps; None switches the rule off.
    artists_per_block: int | None
    # Tracks crediting a seed's artist each block of SEED_ARTIST_BLOCK may hold; None: no cap.
    seed_artists_per_block: int | None = None


@dataclass
class _Blocks:
    """The artist rule of one list: at most ``BLOCK - minimum`` repeats in every block of 10."""

    minimum: int | None
    artists: Counter[int]
    filled: int = 0

    def fits(self, artist: int) -> bool:
        """Whether a track by ``artist`` may take the next slot of the current block."""
        if self.minimum is None or artist not in self.artists:
            return True
        repeats = self.filled - len(self.artists)
        return repeats < BLOCK - self.minimum

    def add(self, artist: int) -> None:
        """Fill the next slot; a full block starts the next one."""
        self.artists[artist] += 1
        self.filled += 1
        if self.filled == BLOCK:
            self.artists.clear()
            self.filled = 0


@dataclass
class ListBuilder:
    """Builds one list from candidates walked nearest first (see the module doc)."""

    song_codes: np.ndarray
    primary_codes: np.ndarray
    rules: ListRules
    limit: int
    # Per catalog row: does the track credit one of the seeds' artists (any credited artist)?
    seed_artist_rows: np.ndarray | None = None
    # The recording key of a catalog row, and the seeds' own (the one-recording rule).
    recording_of: Callable[[int], RecordingKey] | None = None
    seed_recordings: Sequence[RecordingKey] = ()
    picked: list[int] = field(default_factory=list)
    _recordings: RecordingSet = field(init=False)
    _seed_artists_in: Counter[int] = field(default_factory=Counter)
    _songs: set[int] = field(default_factory=set)
    _per_artist: Counter[int] = field(default_factory=Counter)
    _per_seed: Counter[int] = field(default_factory=Counter)
    _waiting: list[int] = field(default_factory=list)
    _blocks: _Blocks = field(init=False)

    def __post_init__(self) -> None:
        self._blocks = _Blocks(self.rules.artists_per_block, Counter())
        self._recordings = RecordingSet(self.seed_recordings)

    # --- the rules, in the order they are asked -------------------------------------------

    def same_song(self, candidate: Candidate, phase: Phase) -> Verdict:
        """Only the nearest version of a song is kept."""
        return Verdict.REJECT if candidate.song in self._songs else Verdict.ADMIT

    def one_recording(self, candidate: Candidate, phase: Phase) -> Verdict:
        """A recording already listed, or a seed's own, under another credit stays out."""
        if self.recording_of is None or candidate.row < 0:
            return Verdict.ADMIT
        listed = self.recording_of(candidate.row) in self._recordings
        return Verdict.REJECT if listed else Verdict.ADMIT

    def seed_artist_room(self, candidate: Candidate, phase: Phase) -> Verdict:
        """Tracks by a seed's artist take at most ``seed_artists_per_block`` of each 20.

        A shorter last block (a list of 50 ends with 10) gets the same share, rounded down, so
        the whole list keeps the share too.
        """
        cap = self.rules.seed_artists_per_block
        rows = self.seed_artist_rows
        if cap is None or rows is None or candidate.row < 0 or not rows[candidate.row]:
            return Verdict.ADMIT
        if phase is Phase.FILL:
            return Verdict.ADMIT
        block = len(self.picked) // SEED_ARTIST_BLOCK
        span = min(SEED_ARTIST_BLOCK, self.limit - block * SEED_ARTIST_BLOCK)
        room = cap * span // SEED_ARTIST_BLOCK
        return Verdict.ADMIT if self._seed_artists_in[block] < room else Verdict.DEFER

    def artist_cap(self, candidate: Candidate, phase: Phase) -> Verdict:
        """At most ``max_per_artist`` tracks per primary artist."""
        cap = self.rules.max_per_artist
        if cap is not None and self._per_artist[candidate.artist] >= cap:
            return Verdict.REJECT
        return Verdict.ADMIT

    def seed_quota(self, candidate: Candidate, phase: Phase) -> Verdict:
        """In the first pass each seed gets at most ``per_seed`` tracks."""
        if phase is Phase.QUOTA and self._per_seed[candidate.seed] >= self.rules.per_seed:
            return Verdict.REJECT
        return Verdict.ADMIT

    def artist_variety(self, candidate: Candidate, phase: Phase) -> Verdict:
        """Every block of 10 keeps ``artists_per_block`` distinct primary artists."""
        if phase is Phase.FILL or self._blocks.fits(candidate.artist):
            return Verdict.ADMIT
        return Verdict.DEFER

    RULES: ClassVar[tuple[str, ...]] = (
        "same_song",
        "one_recording",
        "artist_cap",
        "seed_quota",
        "seed_artist_room",
        "artist_variety",
    )

    # --- the walk ----------------------------------------------------------------------------

    def judge(self, candidate: Candidate, phase: Phase) -> Verdict:
        """The first verdict that is not ADMIT, or ADMIT when every rule admits."""
        for name in self.RULES:
            rule: Callable[[Candidate, Phase], Verdict] = getattr(self, name)
            verdict = rule(candidate, phase)
            if verdict is not Verdict.ADMIT:
                return verdict
        return Verdict.ADMIT

    def _candidate(self, position: int, order: np.ndarray, assigned: np.ndarray) -> Candidate:
        row = order[position]
        return Candidate(
            position=position,
            song=int(self.song_codes[row]),
            artist=int(self.primary_codes[row]),
            seed=int(assigned[position]),
            row=int(row),
        )

    def _admit(self, candidate: Candidate) -> None:
        if self.seed_artist_rows is not None and self.seed_artist_rows[candidate.row]:
            self._seed_artists_in[len(self.picked) // SEED_ARTIST_BLOCK] += 1
        if self.recording_of is not None:
            self._recordings.add(self.recording_of(candidate.row))
        self._songs.add(candidate.song)
        self._per_artist[candidate.artist] += 1
        self._per_seed[candidate.seed] += 1
        self._blocks.add(candidate.artist)
        self.picked.append(candidate.position)

    def build(self, order: np.ndarray, assigned: np.ndarray, *, strict: bool) -> list[int]:
        """Walk ``order`` (candidate rows, nearest first) and return positions, in list order.

        ``assigned`` holds each candidate's seed. When ``strict`` is False and nothing else
        is left, the tracks the artist rule kept waiting fill the list anyway.
        """
        taken = np.zeros(len(order), dtype=bool)

        def offer(position: int, phase: Phase) -> None:
            candidate = self._candidate(position, order, assigned)
            verdict = self.judge(candidate, phase)
            if verdict is Verdict.DEFER:
                self._waiting.append(position)
            if verdict is not Verdict.ADMIT:
                return
            taken[position] = True
            self._admit(candidate)
            if self._blocks.filled == 0 and self._waiting:
                # A new block: the tracks that waited are the nearest left, so they go first.
                retry = sorted(set(self._waiting))
                self._waiting.clear()
                # Once waiting, a track obeys the artist rule again in the new block, even in
                # the fill pass: only the fill pass's own walk lets a repeat through.
                again = Phase.TOP_UP if phase is Phase.FILL else phase
                for earlier in retry:
                    if len(self.picked) >= self.limit:
                        break
                    if not taken[earlier]:
                        offer(earlier, again)

        for phase in (Phase.QUOTA, Phase.TOP_UP):
            for position in range(len(order)):
                if len(self.picked) >= self.limit:
                    return self.picked
                if not taken[position]:
                    offer(position, phase)
        if not strict:
            for position in sorted(set(self._waiting)):
                if len(self.picked) >= self.limit:
                    break
                if not taken[position]:
                    offer(position, Phase.FILL)
        return self.picked
