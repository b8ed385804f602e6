"""Text and Markdown views of evaluation and tuning results, and reading the recorded one.

The Model page imports only this module: it reads ``docs/evaluation.json`` with
:func:`parse_evaluation` and shows :func:`format_summary`, :func:`format_table` and
:func:`format_comparisons`. Nothing here runs an evaluation.
"""

from __future__ import annotations

import json
from typing import Final, get_args

from recommender.evaluation.results import (
    CandidatePool,
    EvaluationResult,
    SystemRow,
    TuningResult,
    from_json,
    to_json,
)

_COLUMNS: Final = (
    ("recall@50 [95% CI]", 22),
    ("P@10", 6),
    ("NDCG@50", 7),
    ("R-prec", 6),
    ("held-out R@50", 13),
    ("held-out TT-only R@50", 21),
    ("genre@10", 8),
    ("artists/10", 10),
    ("ILD", 5),
    ("cover", 6),
    ("pop.bias", 8),
)


def parse_evaluation(text: str) -> EvaluationResult:
    """An evaluation result from its JSON text (``docs/evaluation.json``).

    Raises:
        ValueError: when the text is not JSON or a field is missing or of the wrong type
            (the message names the field).
    """
    return from_json(EvaluationResult, json.loads(text))


def evaluation_json(result: EvaluationResult | TuningResult) -> str:
    """The result as indented JSON text (what ``--json`` prints and ``--output`` writes)."""
    return json.dumps(to_json(result), indent=2)


def _cells(row: SystemRow) -> list[str]:
    recall = row.playlists.recall
    beyond = row.beyond
    return [
        f"{recall.mean:.3f} [{recall.low:.3f}, {recall.high:.3f}]",
        f"{row.playlists.precision.mean:.3f}",
        f"{row.playlists.ndcg.mean:.3f}",
        f"{row.playlists.r_precision.mean:.3f}",
        f"{row.held_out.recall.mean:.3f}",
        f"{row.held_out_tidytuesday_only.recall.mean:.3f}",
        f"{row.genre_agreement.mean:.3f}",
        f"{beyond.distinct_artists_per_10:.1f}",
        f"{beyond.intra_list_diversity:.2f}",
        f"{beyond.coverage:.3f}",
        f"{beyond.popularity_bias:+.1f}",
    ]


def table_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """The systems table as (header, rows of formatted cells), for any renderer."""
    header = ["system", *(title for title, _ in _COLUMNS)]
    return header, [[row.name, *_cells(row)] for row in result.systems]


def format_table(result: EvaluationResult, *, markdown: bool = False) -> str:
    """The systems as a text table (or a Markdown table for the README)."""
    names = [row.name for row in result.systems]
    width = max([len("system"), *map(len, names)])
    header, body = table_cells(result)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines)
    widths = [width, *(max(w, len(t)) for t, w in _COLUMNS)]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        )
        for cells in [header, *body]
    )


def format_summary(result: EvaluationResult) -> str:
    """One line: how many playlists and seeds the result rests on, and its random state."""
    protocol = result.protocol
    return (
        f"{protocol.playlists} playlists ({protocol.held_out_playlists} held out), "
        f"{protocol.mean_seeds:.1f} seeds and {protocol.mean_hidden:.1f} hidden on average; "
        f"{protocol.genre_seeds} genre seeds; random state {protocol.random_state}"
        + (" (quick subset)" if protocol.quick else "")
    )


def format_comparisons(result: EvaluationResult) -> list[str]:
    """The paired held-out differences, one line each, then the leakage guard."""
    lines = [
        f"{comp.system} - {comp.baseline}, {comp.metric} on the {comp.subset}: "
        f"{comp.mean:+.4f} [{comp.low:+.4f}, {comp.high:+.4f}]"
        + (" (excludes 0)" if comp.excludes_zero else " (includes 0)")
        for comp in result.comparisons
        if comp.subset == "held-out half"
    ]
    lines.append(f"leakage guard: {result.protocol.leakage}")
    return lines


def format_report(result: EvaluationResult) -> str:
    """The table plus the protocol summary, the comparisons and the verdict, for a terminal."""
    lines = [format_summary(result), "", format_table(result), "", *format_comparisons(result)]
    return "\n".join(lines)


def format_tuning(result: TuningResult) -> str:
    """The tuning result as text: both halves side by side, then the paired differences."""
    lines = [
        f"{result.trials} weight settings tried on {result.search_playlists} playlists "
        f"of the tuning half; best: {result.best_weights_text or 'the defaults'}",
        "",
        f"{'system':<16} {'candidates':<16} {'tuning R@50':>11} {'artists/10':>10}   "
        f"{'held-out R@50':>13} {'artists/10':>10}",
    ]
    for row in result.rows:
        for pool in get_args(CandidatePool):
            tuning_half, held_out_half = row.halves(pool)
            lines.append(
                f"{row.name:<16} {pool:<16} {tuning_half.recall:>11.4f} "
                f"{tuning_half.distinct_artists_per_10:>10.2f}   "
                f"{held_out_half.recall:>13.4f} {held_out_half.distinct_artists_per_10:>10.2f}"
            )
    lines.append("")
    for comp in result.comparisons:
        lines.append(
            f"{comp.system} - {comp.baseline}, recall@50 on the {comp.subset}: "
            f"{comp.mean:+.4f} [{comp.low:+.4f}, {comp.high:+.4f}]"
        )
    return "\n".join(lines)
