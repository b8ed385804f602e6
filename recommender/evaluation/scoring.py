"""Scoring: run every system on the same playlists and genre seeds, aggregate the figures.

:func:`evaluate_systems` is the ``evaluate`` command's core: it returns a typed
:class:`~recommender.evaluation.results.EvaluationResult` (aggregate numbers only);
``evaluation.report`` formats it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np

from recommender.domain import Catalog
from recommender.evaluation import metrics
from recommender.evaluation.aim_measures import mood_gap, sound_distance
from recommender.evaluation.aims import preset_scores
from recommender.evaluation.five_seeds import five_seed_task
from recommender.evaluation.label_dropout import label_dropout_check
from recommender.evaluation.list_figures import (
    NDCG,
    PRECISION,
    R_PRECISION,
    RECALL,
    beyond_accuracy,
    catalog_shares,
    distinct_artists,
    list_checks,
    new_artist_recall,
    playlist_scores,
    source_mix,
)
from recommender.evaluation.protocol import (
    DEFAULT_RANDOM_STATE,
    FIRST_PAGE,
    LIST_LENGTH,
    MIN_PLAYLIST_TRACKS,
    TIDYTUESDAY,
    EvaluationInputs,
    TrackTable,
    prepare,
)
from recommender.evaluation.results import (
    Comparison,
    EvaluationResult,
    ProtocolSummary,
    RankingFigures,
    SourceMix,
    SystemRow,
    TradeoffPoint,
    Verdict,
)
from recommender.evaluation.systems import (
    FILLED,
    ORIGINAL,
    ORIGINAL_PLAIN,
    OURS,
    Contender,
    EngineSystem,
    System,
    run_system,
)

MIN_DISTINCT_ARTISTS: Final = 8.0
# Weights 0 on every field that only some sources have: the source-mix table's reference.
SOURCE_SPECIFIC: Final = ("time_signature", "popularity", "year", "genre")
TRADEOFF_RULES: Final = (0, 6, 7, 8, 9)
HELD_OUT_HALF: Final = "held-out half"


def genre_agreement(
    system: System, seed_rows: Sequence[int], table: TrackTable, *, skip: frozenset[str]
) -> np.ndarray:
    """Per single-track seed: the share of its top 10 that share one of its genres."""
    seeds = [(str(table.ids[i]),) for i in seed_rows]
    lists = run_system(system, seeds, k=FIRST_PAGE, skip=skip)
    shares = []
    for row, ranked in zip(seed_rows, lists, strict=True):
        labels = table.genres[row]
        shares.append(sum(1 for i in table.rows(ranked) if table.genres[i] & labels) / FIRST_PAGE)
    return np.array(shares)


def check_no_label_leak(contenders: Sequence[Contender]) -> None:
    """Refuse a system whose genre features could carry the label being scored.

    The catalog's ``genres`` hold the TidyTuesday playlist genre (the label of the very
    playlist being continued): a playlist-task system may use the genre weight only over
    ``leak_free_genres`` (``EngineSystem.leak_free``). The genre task scores genres, so its
    system (``genre_system``, else the system itself) must have the genre weight at 0.

    Raises:
        ValueError: naming the system that does.
    """
    for contender in contenders:
        system = contender.system
        weights: Mapping[str, float] = getattr(system, "weights", None) or {}
        if weights.get("genre", 0.0) != 0.0 and not getattr(system, "leak_free", False):
            msg = (
                f"system {system.name!r} uses genre weight {weights['genre']} over genres that "
                "hold the playlists' own labels (leakage); use leak_free_genres or set it to 0"
            )
            raise ValueError(msg)
        genre_system = contender.genre_system or system
        genre_weights: Mapping[str, float] = getattr(genre_system, "weights", None) or {}
        if genre_weights.get("genre", 0.0) != 0.0:
            msg = (
                f"system {system.name!r} answers the genre task with genre weight "
                f"{genre_weights['genre']}: genre labels are what that task scores; set it to 0"
            )
            raise ValueError(msg)


def _ranking_figures(
    scores: Mapping[str, np.ndarray], *, random_state: int, resamples: int
) -> RankingFigures:
    def interval(name: str) -> metrics.Interval:
        return metrics.bootstrap_interval(
            scores[name], random_state=random_state, resamples=resamples
        )

    return RankingFigures(
        recall=interval(RECALL),
        precision=interval(PRECISION),
        ndcg=interval(NDCG),
        r_precision=interval(R_PRECISION),
    )


def _score_contender(
    contender: Contender, inputs: EvaluationInputs, *, random_state: int, resamples: int
) -> tuple[SystemRow, dict[str, np.ndarray]]:
    """One row; returns per-playlist recall@50 (``all``, ``tidytuesday_only``) for pairing."""
    system = contender.system
    seeds = [case.seeds for case in inputs.cases]
    lists = run_system(system, seeds, k=LIST_LENGTH, skip=frozenset())
    scores = playlist_scores(inputs.cases, lists)
    tidytuesday_lists = run_system(system, seeds, k=LIST_LENGTH, skip=inputs.tidytuesday_skip)
    tidytuesday_scores = playlist_scores(inputs.cases, tidytuesday_lists)
    shares = genre_agreement(
        contender.genre_system or system, inputs.genre_rows, inputs.table, skip=inputs.genre_skip
    )
    fresh = new_artist_recall(inputs.cases, lists, inputs.table)
    bootstrap = {"random_state": random_state, "resamples": resamples}
    row = SystemRow(
        name=system.name,
        kind=contender.kind,
        config=contender.config,
        held_out=_ranking_figures(scores, **bootstrap),
        held_out_tidytuesday_only=_ranking_figures(tidytuesday_scores, **bootstrap),
        new_artists=metrics.bootstrap_interval(fresh if fresh.size else [0.0], **bootstrap),
        genre_agreement=metrics.bootstrap_interval(shares, **bootstrap),
        mood_gap=metrics.bootstrap_interval(mood_gap(seeds, lists, inputs.table), **bootstrap),
        sound_distance=metrics.bootstrap_interval(
            sound_distance(seeds, lists, inputs.table), **bootstrap
        ),
        beyond=beyond_accuracy(seeds, lists, inputs.table),
        tidytuesday_only_artists_per_10=distinct_artists(tidytuesday_lists, inputs.table),
        checks=list_checks([*seeds, *seeds], [*lists, *tidytuesday_lists], inputs.table),
    )
    return row, {"all": scores[RECALL], "tidytuesday_only": tidytuesday_scores[RECALL]}


def _shipped(contenders: Sequence[Contender]) -> EngineSystem | None:
    return next(
        (
            c.system
            for c in contenders
            if c.system.name == OURS and isinstance(c.system, EngineSystem)
        ),
        None,
    )


def _engine_systems(contenders: Sequence[Contender]) -> list[EngineSystem]:
    return [c.system for c in contenders if isinstance(c.system, EngineSystem)]


def _common_fields(shipped: EngineSystem) -> EngineSystem:
    """The shipped system with every field only some sources have at weight 0."""
    return shipped.over_pool(
        shipped.catalog,
        shipped.model,
        weights={**shipped.weights, **dict.fromkeys(SOURCE_SPECIFIC, 0.0)},
    )


def _source_mix_rows(contenders: Sequence[Contender], inputs: EvaluationInputs) -> list[SourceMix]:
    shipped = _shipped(contenders)
    if shipped is None:
        return []
    common = _common_fields(shipped)
    table = inputs.table
    groups: dict[str, list[Sequence[str]]] = {
        TIDYTUESDAY: [case.seeds for case in inputs.cases],
        **{
            source: [(str(table.ids[row]),) for row in rows]
            for source, rows in inputs.source_seed_rows.items()
        },
    }
    return [
        SourceMix(
            seed_source=source,
            weights=label,
            seed_lists=len(seed_lists),
            shares=source_mix(system, seed_lists, table),
        )
        for source, seed_lists in groups.items()
        if seed_lists
        for label, system in (("shipped", shipped), ("common fields only", common))
    ]


def _tradeoff(contenders: Sequence[Contender], inputs: EvaluationInputs) -> list[TradeoffPoint]:
    """Recall@50 against distinct artists per 10 for each artist rule (0: off).

    Shipped weights, TidyTuesday-only candidates, a sample of the tuning half: the rule is
    chosen there, never on the held-out playlists.
    """
    shipped = _shipped(contenders)
    if shipped is None or not inputs.tradeoff_cases:
        return []
    points = []
    seeds = [case.seeds for case in inputs.tradeoff_cases]
    for rule in TRADEOFF_RULES:
        system = shipped.over_pool(shipped.catalog, shipped.model)
        system.artists_per_block = rule or None
        lists = run_system(system, seeds, k=LIST_LENGTH, skip=inputs.tidytuesday_skip)
        scores = playlist_scores(inputs.tradeoff_cases, lists)
        points.append(
            TradeoffPoint(
                artists_per_block=rule,
                recall=float(scores[RECALL].mean()),
                precision=float(scores[PRECISION].mean()),
                ndcg=float(scores[NDCG].mean()),
                distinct_artists_per_10=distinct_artists(lists, inputs.table),
            )
        )
    return points


def _comparisons(
    contenders: Sequence[Contender],
    per_case: Mapping[str, Mapping[str, np.ndarray]],
    *,
    random_state: int,
    resamples: int,
) -> list[Comparison]:
    """Paired-bootstrap recall@50 differences of each of our systems against both originals.

    On the held-out half, with all candidates and with TidyTuesday candidates only.
    """
    found = []
    for baseline in (ORIGINAL, ORIGINAL_PLAIN):
        if baseline not in per_case:
            continue
        for contender in (c for c in contenders if c.kind == "ours"):
            name = contender.system.name
            for pool, subset in (
                ("all", HELD_OUT_HALF),
                ("tidytuesday_only", f"{HELD_OUT_HALF}, TidyTuesday-only candidates"),
            ):
                diff = metrics.paired_bootstrap_difference(
                    per_case[name][pool],
                    per_case[baseline][pool],
                    random_state=random_state,
                    resamples=resamples,
                )
                found.append(
                    Comparison(
                        system=name,
                        baseline=baseline,
                        subset=subset,
                        metric=RECALL,
                        mean=diff.mean,
                        low=diff.low,
                        high=diff.high,
                        excludes_zero=diff.excludes_zero(),
                    )
                )
    return found


def _verdict(
    rows: Sequence[SystemRow], comparisons: Sequence[Comparison], mix: Sequence[SourceMix]
) -> Verdict:
    ours = next((row for row in rows if row.name == OURS), None)
    if ours is None:
        return Verdict(checked=False)
    against = [
        c
        for c in comparisons
        if c.system == OURS and c.subset.endswith("TidyTuesday-only candidates")
    ]
    gaps = []
    for source in {m.seed_source for m in mix}:
        pair = {m.weights: m.shares for m in mix if m.seed_source == source}
        if len(pair) == 2:
            shipped, common = pair["shipped"], pair["common fields only"]
            gaps += [abs(shipped[s] - common[s]) for s in shipped]
    discover = [row for row in rows if row.config.discover]
    presets = preset_scores({row.name: row for row in rows})
    return Verdict(
        checked=True,
        artists_per_10=ours.tidytuesday_only_artists_per_10,
        recall=ours.held_out_tidytuesday_only.recall.mean,
        beats_both_originals=len(against) == 2 and all(c.low > 0 for c in against),
        blocks_below_8_artists=ours.checks.blocks_below_8_artists,
        largest_source_mix_gap=max(gaps) if gaps else None,
        discover_seed_artist_tracks=(
            sum(row.checks.seed_artist_tracks for row in discover) if discover else None
        ),
        presets_earn_their_names=all(p.earned for p in presets) if presets else None,
    )


def evaluate_systems(
    catalog: Catalog,
    contenders: Sequence[Contender],
    *,
    random_state: int = DEFAULT_RANDOM_STATE,
    quick: bool = False,
    resamples: int = metrics.DEFAULT_RESAMPLES,
    table: TrackTable | None = None,
) -> EvaluationResult:
    """Score every system on the same playlists and genre seeds; aggregate numbers only.

    Args:
        catalog: the candidate pool with its TidyTuesday playlist membership.
        contenders: the systems, in table order.
        random_state: fixes the splits, the samples, the random baseline and the bootstrap.
        quick: a subset (30 playlists, 60 genre seeds) for tests and smoke runs.
        resamples: bootstrap resamples per interval.
        table: the catalog's ``TrackTable`` when the caller already built it.

    Raises:
        ValueError: when a system uses the genre weight or returns an invalid list, or when
            no playlist qualifies.
    """
    check_no_label_leak(contenders)
    inputs = prepare(catalog, random_state=random_state, quick=quick, table=table)
    if not inputs.cases:
        msg = (
            f"no playlist has {MIN_PLAYLIST_TRACKS} or more catalog tracks "
            f"({catalog.playlists.height} playlist rows): nothing to evaluate"
        )
        raise ValueError(msg)
    rows, per_case = [], {}
    for contender in contenders:
        row, scores = _score_contender(
            contender, inputs, random_state=random_state, resamples=resamples
        )
        rows.append(row)
        per_case[contender.system.name] = scores
    comparisons = _comparisons(contenders, per_case, random_state=random_state, resamples=resamples)
    mix = _source_mix_rows(contenders, inputs)
    shipped = _shipped(contenders)
    five = five_seed_task(
        contenders,
        inputs,
        common=_common_fields(shipped) if shipped is not None else None,
        random_state=random_state,
        resamples=resamples,
    )
    dropout = label_dropout_check(
        [s for s in _engine_systems(contenders) if s.name in (OURS, FILLED)],
        inputs,
        random_state=random_state,
    )
    verdict = _verdict(rows, comparisons, mix)
    if verdict.checked:
        verdict = dataclasses.replace(
            verdict,
            five_seed_source_mix_gap=five.largest_source_mix_gap(OURS) if five else None,
            label_dropout_gap=max((d.gap for d in dropout if d.system == OURS), default=None),
        )
    return EvaluationResult(
        protocol=_protocol(catalog, inputs, random_state=random_state, quick=quick),
        systems=tuple(rows),
        comparisons=tuple(comparisons),
        source_mix=tuple(mix),
        tradeoff=tuple(_tradeoff(contenders, inputs)),
        verdict=verdict,
        five_seeds=five,
        label_dropout=dropout,
    )


def _protocol(
    catalog: Catalog, inputs: EvaluationInputs, *, random_state: int, quick: bool
) -> ProtocolSummary:
    table = inputs.table
    return ProtocolSummary(
        random_state=random_state,
        quick=quick,
        k=LIST_LENGTH,
        catalog_tracks=len(table.ids),
        catalog_fingerprint=catalog.fingerprint,
        playlists=inputs.playlists,
        held_out_playlists=len(inputs.cases),
        min_playlist_tracks=MIN_PLAYLIST_TRACKS,
        mean_seeds=float(np.mean([len(c.seeds) for c in inputs.cases])),
        mean_hidden=float(np.mean([len(c.hidden) for c in inputs.cases])),
        new_artist_playlists=int(
            new_artist_recall(inputs.cases, [[] for _ in inputs.cases], table).size
        ),
        tidytuesday_candidates=len(table.ids) - len(inputs.tidytuesday_skip),
        genre_seeds=len(inputs.genre_rows),
        genre_candidates=len(table.ids) - len(inputs.genre_skip),
        source_seeds=sum(len(rows) for rows in inputs.source_seed_rows.values()),
        tradeoff_playlists=len(inputs.tradeoff_cases),
        catalog_shares=catalog_shares(table),
        bootstrap="percentile, 95%, playlists (or seeds) resampled with replacement",
        leakage=(
            "playlist tasks: genres without the TidyTuesday playlist labels of each track "
            "(leak_free_genres); genre task: genre weight 0 (it scores genres)"
        ),
    )
