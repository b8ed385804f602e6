"""Typed evaluation and tuning results, and their JSON form (``docs/evaluation.json``).

The results are frozen dataclasses; :func:`to_json` and :func:`from_json` turn them into plain
JSON values and back. A field whose JSON key is not a Python name ("recall@50") says so in its
metadata. Reading checks every field's type and names the path of the first one that is wrong,
so a damaged or outdated file fails loudly instead of showing a half-empty table.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar, get_args, get_origin, get_type_hints

from recommender.evaluation.metrics import Interval

SystemKind = Literal["baseline", "ours"]
CandidatePool = Literal["all", "tidytuesday_only"]
_Result = TypeVar("_Result")


def _key(name: str) -> dict[str, str]:
    return {"json": name}


@dataclass(frozen=True, slots=True)
class RankingFigures:
    """Mean and 95% bootstrap interval of each ranking metric over a set of playlists."""

    recall: Interval = field(metadata=_key("recall@50"))
    precision: Interval = field(metadata=_key("precision@10"))
    ndcg: Interval = field(metadata=_key("ndcg@50"))
    r_precision: Interval


@dataclass(frozen=True, slots=True)
class BeyondAccuracy:
    """What the lists look like beyond hitting hidden tracks (averaged over playlists)."""

    distinct_artists_per_10: float
    intra_list_diversity: float
    coverage: float
    popularity_bias: float  # NaN when no list had a known popularity on both sides
    short_lists: int


@dataclass(frozen=True, slots=True)
class ListChecks:
    """Rules checked on every list a system returned (both playlist tasks)."""

    lists: int
    blocks: int  # full blocks of 10 (1-10, 11-20, ...)
    blocks_below_8_artists: int
    seed_artist_tracks: int  # tracks sharing an artist with the list's seeds


@dataclass(frozen=True, slots=True)
class SystemConfig:
    """Exactly what a system scored: every non-zero weight and the list options."""

    weights: str | None = None
    per_seed: int | None = None
    discover: bool = False
    artists_per_block: int | None = None
    genres: str | None = None  # which genre features the playlist tasks used
    seed_artists_per_block: int | None = None  # of each 20; None: no cap
    one_recording: bool = False


@dataclass(frozen=True, slots=True)
class SystemRow:
    """One system's figures on every task (playlist tasks: the held-out half only)."""

    name: str
    kind: SystemKind
    config: SystemConfig
    held_out: RankingFigures
    held_out_tidytuesday_only: RankingFigures
    new_artists: Interval = field(metadata=_key("new_artists_recall@50"))
    genre_agreement: Interval = field(metadata=_key("genre_agreement@10"))
    # The presets' own aims (``evaluation.aims``), on the held-out half, all candidates.
    mood_gap: Interval
    sound_distance: Interval
    beyond: BeyondAccuracy = field(metadata=_key("beyond"))
    tidytuesday_only_artists_per_10: float = field(metadata=_key("tt_only_artists_per_10"))
    checks: ListChecks = field(metadata=_key("checks"))


@dataclass(frozen=True, slots=True)
class Comparison:
    """A paired-bootstrap difference ``system - baseline`` of one metric on one subset."""

    system: str
    baseline: str
    subset: str
    metric: str
    mean: float
    low: float
    high: float
    excludes_zero: bool


@dataclass(frozen=True, slots=True)
class SourceMix:
    """For seeds from one source: each source's share of the recommendations (0-1)."""

    seed_source: str
    weights: str  # "shipped" or "common fields only"
    seed_lists: int
    shares: dict[str, float]


@dataclass(frozen=True, slots=True)
class TradeoffPoint:
    """Recall against distinct artists for one artist rule (tuning half, TT-only candidates)."""

    artists_per_block: int  # 0: the rule off
    recall: float = field(metadata=_key("recall@50"))
    precision: float = field(metadata=_key("precision@10"))
    ndcg: float = field(metadata=_key("ndcg@50"))
    distinct_artists_per_10: float


