"""Text and Markdown views of evaluation and tuning results, and reading the recorded one.

The Model page imports only this module: it reads ``docs/evaluation.json`` with
:func:`parse_evaluation` and shows :func:`format_summary`, :func:`format_table` and
:func:`format_comparisons`. Nothing here runs an evaluation.
"""

from __future__ import annotations

import json
from typing import Final, get_args

from recommender.evaluation.aims import POPULAR_FACTOR, preset_scores
from recommender.evaluation.results import (
    DROPOUT_LIMIT,
    CandidatePool,
    EvaluationResult,
    SystemRow,
    TuningResult,
    from_json,
    to_json,
)
from recommender.evaluation.task_report import (
    five_seed_cells,
    five_seed_section,
    interval_text,
    label_dropout_cells,
    label_dropout_section,
    markdown_table,
)

_COLUMNS: Final = (
    ("R@50 [95% CI]", 22),
    ("P@10", 6),
    ("NDCG@50", 7),
    ("R-prec", 6),
    ("TT-only R@50 [95% CI]", 22),
    ("new-artist R@50", 15),
    ("genre@10", 8),
    ("artists/10", 10),
    ("TT-only artists/10", 18),
    ("ILD", 5),
    ("cover", 6),
    ("pop.bias", 8),
    ("blocks <8", 9),
    ("seed-artist tracks", 18),
)

# What every column means, in plain words (the Model page and docs/evaluation.md show this).
COLUMN_LEGEND: Final = {
    "R@50 [95% CI]": (
        "recall@50: of a held-out playlist's hidden half, the share found in the 50 "
        "recommendations for its other half; mean over the held-out playlists, with its 95% "
        "bootstrap interval"
    ),
    "P@10": "precision@10: the share of the first 10 recommendations that are hidden tracks",
    "NDCG@50": "like recall@50, but a hit counts more the higher it is ranked (1 = all first)",
    "R-prec": (
        "R-precision: with R hidden tracks, the share of the first R recommendations that "
        "are hidden tracks"
    ),
    "TT-only R@50 [95% CI]": (
        "recall@50 when only TidyTuesday tracks may be recommended (the hidden tracks all "
        "are): no system can win by picking tracks from the playlists' own dataset"
    ),
    "new-artist R@50": (
        "recall@50 of only the hidden tracks whose artists are not among the seeds' artists: "
        "what a listener who wants discovery gets"
    ),
    "genre@10": (
        "for 300 single Kaggle tracks: the share of the first 10 recommendations that share "
        "one of its Kaggle genres (every engine system answers with its genre weight at 0)"
    ),
    "artists/10": "distinct primary artists among the first 10 recommendations (10: all differ)",
    "TT-only artists/10": "the same with TidyTuesday-only candidates",
    "ILD": (
        "intra-list diversity: mean distance between two of the 50 on the nine radar features "
        "(z-scores); higher = more varied sound"
    ),
    "cover": "coverage: the share of the catalog that appears in at least one list",
    "pop.bias": "mean popularity (0-100) of the recommendations minus that of the seeds",
    "blocks <8": (
        "blocks of 10 (1-10, 11-20, ...) with fewer than 8 distinct primary artists, over "
        "every list of both playlist tasks"
    ),
    "seed-artist tracks": (
        "recommended tracks sharing an artist with their own seeds, over every list of both "
        "playlist tasks (Discover must have 0)"
    ),
}


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
    beyond = row.beyond
    return [
        interval_text(row.held_out.recall),
        f"{row.held_out.precision.mean:.3f}",
        f"{row.held_out.ndcg.mean:.3f}",
        f"{row.held_out.r_precision.mean:.3f}",
        interval_text(row.held_out_tidytuesday_only.recall),
        f"{row.new_artists.mean:.3f}",
        f"{row.genre_agreement.mean:.3f}",
        f"{beyond.distinct_artists_per_10:.1f}",
        f"{row.tidytuesday_only_artists_per_10:.2f}",
        f"{beyond.intra_list_diversity:.2f}",
        f"{beyond.coverage:.3f}",
        f"{beyond.popularity_bias:+.1f}",
        f"{row.checks.blocks_below_8_artists}/{row.checks.blocks}",
        f"{row.checks.seed_artist_tracks}",
    ]


