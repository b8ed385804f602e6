"""The seed policy: which of a listener's resolved songs become the seeds, and why.

One rule for uploads and logged-in listeners alike. Candidates come ranked (listening time,
chosen-track credit, Spotify's top-track order or a file's order). Exact matches (catalog id,
or same title and primary artist) are taken first, in rank order; an approximation (online
features, then the artist's average) only fills places when too few exact matches exist.
No two seeds share one profile (two songs approximated by the same artist average, or two
versions of one catalog track), and at most ``per_artist`` seeds share a primary artist, so
one favourite artist does not fill the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from recommender.domain import AudioProfile
from recommender.seeds.resolve import Outcome, Resolution
from recommender.text import primary_artist

EXACT: Final[frozenset[Outcome]] = frozenset({"by_id", "by_title"})
SEED_COUNT: Final = 5
PER_ARTIST: Final = 2


@dataclass(frozen=True, slots=True)
class Candidate:
    """One resolved song that could be a seed (``seed_id`` None: it has no features)."""

    name: str
    artist: str
    how: Outcome
    seed_id: str | None
    profile: AudioProfile | None = None
    catalog_id: str | None = None

    @property
    def exact(self) -> bool:
        """Matched by catalog id or by the same title and primary artist."""
        return self.how in EXACT

    @property
    def label(self) -> str:
        """Song and artist, marked when the sound is an estimate."""
        text = f"{self.name} – {self.artist}"
        if self.how == "artist_profile":
            return f"{text} (≈ the artist's average sound)"
        if self.how == "online":
            return f"{text} (features from an online source)"
        return text

    @property
    def profile_key(self) -> str | None:
        """What the seed's sound is: a catalog track, a song's online features, an average."""
        if self.catalog_id is not None:
            return self.catalog_id
        if self.how == "artist_profile":
            return "artist:" + primary_artist(self.artist)
        return self.seed_id


@dataclass(frozen=True, slots=True)
class SeedChoice:
    """The picked seeds, the other usable songs (for a swap), and the coverage counts."""

    picks: tuple[Candidate, ...]
    songs: int
    in_catalog: int
    usable: tuple[Candidate, ...] = ()

    @property
    def seed_ids(self) -> list[str]:
        """The seeds' ids, in order."""
        return [c.seed_id for c in self.picks if c.seed_id is not None]

    @property
    def profiles(self) -> dict[str, AudioProfile]:
        """Profiles of the seeds that are not catalog tracks, labelled with song and artist."""
        return {
            c.seed_id: replace(c.profile, label=c.label)
            for c in self.picks
            if c.seed_id is not None and c.catalog_id is None and c.profile is not None
        }

    @property
    def approximate(self) -> int:
        """How many seeds are approximations."""
        return sum(not c.exact for c in self.picks)

    def coverage(self) -> str:
        """The coverage line: "N of M songs in the catalog; the 5 seeds are exact matches"."""
        text = f"{self.in_catalog:,} of {self.songs:,} songs in the catalog"
        n = len(self.picks)
        if n == 0:
            return text + "; no song could be profiled, so there are no seeds"
        seeds = "the seed is" if n == 1 else f"the {n} seeds are"
        if self.approximate == 0:
            return f"{text}; {seeds} exact matches" if n > 1 else f"{text}; {seeds} an exact match"
        exact = n - self.approximate
        return (
            f"{text}; {exact} of {n} seeds are exact matches and {self.approximate} "
            "approximations, because too few songs are in the catalog"
        )


def choose_seeds(
    candidates: Iterable[Candidate],
    *,
    n: int = SEED_COUNT,
    per_artist: int = PER_ARTIST,
    avoid: Sequence[str] = (),
) -> SeedChoice:
    """Pick ``n`` seeds from ranked candidates by the module's rule (linear in their number).

    ``avoid``: seed ids not to pick (e.g. the listener's "not this" tracks).
    """
    ranked = list(candidates)
    blocked = set(avoid)
    usable = tuple(c for c in ranked if c.seed_id is not None and c.seed_id not in blocked)
    picks: list[Candidate] = []
    profiles: set[str | None] = set()
    artists: dict[str, int] = {}
    passes = (
        [c for c in usable if c.exact],
        [c for c in usable if c.how == "online"],
        [c for c in usable if c.how == "artist_profile"],
    )
    for group in passes:
        for candidate in group:
            if len(picks) >= n:
                break
            artist = primary_artist(candidate.artist)
            if candidate.profile_key in profiles or artists.get(artist, 0) >= per_artist:
                continue
            picks.append(candidate)
            profiles.add(candidate.profile_key)
            artists[artist] = artists.get(artist, 0) + 1
    return SeedChoice(
        picks=tuple(picks),
        songs=len(ranked),
        in_catalog=sum(c.exact for c in ranked),
        usable=usable,
    )


def resolution_candidates(resolution: Resolution) -> list[Candidate]:
    """A resolution's tracks as candidates, in its order (e.g. Spotify's top-track rank)."""
    return [
        Candidate(
            name=item.track.name,
            artist=", ".join(item.track.artists),
            how=item.outcome,
            seed_id=item.seed_id,
            profile=item.profile,
            catalog_id=item.catalog_id,
        )
        for item in resolution.items
    ]