@dataclass(frozen=True, slots=True)
class FiveSeedRow:
    """One system on the 5-seed task (held-out playlists; intervals over playlists)."""

    name: str
    recall: Interval = field(metadata=_key("recall@50"))
    tidytuesday_only_recall: Interval = field(metadata=_key("tidytuesday_only_recall@50"))
    new_artists: Interval
    seed_artist_share: Interval  # share of each list crediting one of its seeds' artists
    source_shares: dict[str, Interval]  # each source's share of each list (0-1)


@dataclass(frozen=True, slots=True)
class FiveSeedTask:
    """Five random seeds from each held-out playlist, the rest hidden: every system's row."""

    seeds: int
    playlists: int
    new_artist_playlists: int
    systems: tuple[FiveSeedRow, ...]
    # The shipped weights with every source-specific field at 0: the source mix's reference.
    common_fields: FiveSeedRow | None

    def largest_source_mix_gap(self, name: str) -> float | None:
        """The largest gap (0-1) between ``name``'s source shares and the reference's."""
        row = next((r for r in self.systems if r.name == name), None)
        if row is None or self.common_fields is None:
            return None
        reference = self.common_fields.source_shares
        return max(abs(row.source_shares[s].mean - reference[s].mean) for s in reference)


# The label-dropout check's bound on the change in the unlabelled source's share (0-1).
DROPOUT_LIMIT: Final = 0.05


@dataclass(frozen=True, slots=True)
class LabelDropout:
    """One system's share of an unlabelled-made source, with and without that source's labels."""

    system: str
    task: str  # "half playlist" or "5 seeds"
    source: str  # the source whose genre labels were hidden
    seed_lists: int
    with_labels: float  # mean share of each list (0-1)
    without_labels: float

    @property
    def gap(self) -> float:
        """How far the share moves when the labels go (0-1)."""
        return abs(self.with_labels - self.without_labels)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The issue's targets, checked on this result (None where the rows were not run)."""

    checked: bool
    artists_per_10: float | None = None
    recall: float | None = field(default=None, metadata=_key("recall@50"))
    beats_both_originals: bool | None = None
    blocks_below_8_artists: int | None = None
    largest_source_mix_gap: float | None = None
    discover_seed_artist_tracks: int | None = None
    # Each preset beats "most popular" 3x on its recall and the defaults on its own aim.
    presets_earn_their_names: bool | None = None
    five_seed_source_mix_gap: float | None = None
    # The largest change in Kaggle's share when its labels are hidden (both tasks, shipped).
    label_dropout_gap: float | None = None


@dataclass(frozen=True, slots=True)
class ProtocolSummary:
    """What one evaluation run rests on: catalog, playlists, seeds, random state."""

    random_state: int
    quick: bool
    k: int
    catalog_tracks: int
    catalog_fingerprint: str
    playlists: int
    held_out_playlists: int
    min_playlist_tracks: int
    mean_seeds: float
    mean_hidden: float
    new_artist_playlists: int
    tidytuesday_candidates: int
    genre_seeds: int
    genre_candidates: int
    source_seeds: int
    tradeoff_playlists: int
    catalog_shares: dict[str, float]
    bootstrap: str
    leakage: str


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The whole evaluation: protocol, one row per system, differences, source mix, verdict."""

    protocol: ProtocolSummary
    systems: tuple[SystemRow, ...]
    comparisons: tuple[Comparison, ...]
    source_mix: tuple[SourceMix, ...]
    tradeoff: tuple[TradeoffPoint, ...]
    verdict: Verdict
    five_seeds: FiveSeedTask | None = None
    label_dropout: tuple[LabelDropout, ...] = ()

    def row(self, name: str) -> SystemRow:
        """The row of the system called ``name``; KeyError naming it when absent."""
        for row in self.systems:
            if row.name == name:
                return row
        msg = f"no system named {name!r} in the evaluation result"
        raise KeyError(msg)


@dataclass(frozen=True, slots=True)
class HalfFigures:
    """Mean recall@50 and distinct artists per 10 on one half of the playlists."""

    recall: float = field(metadata=_key("recall@50"))
    distinct_artists_per_10: float


@dataclass(frozen=True, slots=True)
class TuningRow:
    """One system scored on both halves, with all candidates and TidyTuesday ones only."""

    name: str
    tuning_half_all: HalfFigures
    held_out_half_all: HalfFigures
    tuning_half_tidytuesday_only: HalfFigures
    held_out_half_tidytuesday_only: HalfFigures

    def halves(self, pool: CandidatePool) -> tuple[HalfFigures, HalfFigures]:
        """(tuning half, held-out half) figures with the candidates of ``pool``."""
        if pool == "all":
            return self.tuning_half_all, self.held_out_half_all
        return self.tuning_half_tidytuesday_only, self.held_out_half_tidytuesday_only


@dataclass(frozen=True, slots=True)
class TuningResult:
    """The weight search on the tuning half and how its winner fares on both halves."""

    random_state: int
    budget_seconds: float
    trials: int
    search_playlists: int
    tuning_playlists: int
    held_out_playlists: int
    best_weights: dict[str, float]
    best_weights_text: str
    rows: tuple[TuningRow, ...]
    comparisons: tuple[Comparison, ...]


def to_json(value: object) -> object:
    """Plain JSON values (dicts, lists, numbers, strings) for a result or any part of it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            item.metadata.get("json", item.name): to_json(getattr(value, item.name))
            for item in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    return value


