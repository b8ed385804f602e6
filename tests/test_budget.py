"""The memory budget of the selected sources and the staged start (``recommender.budget``)."""

from __future__ import annotations

import pytest

from recommender.budget import BASE_BYTES, BYTES_PER_TRACK, MEMORY_SHARE, plan_sources
from recommender.data.sources import SOURCES, pick_sources

GB = 1_000_000_000
SMALL = tuple(s.name for s in SOURCES if s.quick)
EVERYTHING = ("kaggle", "tidytuesday", "hitpredictor", "songs12m", "spotify1m")


def _plan(names, limit):
    return plan_sources(pick_sources(names), limit_bytes=limit)


def test_the_small_sources_alone_are_served_in_one_stage():
    plan = _plan(SMALL, 1 * GB)
    assert plan.first == plan.full == SMALL
    assert not plan.staged
    assert plan.left_out == ()
    assert plan.left_out_note() is None


def test_a_big_source_that_fits_is_served_after_the_small_ones():
    plan = _plan([*SMALL, "songs12m"], 4 * GB)
    assert plan.staged
    assert plan.first == SMALL
    assert plan.full == (*SMALL, "songs12m")
    assert plan.full_tracks == sum(s.approx_tracks for s in pick_sources(plan.full))


def test_what_does_not_fit_is_left_out_and_said():
    # 1 GB (compose's default): 70% holds the 188k small rows, not 1.2M more.
    plan = _plan([*SMALL, "songs12m"], 1 * GB)
    assert plan.full == SMALL
    assert plan.left_out == ("songs12m",)
    assert not plan.staged  # nothing big to wait for
    note = plan.left_out_note()
    assert note is not None
    assert "left out songs12m" in note
    assert "1.0 GB memory limit" in note
    assert "RECOMMENDER_SOURCES" in note


def test_the_largest_prefix_that_fits_is_served_in_declared_order():
    # 2 GB: 1.4 GB of budget takes the small rows and songs12m, not spotify1m as well.
    plan = _plan(EVERYTHING, 2 * GB)
    assert plan.full == (*SMALL, "songs12m")
    assert plan.left_out == ("spotify1m",)
    assert plan.first == SMALL
    # The budget rule itself: what is served fits, one more source would not.
    served = plan.full_tracks
    assert BASE_BYTES + BYTES_PER_TRACK * served <= MEMORY_SHARE * 2 * GB
    more = served + pick_sources(["spotify1m"])[0].approx_tracks
    assert BASE_BYTES + BYTES_PER_TRACK * more > MEMORY_SHARE * 2 * GB


def test_the_first_source_is_served_even_over_the_budget():
    plan = _plan(["songs12m", "spotify1m"], GB // 2)
    assert plan.full == ("songs12m",)
    assert plan.first == ("songs12m",)  # no small source to serve first
    assert plan.left_out == ("spotify1m",)


def test_no_source_is_refused():
    with pytest.raises(ValueError, match="no source selected"):
        plan_sources((), limit_bytes=GB)
