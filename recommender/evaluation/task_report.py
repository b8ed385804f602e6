"""The per-task sections of the evaluation page: the 5-seed task and the label-dropout check."""

from __future__ import annotations

from recommender.evaluation.metrics import Interval
from recommender.evaluation.results import DROPOUT_LIMIT, EvaluationResult


def interval_text(value: Interval) -> str:
    """``mean [low, high]`` to three decimals."""
    return f"{value.mean:.3f} [{value.low:.3f}, {value.high:.3f}]"


def percent_text(value: Interval) -> str:
    """An interval of shares (0-1) as percentages to one decimal."""
    return f"{100 * value.mean:.1f} [{100 * value.low:.1f}, {100 * value.high:.1f}]"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of formatted cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def five_seed_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """The 5-seed task: each system's recall, discovery, seed-artist share and source mix."""
    task = result.five_seeds
    if task is None:
        return [], []
    sources = list(result.protocol.catalog_shares)
    header = [
        "system",
        "R@50 [95% CI]",
        "TT-only R@50 [95% CI]",
        "new-artist R@50 [95% CI]",
        "% by a seed's artist",
        *(f"% {s}" for s in sources),
    ]
    named = [(row.name, row) for row in task.systems]
    if task.common_fields is not None:
        named.append((f"{task.common_fields.name}, common fields only", task.common_fields))
    rows = [
        [
            name,
            interval_text(row.recall),
            interval_text(row.tidytuesday_only_recall),
            interval_text(row.new_artists),
            percent_text(row.seed_artist_share),
            *(percent_text(row.source_shares[s]) for s in sources),
        ]
        for name, row in named
    ]
    return header, rows


def five_seed_section(result: EvaluationResult) -> list[str]:
    """The page's 5-seed section (no lines when the task was not run)."""
    task = result.five_seeds
    if task is None:
        return []
    return [
        "## The 5-seed task (held-out half)",
        "",
        f"{task.seeds} seeds drawn at random from each of {task.playlists} held-out playlists, "
        f"the rest hidden ({task.new_artist_playlists} have hidden tracks by none of the seeds' "
        "artists, which new-artist recall@50 is read on). Percentages are the mean share of a "
        "list of 50; brackets are 95% bootstrap intervals over the playlists. The last row is "
        "the shipped defaults with every field only some sources have at 0: the source mix's "
        "reference.",
        "",
        markdown_table(*five_seed_cells(result)),
        "",
    ]


def label_dropout_cells(result: EvaluationResult) -> tuple[list[str], list[list[str]]]:
    """Each checked system's share of the unlabelled-made source, with and without labels."""
    if not result.label_dropout:
        return [], []
    header = ["system", "task", "seed lists", "% with labels", "% without", "gap (points)"]
    rows = [
        [
            d.system,
            d.task,
            str(d.seed_lists),
            f"{100 * d.with_labels:.1f}",
            f"{100 * d.without_labels:.1f}",
            f"{100 * d.gap:.1f}" + (" (over the bound)" if d.gap > DROPOUT_LIMIT else ""),
        ]
        for d in result.label_dropout
    ]
    return header, rows


def label_dropout_section(result: EvaluationResult) -> list[str]:
    """The page's label-dropout section (no lines when the check was not run)."""
    if not result.label_dropout:
        return []
    source = result.label_dropout[0].source
    return [
        "## Label dropout: does a genre label pull toward its source? (held-out half)",
        "",
        f"Each system retrained with {source}'s genre labels hidden (as if {source} were an "
        "unlabelled source) and asked again for the same TidyTuesday seeds: "
        f"{source}'s mean share of a list of 50 with and without the labels. The labels "
        "left on the leak-free catalog are Kaggle's, so without them no track has an "
        f"observed genre. Bound: {100 * DROPOUT_LIMIT:.0f} points.",
        "",
        markdown_table(*label_dropout_cells(result)),
        "",
    ]
