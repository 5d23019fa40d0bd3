"""dashboard.spc: which rule a point gets when several apply, its classification and the
variation verdict."""

from __future__ import annotations

import pytest

from dashboard.spc import (
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    analyse,
)
from tests.dashboard.spc_series import RISING_SEVEN, SPIKE, flagged, negated

# --- conflicts: outside the limits, then trend, then two of three, then shift ------------------


def test_outside_limits_beats_trend_and_trend_beats_shift() -> None:
    """25/27 x 3.5 then 0, 1, ..., 6: mean 202/14 = 14.43, MRbar 43/13 = 3.31, limits 5.63 and
    23.23. 0..6 is a rising trend of seven, below the mean (a low shift). 0..5 are also below
    the lower limit: outside the limits comes first, so they are low (concern when higher is
    better). 6 is inside the limits: the trend comes before the shift, so it is high and the
    latest point, so the verdict, is improving. The first seven points (25s and 27s, above the
    upper limit and a shift above the mean) are high."""
    result = analyse([25, 27, 25, 27, 25, 27, 25, 0, 1, 2, 3, 4, 5, 6], direction="higher")
    assert result.lower_limit == pytest.approx(5.6301, abs=1e-3)
    for i in range(7):
        assert result.points[i].rules == (RULE_OUTSIDE_LIMITS, RULE_SHIFT)
        assert result.points[i].side == "high"
    for i in range(7, 13):
        assert result.points[i].rules == (RULE_OUTSIDE_LIMITS, RULE_TREND, RULE_SHIFT)
        assert result.points[i].rule == RULE_OUTSIDE_LIMITS
        assert result.points[i].side == "low"
        assert result.points[i].classification == "concern"
    last = result.points[-1]
    assert last.rules == (RULE_TREND, RULE_SHIFT)
    assert last.rule == RULE_TREND
    assert last.side == "high"
    assert last.classification == "improvement"
    assert result.variation == "special_cause_improving"


def test_trend_beats_two_of_three_and_shift() -> None:
    """[7, 13] x 7, then 21, 20.9, ..., 20.4, then 2, 1, 2, 1, 2, 1, 2: mean 10.57, MRbar 4.11,
    limits -0.37 and 21.50, upper 2 sigma line 17.86. 21 ... 20.4 are above the mean and beyond
    2 sigma (two of three, high) and above the mean for seven points (shift, high), but they
    fall one after another (a trend, with the next two points 2 and 1): the trend comes first,
    so they are low: concern when higher is better."""
    values = [*([7, 13] * 7), 21, 20.9, 20.8, 20.7, 20.6, 20.5, 20.4, 2, 1, 2, 1, 2, 1, 2]
    result = analyse(values, direction="higher")
    for i in range(14, 21):
        point = result.points[i]
        assert point.rules == (RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT)
        assert point.side == "low"
        assert point.classification == "concern"


def test_two_of_three_comes_before_shift_in_the_rules() -> None:
    """Two of three and shift both read the side of the mean, so they never disagree; a point
    flagged by both names two of three as its rule."""
    values = [*([7, 13] * 7), 21, 20.9, 20.8, 20.7, 20.6, 20.5, 20.4, 2, 1, 2, 1, 2, 1, 2]
    result = analyse(values, direction="higher")
    last = result.points[-1]  # 2: below the lower 2 sigma line, in the low shift 2, 1, 2, ...
    assert last.rules == (RULE_TWO_OF_THREE, RULE_SHIFT)
    assert last.rule == RULE_TWO_OF_THREE
    assert last.side == "low"


# --- classification and variation verdict ------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "direction", "classification", "variation", "label"),
    [
        (
            SPIKE,
            "higher",
            "improvement",
            "special_cause_improving",
            "Special cause variation: improving",
        ),
        (
            SPIKE,
            "lower",
            "concern",
            "special_cause_concerning",
            "Special cause variation: concerning",
        ),
        (
            negated(SPIKE),
            "higher",
            "concern",
            "special_cause_concerning",
            "Special cause variation: concerning",
        ),
        (
            negated(SPIKE),
            "lower",
            "improvement",
            "special_cause_improving",
            "Special cause variation: improving",
        ),
        (
            SPIKE,
            "neither",
            "neither_high",
            "special_cause_neither_high",
            "Special cause variation: higher than expected",
        ),
        (
            negated(SPIKE),
            "neither",
            "neither_low",
            "special_cause_neither_low",
            "Special cause variation: lower than expected",
        ),
    ],
)
def test_direction_decides_improvement_or_concern(
    values: list[float], direction: str, classification: str, variation: str, label: str
) -> None:
    result = analyse(values, direction=direction)
    assert result.points[-1].classification == classification
    assert result.variation == variation
    assert result.variation_label == label


def test_variation_comes_from_latest_point_only() -> None:
    # The spike is first, so it is special cause, but the latest point is common cause.
    result = analyse(SPIKE[::-1], direction="higher")
    assert flagged(result) == {0: (RULE_OUTSIDE_LIMITS,)}
    assert result.points[0].classification == "improvement"
    assert result.variation == "common_cause"
    assert result.variation_label == "Common cause variation"


def test_trend_on_latest_point_gives_verdict() -> None:
    result = analyse(RISING_SEVEN[:13], direction="lower")
    assert result.points[-1].rules == (RULE_TREND,)
    assert result.variation == "special_cause_concerning"


def test_unflagged_points_have_no_side_or_classification() -> None:
    point = analyse(SPIKE, direction="higher").points[0]
    assert point.index == 0
    assert point.value == 10
    assert not point.special_cause
    assert point.rules == ()
    assert point.side is None
    assert point.classification is None
