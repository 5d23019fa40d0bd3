"""dashboard.spc: change points (NHSRplotthedots' rebase), each segment with its own limits."""

from __future__ import annotations

import pytest

from dashboard.spc import (
    RULE_TREND,
    analyse,
)
from tests.dashboard.spc_series import flagged, sides

# --- change points (NHSRplotthedots' rebase) ---------------------------------------------------

# Twelve points around 11, then twelve around 21.
STEP = [10, 12] * 6 + [20, 22] * 6


def test_without_a_change_point_a_step_is_a_shift() -> None:
    """One set of limits: mean 16, so the first twelve are a low shift and the last twelve a
    high one."""
    result = analyse(STEP, direction="higher")
    assert result.mean == 16
    assert sides(result) == {i: "low" if i < 12 else "high" for i in range(24)}


def test_change_point_gives_each_segment_its_own_limits() -> None:
    """Change point at 12: 10/12 has mean 11 and MRbar 2 (limits 5.68 and 16.32), 20/22 mean 21
    and MRbar 2 (15.68 and 26.32). Neither segment has a special cause. The result's lines are
    the latest segment's."""
    result = analyse(STEP, direction="higher", change_points=[12])
    first, second = result.segments
    assert (first.start, first.end, first.points, first.change_point) == (0, 12, 12, False)
    assert (second.start, second.end, second.points, second.change_point) == (12, 24, 12, True)
    assert first.mean == 11
    assert first.upper_limit == pytest.approx(16.32)
    assert second.mean == 21
    assert second.lower_limit == pytest.approx(15.68)
    assert result.mean == 21
    assert result.upper_limit == pytest.approx(26.32)
    assert result.change_points == (12,)
    assert flagged(result) == {}
    assert [p.segment for p in result.points] == [0] * 12 + [1] * 12
    assert result.variation == "common_cause"


def test_rules_do_not_run_across_a_change_point() -> None:
    """7, 8, 9, 10 end the first segment (14 points) and 11, 12, 13 start the second (13
    points): seven rising in a row,
    but each segment is judged alone (NHSRplotthedots groups by rebase group), so no trend."""
    values = [0, 20] * 5 + [7, 8, 9, 10, 11, 12, 13] + [0, 20] * 5
    assert flagged(analyse(values, direction="higher")) == dict.fromkeys(
        range(10, 17), (RULE_TREND,)
    )
    assert flagged(analyse(values, direction="higher", change_points=[14])) == {}


def test_assurance_uses_the_latest_segment() -> None:
    """Target 18 is above the first segment's upper limit (16.32) but inside the second's
    limits (15.68-26.32): hit and miss. Target 15 is below the second segment's lower limit:
    consistently passes (higher is better)."""
    assert analyse(STEP, direction="higher", target=18, change_points=[12]).assurance == (
        "hit_and_miss"
    )
    assert analyse(STEP, direction="higher", target=15, change_points=[12]).assurance == (
        "consistently_pass"
    )


def test_short_segment_after_a_change_point_is_not_enough_data() -> None:
    """A change point leaving five points: that segment has a mean but no limits or special
    causes, and the verdicts say there is not enough data since the change point. The first
    segment keeps its limits."""
    result = analyse(STEP[:17], direction="higher", target=15, change_points=[12])
    first, second = result.segments
    assert first.has_limits
    assert not second.has_limits
    assert second.mean == 20.8
    assert not result.has_limits
    assert result.variation == "insufficient_data"
    assert result.assurance == "insufficient_data"
    assert result.variation_label == (
        "Not enough data since the change point (fewer than 12 points)"
    )


@pytest.mark.parametrize("position", [0, -3, 24, 40])
def test_change_points_at_or_outside_the_ends_change_nothing(position: int) -> None:
    result = analyse(STEP, direction="higher", change_points=[position])
    assert len(result.segments) == 1
    assert result.change_points == ()
    assert result.mean == 16