def from_json(kind: type[_Result], data: object, *, where: str = "result") -> _Result:
    """Rebuild a result of type ``kind`` from :func:`to_json`'s output.

    Raises:
        ValueError: naming the path (``result.systems[2].beyond.coverage``) of the first field
            that is missing or has the wrong type.
    """
    return typing.cast(_Result, _decode(kind, data, where))


def _fail(where: str, expected: str, data: object) -> ValueError:
    return ValueError(f"{where}: expected {expected}, got {type(data).__name__} {data!r:.60}")


def _decode(kind: Any, data: object, where: str) -> object:
    if dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, data, where)
    origin, args = get_origin(kind), get_args(kind)
    if origin is Literal:
        if data not in args:
            raise _fail(where, f"one of {args}", data)
        return data
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in args:
            return None
        return _decode(next(a for a in args if a is not type(None)), data, where)
    if origin is tuple:
        if not isinstance(data, list) or (args[-1] is not Ellipsis and len(data) != len(args)):
            raise _fail(where, f"a list for {kind}", data)
        item_kinds = [args[0]] * len(data) if args[-1] is Ellipsis else list(args)
        return tuple(
            _decode(k, item, f"{where}[{i}]")
            for i, (k, item) in enumerate(zip(item_kinds, data, strict=True))
        )
    if origin is dict:
        if not isinstance(data, dict):
            raise _fail(where, "an object", data)
        return {str(k): _decode(args[1], v, f"{where}.{k}") for k, v in data.items()}
    return _decode_scalar(kind, data, where)


def _decode_scalar(kind: Any, data: object, where: str) -> object:
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise _fail(where, "a number", data)
        return float(data) if not (isinstance(data, float) and math.isnan(data)) else math.nan
    if kind is int or kind is bool or kind is str:
        # bool is an int subclass: an int field must not accept True.
        if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
            raise _fail(where, kind.__name__, data)
        return data
    msg = f"{where}: no JSON reader for {kind!r}"
    raise TypeError(msg)


def _decode_dataclass(kind: Any, data: object, where: str) -> object:
    if not isinstance(data, dict):
        raise _fail(where, f"an object for {kind.__name__}", data)
    hints = get_type_hints(kind)
    values: dict[str, object] = {}
    for item in dataclasses.fields(kind):
        key = item.metadata.get("json", item.name)
        if key in data:
            values[item.name] = _decode(hints[item.name], data[key], f"{where}.{key}")
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            msg = f"{where}: missing field {key!r}"
            raise ValueError(msg)
    return kind(**values)