def system_configs(result: EvaluationResult) -> list[tuple[str, str]]:
    """Each row's name and exactly what it scored: every non-zero weight and the options."""
    described = []
    for row in result.systems:
        config = row.config
        if config.weights is None:
            described.append((row.name, "no weights (a baseline that does not use the engine)"))
            continue
        parts = [f"weights: {config.weights}"]
        if config.per_seed is not None:
            parts.append(f"{config.per_seed} per seed")
        if config.genres is not None:
            parts.append(f"genre features: {config.genres}")
        parts.append(
            f"at least {config.artists_per_block} artists per 10"
            if config.artists_per_block
            else "no artist rule"
        )
        if config.seed_artists_per_block is not None and not config.discover:
            parts.append(f"at most {config.seed_artists_per_block} of 20 by the seeds' artists")
        if config.one_recording:
            parts.append("one recording once")
        if config.discover:
            parts.append("discover on (no track by a seed's artist)")
        described.append((row.name, "; ".join(parts)))
    return described


def source_mix_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """The source-mix table: per seed source and weights, each source's share (percent)."""
    sources = list(result.protocol.catalog_shares)
    header = ["seeds from", "weights", "lists", *(f"% {s}" for s in sources)]
    rows = [
        [
            "(the catalog)",
            "",
            "",
            *(f"{100 * result.protocol.catalog_shares[s]:.1f}" for s in sources),
        ]
    ]
    rows += [
        [
            mix.seed_source,
            mix.weights,
            str(mix.seed_lists),
            *(f"{100 * mix.shares[s]:.1f}" for s in sources),
        ]
        for mix in result.source_mix
    ]
    return header, rows


def tradeoff_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """The artist rule's trade-off: recall@50 against distinct artists per 10."""
    header = ["artists per 10 (rule)", "recall@50", "P@10", "NDCG@50", "distinct artists per 10"]
    rows = [
        [
            str(point.artists_per_block) if point.artists_per_block else "off",
            f"{point.recall:.4f}",
            f"{point.precision:.4f}",
            f"{point.ndcg:.4f}",
            f"{point.distinct_artists_per_10:.2f}",
        ]
        for point in result.tradeoff
    ]
    return header, rows


def preset_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """Each preset on its own aim beside the defaults', and its recall against "most popular"."""
    header = [
        "preset",
        "its aim (held-out half)",
        "preset",
        "shipped defaults",
        "better",
        "recall@50 (Discover: new-artist)",
        "x most popular",
    ]
    rows = []
    for score in preset_scores({row.name: row for row in result.systems}):
        direction = "lower" if score.aim.lower_is_better else "higher"
        rows.append(
            [
                score.preset,
                f"{score.aim.label} ({direction} is better)",
                f"{score.value:.3f}",
                f"{score.defaults_value:.3f}",
                "yes" if score.beats_defaults else "no",
                f"{score.recall:.4f}",
                f"{score.popular_ratio:.1f}x",
            ]
        )
    return header, rows


def format_verdict(result: EvaluationResult) -> list[str]:
    """The issue's targets against this result, one line each."""
    v = result.verdict
    if not v.checked:
        return ["targets: not checked (the shipped defaults were not run)"]
    lines = [
        f"shipped defaults, held-out, TT-only: {v.artists_per_10:.2f} artists per 10 "
        f"(target >= 8.0), recall@50 {v.recall:.4f} (target >= 0.14), "
        f"above both original designs: {'yes' if v.beats_both_originals else 'no'}",
        f"blocks of 10 under 8 artists (shipped defaults): {v.blocks_below_8_artists}",
    ]
    if v.largest_source_mix_gap is not None:
        lines.append(
            f"largest source-mix gap to common fields only: "
            f"{100 * v.largest_source_mix_gap:.1f} points (target <= 10)"
        )
    if v.five_seed_source_mix_gap is not None:
        lines.append(
            "5-seed task, largest source-mix gap to common fields only: "
            f"{100 * v.five_seed_source_mix_gap:.1f} points (target <= 10)"
        )
    if v.label_dropout_gap is not None:
        lines.append(
            "label dropout (Kaggle's genres hidden), largest change in Kaggle's share: "
            f"{100 * v.label_dropout_gap:.1f} points (target <= {100 * DROPOUT_LIMIT:.0f})"
        )
    if v.discover_seed_artist_tracks is not None:
        lines.append(f"tracks by a seed's artist with Discover: {v.discover_seed_artist_tracks}")
    if v.presets_earn_their_names is not None:
        lines.append(
            "every preset better than the defaults on its own aim and at least "
            f"{POPULAR_FACTOR:g}x most popular's recall: "
            + ("yes" if v.presets_earn_their_names else "no")
        )
    return lines


