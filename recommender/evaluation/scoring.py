"""Scoring: run every system on the same playlists and genre seeds, aggregate the figures.

:func:`evaluate_systems` is the ``evaluate`` command's core: it returns a typed
:class:`~recommender.evaluation.results.EvaluationResult` (aggregate numbers only);
``evaluation.report`` formats it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np

from recommender.domain import Catalog
from recommender.evaluation import metrics
from recommender.evaluation.protocol import (
    DEFAULT_RANDOM_STATE,
    FIRST_PAGE,
    LIST_LENGTH,
    MIN_PLAYLIST_TRACKS,
    EvaluationInputs,
    PlaylistCase,
    TrackTable,
    prepare,
)
from recommender.evaluation.results import (
    BeyondAccuracy,
    Comparison,
    EvaluationResult,
    ProtocolSummary,
    RankingFigures,
    SystemRow,
    Verdict,
)
from recommender.evaluation.systems import (
    ORIGINAL,
    ORIGINAL_PLAIN,
    OURS,
    Contender,
    System,
    run_system,
)

MIN_DISTINCT_ARTISTS: Final = 6.0
RECALL: Final = f"recall@{LIST_LENGTH}"
PRECISION: Final = f"precision@{FIRST_PAGE}"
NDCG: Final = f"ndcg@{LIST_LENGTH}"
R_PRECISION: Final = "r_precision"
HELD_OUT_HALF: Final = "held-out half"


def playlist_scores(
    cases: Sequence[PlaylistCase], lists: Sequence[Sequence[str]], *, k: int = LIST_LENGTH
) -> dict[str, np.ndarray]:
    """Per-playlist recall@k, precision@10, NDCG@k and R-precision, in case order."""
    pairs = list(zip(cases, lists, strict=True))
    return {
        f"recall@{k}": np.array([metrics.recall_at_k(r, c.hidden, k) for c, r in pairs]),
        PRECISION: np.array([metrics.precision_at_k(r, c.hidden, FIRST_PAGE) for c, r in pairs]),
        f"ndcg@{k}": np.array([metrics.ndcg_at_k(r, c.hidden, k) for c, r in pairs]),
        R_PRECISION: np.array([metrics.r_precision(r, c.hidden) for c, r in pairs]),
    }


def distinct_artists(lists: Sequence[Sequence[str]], table: TrackTable) -> float:
    """Mean number of distinct primary artists among the first 10 of each list."""
    return float(
        np.mean(
            [
                metrics.distinct_per([table.artist[i] for i in table.rows(r)], n=FIRST_PAGE)
                for r in lists
            ]
        )
    )


def beyond_accuracy(
    seed_lists: Sequence[Sequence[str]],
    lists: Sequence[Sequence[str]],
    table: TrackTable,
    *,
    k: int = LIST_LENGTH,
) -> BeyondAccuracy:
    """Distinct artists per 10, intra-list diversity, coverage, popularity bias, short lists."""
    diversity, bias = [], []
    for seeds, ranked in zip(seed_lists, lists, strict=True):
        rows = table.rows(ranked)
        diversity.append(metrics.intra_list_diversity(table.profile[rows]))
        bias.append(
            metrics.popularity_bias(table.popularity_of(ranked), table.popularity_of(seeds))
        )
    known_bias = [value for value in bias if not math.isnan(value)]
    return BeyondAccuracy(
        distinct_artists_per_10=distinct_artists(lists, table),
        intra_list_diversity=float(np.mean(diversity)),
        coverage=metrics.coverage(lists, catalog_size=len(table.ids)),
        popularity_bias=float(np.mean(known_bias)) if known_bias else math.nan,
        short_lists=sum(1 for ranked in lists if len(ranked) < k),
    )


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
    """Refuse systems that use the ``genre`` weight.

    The playlist task's ``genres`` hold the TidyTuesday playlist genre (the label of the very
    playlist being continued), and the genre task is scored on genres: neither may use it.

    Raises:
        ValueError: naming the system that does.
    """
    for contender in contenders:
        weights: Mapping[str, float] = getattr(contender.system, "weights", None) or {}
        if weights.get("genre", 0.0) != 0.0:
            msg = (
                f"system {contender.system.name!r} uses genre weight {weights['genre']}: genre "
                "labels are what the evaluation scores (leakage); set it to 0"
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
    system = contender.system
    seeds = [case.seeds for case in inputs.cases]
    lists = run_system(system, seeds, k=LIST_LENGTH, skip=frozenset())
    scores = playlist_scores(inputs.cases, lists)
    # Held-out half only: every skipped id costs the engine a lookup per query (47k here).
    held_out_cases = [inputs.cases[i] for i in inputs.held_out_rows]
    tidytuesday_lists = run_system(
        system, [c.seeds for c in held_out_cases], k=LIST_LENGTH, skip=inputs.tidytuesday_skip
    )
    tidytuesday_scores = playlist_scores(held_out_cases, tidytuesday_lists)
    held_out_scores = {name: values[inputs.held_out_rows] for name, values in scores.items()}
    shares = genre_agreement(
        contender.genre_system or system, inputs.genre_rows, inputs.table, skip=inputs.genre_skip
    )
    bootstrap = {"random_state": random_state, "resamples": resamples}
    row = SystemRow(
        name=system.name,
        kind=contender.kind,
        config=contender.config,
        playlists=_ranking_figures(scores, **bootstrap),
        held_out_tidytuesday_only=_ranking_figures(tidytuesday_scores, **bootstrap),
        held_out=_ranking_figures(held_out_scores, **bootstrap),
        genre_agreement=metrics.bootstrap_interval(shares, **bootstrap),
        beyond=beyond_accuracy(seeds, lists, inputs.table),
    )
    return row, scores


def _comparisons(
    contenders: Sequence[Contender],
    per_case: Mapping[str, Mapping[str, np.ndarray]],
    inputs: EvaluationInputs,
    *,
    random_state: int,
    resamples: int,
) -> list[Comparison]:
    """Paired-bootstrap recall@50 differences of each of our systems against both originals."""
    subsets = {HELD_OUT_HALF: inputs.held_out_rows, "all playlists": list(range(len(inputs.cases)))}
    found = []
    for baseline in (ORIGINAL, ORIGINAL_PLAIN):
        if baseline not in per_case:
            continue
        for contender in (c for c in contenders if c.kind == "ours"):
            for subset, index in subsets.items():
                if not index:
                    continue
                name = contender.system.name
                diff = metrics.paired_bootstrap_difference(
                    per_case[name][RECALL][index],
                    per_case[baseline][RECALL][index],
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


def _verdict(rows: Sequence[SystemRow], comparisons: Sequence[Comparison]) -> Verdict:
    ours = next((row for row in rows if row.name == OURS), None)
    gain = next(
        (
            c
            for c in comparisons
            if c.system == OURS and c.baseline == ORIGINAL and c.subset == HELD_OUT_HALF
        ),
        None,
    )
    if ours is None or gain is None:
        return Verdict(checked=False)
    artists = ours.beyond.distinct_artists_per_10
    return Verdict(
        checked=True,
        defaults_beat_original_on_held_out=gain.low > 0,
        recall_gain=gain.mean,
        recall_gain_interval=(gain.low, gain.high),
        distinct_artists_per_10=artists,
        enough_artists=artists >= MIN_DISTINCT_ARTISTS,
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
    comparisons = _comparisons(
        contenders, per_case, inputs, random_state=random_state, resamples=resamples
    )
    return EvaluationResult(
        protocol=_protocol(catalog, inputs, random_state=random_state, quick=quick),
        systems=tuple(rows),
        comparisons=tuple(comparisons),
        verdict=_verdict(rows, comparisons),
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
        playlists=len(inputs.cases),
        held_out_playlists=len(inputs.held_out_rows),
        min_playlist_tracks=MIN_PLAYLIST_TRACKS,
        mean_seeds=float(np.mean([len(c.seeds) for c in inputs.cases])),
        mean_hidden=float(np.mean([len(c.hidden) for c in inputs.cases])),
        tidytuesday_candidates=len(table.ids) - len(inputs.tidytuesday_skip),
        genre_seeds=len(inputs.genre_rows),
        genre_candidates=len(table.ids) - len(inputs.genre_skip),
        bootstrap="percentile, 95%, playlists (or genre seeds) resampled with replacement",
        leakage=(
            "genre weight 0 in every task: the catalog's genres hold the TidyTuesday playlist "
            "genre (the label of the playlist being continued) and the genre task scores genres"
        ),
    )
