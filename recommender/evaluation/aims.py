"""What each preset optimises, and whether it earns its name on the evaluation's figures.

A preset is not a better playlist continuation than the defaults; it aims elsewhere. Each is
scored on its own aim (``PRESET_AIMS``) against the shipped defaults, and must still find real
playlist tracks: at least ``POPULAR_FACTOR`` times "most popular"'s recall@50.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from recommender.engine.features import PRESETS
from recommender.evaluation.results import SystemRow
from recommender.evaluation.systems import OURS, POPULAR, PRESET_PREFIX

AimMetric = Literal["new_artists", "mood_gap", "sound_distance"]
POPULAR_FACTOR: Final = 3.0


@dataclass(frozen=True, slots=True)
class Aim:
    """One preset's own score: which figure, in plain words, and which way is better."""

    metric: AimMetric
    label: str
    lower_is_better: bool

    def value(self, row: SystemRow) -> float:
        """The row's figure for this aim (held-out half, all candidates)."""
        return {
            "new_artists": row.new_artists,
            "mood_gap": row.mood_gap,
            "sound_distance": row.sound_distance,
        }[self.metric].mean

    def better(self, candidate: float, reference: float) -> bool:
        """Whether ``candidate`` is strictly better than ``reference`` on this aim."""
        return candidate < reference if self.lower_is_better else candidate > reference


PRESET_AIMS: Final[Mapping[str, Aim]] = MappingProxyType(
    {
        "Sound alike": Aim(
            "sound_distance", "distance to the nearest seed, nine radar features", True
        ),
        "Same mood": Aim("mood_gap", "gap from the seeds' mean valence and energy", True),
        "Discover new artists": Aim("new_artists", "new-artist recall@50", False),
    }
)
if set(PRESET_AIMS) != set(PRESETS):  # pragma: no cover - a module-level contract
    msg = f"PRESET_AIMS names {sorted(PRESET_AIMS)}, the engine's presets are {sorted(PRESETS)}"
    raise RuntimeError(msg)


@dataclass(frozen=True, slots=True)
class PresetScore:
    """One preset against the defaults on its aim, and against "most popular" on recall."""

    preset: str
    aim: Aim
    value: float
    defaults_value: float
    recall: float  # recall@50, or new-artist recall@50 for "new_artists"
    popular_recall: float

    @property
    def beats_defaults(self) -> bool:
        """Better than the shipped defaults on its own aim."""
        return self.aim.better(self.value, self.defaults_value)

    @property
    def popular_ratio(self) -> float:
        """How many times "most popular"'s recall this preset reaches (inf when that is 0)."""
        return self.recall / self.popular_recall if self.popular_recall > 0 else float("inf")

    @property
    def earned(self) -> bool:
        """Both conditions: better on its aim, and at least 3x "most popular"."""
        return self.beats_defaults and self.popular_ratio >= POPULAR_FACTOR


def preset_scores(
    rows: Mapping[str, SystemRow], *, defaults: str = OURS, popular: str = POPULAR
) -> list[PresetScore]:
    """Each preset row of ``rows`` (named ``preset: <name>``) on its aim; [] without references.

    "Discover new artists" is compared with "most popular" on new-artist recall@50, what it
    optimises (it never returns a seed's artist, so the hidden tracks by those artists are out
    of its reach); every other preset on recall@50.
    """
    if defaults not in rows or popular not in rows:
        return []
    scores = []
    for name, aim in PRESET_AIMS.items():
        row = rows.get(PRESET_PREFIX + name)
        if row is None:
            continue
        discovery = aim.metric == "new_artists"

        def recall(of: SystemRow, *, discovery: bool = discovery) -> float:
            return of.new_artists.mean if discovery else of.held_out.recall.mean

        scores.append(
            PresetScore(
                preset=name,
                aim=aim,
                value=aim.value(row),
                defaults_value=aim.value(rows[defaults]),
                recall=recall(row),
                popular_recall=recall(rows[popular]),
            )
        )
    return scores