def table_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """The systems table as (header, rows of formatted cells), for any renderer."""
    header = ["system", *(title for title, _ in _COLUMNS)]
    return header, [[row.name, *_cells(row)] for row in result.systems]


def format_table(result: EvaluationResult, *, markdown: bool = False) -> str:
    """The systems as a text table (or a Markdown table, as in ``docs/evaluation.md``)."""
    names = [row.name for row in result.systems]
    width = max([len("system"), *map(len, names)])
    header, body = table_cells(result)
    if markdown:
        return markdown_table(header, body)
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
    ]
    lines.append(f"leakage guard: {result.protocol.leakage}")
    return lines


def format_report(result: EvaluationResult, *, markdown: bool = False) -> str:
    """Summary, table, what each row scored, comparisons, source mix, trade-off, targets."""
    lines = [format_summary(result), "", format_table(result, markdown=markdown), ""]
    lines += [f"- {name}: {text}" for name, text in system_configs(result)]
    lines += ["", *format_comparisons(result), ""]
    mix_header, mix_rows = source_mix_cells(result)
    trade_header, trade_rows = tradeoff_cells(result)
    preset_header, preset_rows = preset_cells(result)
    five_header, five_rows = five_seed_cells(result)
    for header, rows in (
        (mix_header, mix_rows),
        (trade_header, trade_rows),
        (preset_header, preset_rows),
        (five_header, five_rows),
        label_dropout_cells(result),
    ):
        if not rows:
            continue
        if markdown:
            lines += [markdown_table(header, rows), ""]
        else:
            lines += ["  ".join(header), *("  ".join(r) for r in rows), ""]
    lines += format_verdict(result)
    return "\n".join(lines)


PRESETS_CAPTION: Final = (
    "Each preset aims elsewhere than playlist continuation and is scored on its own aim, "
    "beside the shipped defaults' figure for it. Sound alike: the mean distance of each "
    "recommendation to its nearest seed over the nine radar features (z-scores, root mean "
    "square per feature). Same mood: the mean absolute gap of valence and energy from the "
    "seeds' mean (0-1). Discover new artists: new-artist recall@50. Each must still find "
    f"real playlist tracks: at least {POPULAR_FACTOR:g}x most popular's recall@50 "
    "(Discover: its new-artist recall@50, since it never returns a seed's artist)."
)
PAGE_COMMAND: Final = (
    "python -m recommender evaluate --from-json docs/evaluation.json --page docs/evaluation.md"
)


def format_page(result: EvaluationResult) -> str:
    """``docs/evaluation.md``: every table and figure of the result, as one Markdown page.

    The page is generated, never edited by hand, so its numbers are the JSON's;
    ``tests/test_docs.py`` fails when the committed page and ``docs/evaluation.json`` differ.
    """
    header, body = table_cells(result)
    mix_header, mix_rows = source_mix_cells(result)
    trade_header, trade_rows = tradeoff_cells(result)
    lines = [
        "# Evaluation: the recorded result",
        "",
        "<!-- Generated from docs/evaluation.json; do not edit. Regenerate with:",
        f"     {PAGE_COMMAND} -->",
        "",
        "How these numbers are made, and what they do and do not measure: "
        "[evaluation-method.md](evaluation-method.md).",
        "",
        f"Recorded run: {format_summary(result)}.",
        "",
        "## Systems",
        "",
        markdown_table(header, body),
        "",
        "What every column means:",
        "",
        *(f"- **{name}**: {text}" for name, text in COLUMN_LEGEND.items()),
        "",
        "What each row scored:",
        "",
        *(f"- **{name}**: {text}" for name, text in system_configs(result)),
        "",
        "## Paired differences (held-out playlists)",
        "",
        *(f"- {line}" for line in format_comparisons(result)),
        "",
        "## Which dataset the recommendations come from (percent)",
        "",
        markdown_table(mix_header, mix_rows),
        "",
        "## Artist variety against recall (tuning half)",
        "",
        markdown_table(trade_header, trade_rows),
        "",
        "## Presets on their own aims",
        "",
        PRESETS_CAPTION,
        "",
        markdown_table(*preset_cells(result)),
        "",
        *five_seed_section(result),
        *label_dropout_section(result),
        "## Targets",
        "",
        *(f"- {line}" for line in format_verdict(result)),
    ]
    return "\n".join(lines) + "\n"


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
