"""Tests for dashboard.spc (XmR charts, Making Data Count rules and verdicts)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from dashboard.spc import (
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    SpcResult,
    analyse,
)

# Alternating 10/14 never runs, trends or strays; a final 30 lies above the upper limit.
# mean = 160/12 = 13.33, MRbar = (10 x 4 + 20)/11 = 5.45, upper limit = 13.33 + 14.51 = 27.84.
SPIKE = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 30]
# 26 instead: mean = 13, MRbar = 56/11 = 5.09, upper limit = 26.54, so 26 stays inside.
NEAR_SPIKE = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 26]
# Mean 10, MRbar 2: limits 10 +/- 5.32 = 4.68 and 15.32; nothing special.
STEADY = [9, 11] * 6
# 14 points of 9/11 used as a quiet lead-in for the two-of-three tests.
QUIET = [9, 11] * 7


def flagged(result: SpcResult) -> dict[int, tuple[str, ...]]:
    """Index -> rules for every special-cause point."""
    return {p.index: p.rules for p in result.points if p.special_cause}


def sides(result: SpcResult) -> dict[int, str | None]:
    return {p.index: p.side for p in result.points if p.special_cause}


def negated(values: list[float | None]) -> list[float | None]:
    return [None if v is None else -v for v in values]


# --- limits ------------------------------------------------------------------------------------


def test_limits_computed_by_hand() -> None:
    # mean = 10/4 = 2.5; moving ranges 2, 1, 2 so MRbar = 5/3; 2.66 x 5/3 = 4.43333...
    result = analyse([1, 3, 2, 4], direction="higher", min_points=4)
    assert result.mean == pytest.approx(2.5)
    assert result.mean_moving_range == pytest.approx(5 / 3)
    assert result.upper_limit == pytest.approx(6.9333333)
    assert result.lower_limit == pytest.approx(-1.9333333)
    assert result.sigma == pytest.approx(1.4777778)
    assert result.upper_two_thirds == pytest.approx(2.5 + 2.9555556)
    assert result.lower_two_thirds == pytest.approx(2.5 - 2.9555556)
    assert result.upper_one_third == pytest.approx(2.5 + 1.4777778)
    assert result.lower_one_third == pytest.approx(2.5 - 1.4777778)
    assert result.has_limits


def test_sigma_matches_mr_bar_over_d2() -> None:
    result = analyse(STEADY, direction="higher")
    assert result.sigma == pytest.approx(result.mean_moving_range / 1.128, rel=1e-3)


@pytest.mark.parametrize("value", [5, 0.1, -3.7])
def test_constant_series_has_zero_width_limits_and_no_signals(value: float) -> None:
    result = analyse([value] * 15, direction="higher")
    assert result.mean == value
    assert result.mean_moving_range == 0
    assert result.sigma == 0
    for line in (
        result.upper_limit,
        result.lower_limit,
        result.upper_two_thirds,
        result.lower_two_thirds,
        result.upper_one_third,
        result.lower_one_third,
    ):
        assert line == value
    assert flagged(result) == {}
    assert result.variation == "common_cause"


def test_decimal_values_and_target_are_accepted() -> None:
    result = analyse([Decimal("9.5"), Decimal("10.5")] * 6, direction="higher", target=Decimal(2))
    assert result.mean == 10.0
    assert result.target == 2.0
    assert result.assurance == "consistently_pass"


# --- rule 1: outside the limits ----------------------------------------------------------------


def test_point_above_upper_limit_is_flagged() -> None:
    result = analyse(SPIKE, direction="higher")
    assert result.upper_limit == pytest.approx(27.8424, abs=1e-3)
    assert flagged(result) == {11: (RULE_OUTSIDE_LIMITS,)}
    assert sides(result) == {11: "high"}


def test_point_just_inside_limit_is_not_flagged() -> None:
    result = analyse(NEAR_SPIKE, direction="higher")
    assert result.upper_limit == pytest.approx(26.5418, abs=1e-3)
    assert flagged(result) == {}
    assert result.variation == "common_cause"


def test_point_below_lower_limit_is_flagged_low() -> None:
    result = analyse(negated(SPIKE), direction="higher")
    assert flagged(result) == {11: (RULE_OUTSIDE_LIMITS,)}
    assert sides(result) == {11: "low"}


# --- rule 2: shift -----------------------------------------------------------------------------


def test_seven_points_above_mean_is_a_shift() -> None:
    # mean = 141/14 = 10.07; the last seven points (11s and 12s) all lie above it.
    result = analyse([2, 18, 2, 18, 2, 18, 2, 11, 12, 11, 11, 11, 12, 11], direction="higher")
    assert flagged(result) == dict.fromkeys(range(7, 14), (RULE_SHIFT,))
    assert set(sides(result).values()) == {"high"}


def test_six_points_above_mean_is_not_a_shift() -> None:
    # mean = 130/13 = 10 exactly; only the last six points lie above it.
    result = analyse([2, 18, 2, 18, 2, 18, 2, 11, 12, 11, 11, 12, 11], direction="higher")
    assert result.mean == 10
    assert flagged(result) == {}


def test_point_on_the_mean_breaks_a_shift() -> None:
    # mean = 140/14 = 10 exactly, and the middle of the seven late points is 10.
    result = analyse([2, 18, 2, 18, 2, 18, 2, 11, 12, 11, 10, 11, 12, 11], direction="higher")
    assert result.mean == 10
    assert flagged(result) == {}


def test_seven_points_below_mean_is_a_low_shift() -> None:
    result = analyse(
        negated([2, 18, 2, 18, 2, 18, 2, 11, 12, 11, 11, 11, 12, 11]), direction="higher"
    )
    assert flagged(result) == dict.fromkeys(range(7, 14), (RULE_SHIFT,))
    assert set(sides(result).values()) == {"low"}


# --- rule 3: trend -----------------------------------------------------------------------------

# Wide 0/20 swings keep the limits far away (MRbar about 12) and never run; 7..13 rise in between.
RISING_SEVEN = [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 12, 13, 0, 20, 0, 20]
RISING_SIX = [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 12, 0, 20, 0, 20]


def test_seven_rising_points_is_a_trend() -> None:
    """7, 8, ..., 13 (positions 6-12): six rises in a row join seven points, the default trend
    length (NHSRplotthedots' ptd_seven_point_trend). Every point of the run is flagged, the first
    (7, which is lower than the 20 before it) included. Mean 10, MRbar 12: limits -21.92 and
    41.92, 2 sigma lines -11.28 and 31.28, so no other rule fires."""
    result = analyse(RISING_SEVEN, direction="higher")
    assert result.trend_length == 7
    assert result.mean == 10
    assert result.upper_limit == pytest.approx(41.92)
    assert flagged(result) == dict.fromkeys(range(6, 13), (RULE_TREND,))
    assert set(sides(result).values()) == {"high"}


def test_six_rising_points_is_not_a_trend_by_default() -> None:
    """7..12 is six points (five rises): one short of the default seven."""
    assert flagged(analyse(RISING_SIX, direction="higher")) == {}


def test_six_rising_points_is_a_trend_with_length_six() -> None:
    """The MDC Excel tool's option: a trend length of 6 makes 7..12 a trend."""
    result = analyse(RISING_SIX, direction="higher", trend_length=6)
    assert flagged(result) == dict.fromkeys(range(6, 12), (RULE_TREND,))
    assert set(sides(result).values()) == {"high"}


def test_trend_length_comes_from_the_setting(settings) -> None:
    """Without an explicit trend_length, settings.SPC_TREND_LENGTH decides."""
    settings.SPC_TREND_LENGTH = 6
    result = analyse(RISING_SIX, direction="higher")
    assert result.trend_length == 6
    assert flagged(result) == dict.fromkeys(range(6, 12), (RULE_TREND,))


def test_five_rising_points_is_not_a_trend() -> None:
    result = analyse(
        [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 0, 20, 0, 20], direction="higher", trend_length=6
    )
    assert flagged(result) == {}


def test_equal_consecutive_values_break_a_trend() -> None:
    """7, 8, 9, 9, 10, 11, 12, 13: the tie 9, 9 is not a rise, leaving runs of 3 and 5."""
    values = [0, 20, 0, 20, 0, 20, 7, 8, 9, 9, 10, 11, 12, 13, 0, 20, 0, 20]
    assert flagged(analyse(values, direction="higher")) == {}


def test_seven_falling_points_is_a_low_trend() -> None:
    result = analyse(RISING_SEVEN[::-1], direction="higher")
    assert flagged(result) == dict.fromkeys(range(4, 11), (RULE_TREND,))
    assert set(sides(result).values()) == {"low"}


def test_peak_shared_by_rising_and_falling_trends_counts_as_falling() -> None:
    """4..10 rises (positions 6-12), 10..4 falls (12-18): the peak at 12 is in both trends.
    NHSRplotthedots takes a trend point's direction from the step to the next point when that
    point is in a trend too, so the peak counts as falling; the last point of a trend (18) takes
    the step before it (falling). Limits -16.49 and 32.84: nothing else fires."""
    values = [0, 20, 0, 20, 0, 20, 4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4, 20, 0, 20, 0]
    result = analyse(values, direction="higher")
    assert flagged(result) == dict.fromkeys(range(6, 19), (RULE_TREND,))
    assert sides(result) == {i: "high" if i < 12 else "low" for i in range(6, 19)}
    assert result.points[12].classification == "concern"


def test_last_point_of_a_trend_before_a_tie_and_another_trend_counts_as_falling() -> None:
    """4..10 rises (positions 6-12), 10 repeats (13), then 10..4 falls (13-19). Position 12 ends
    the rising trend and position 13 starts the falling one, so NHSRplotthedots reads 12's
    direction from the step to 13, which is flat: anything but a rise reads as "decreasing"."""
    values = [0, 20, 0, 20, 0, 20, 4, 5, 6, 7, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 20, 0, 20, 0]
    result = analyse(values, direction="higher")
    assert flagged(result) == dict.fromkeys(range(6, 20), (RULE_TREND,))
    assert sides(result) == {i: "high" if i < 12 else "low" for i in range(6, 20)}


# --- rule 4: two of three beyond 2 sigma -------------------------------------------------------

# 14 points of 8/12, a quiet lead-in for the two-of-three tests: it straddles every tail's mean.
LEAD = [8, 12] * 7


def test_two_of_three_beyond_two_sigma_on_one_side_are_flagged() -> None:
    """LEAD + 20, 13, 20: mean 193/17 = 11.35, MRbar (13 x 4 + 8 + 7 + 7)/16 = 4.625, so the
    2 sigma line is 11.35 + 1.7733 x 4.625 = 19.55 and the limit 23.66. Both 20s lie between
    them and 13 is above the mean too: all three on one side, two beyond 2 sigma. Only the two
    20s are flagged (13 is not beyond 2 sigma)."""
    result = analyse([*LEAD, 20, 13, 20], direction="higher")
    assert result.upper_two_thirds == pytest.approx(19.5546, abs=1e-3)
    assert result.upper_limit == pytest.approx(23.6554, abs=1e-3)
    assert flagged(result) == {14: (RULE_TWO_OF_THREE,), 16: (RULE_TWO_OF_THREE,)}
    assert sides(result) == {14: "high", 16: "high"}
    assert result.variation == "special_cause_improving"


def test_two_of_three_with_the_middle_point_below_the_mean_is_not_flagged() -> None:
    """LEAD + 20, 11, 20: mean 11.24, 2 sigma line 19.88, limit 24.20. Both 20s are beyond
    2 sigma, but 11 is below the mean, so no three consecutive points are on one side (the rule
    before this change flagged them)."""
    result = analyse([*LEAD, 20, 11, 20], direction="higher")
    assert result.upper_two_thirds < 20 < result.upper_limit
    assert result.mean > 11
    assert flagged(result) == {}


def test_one_of_three_beyond_two_sigma_is_not_flagged() -> None:
    result = analyse([*LEAD, 20, 13, 13], direction="higher")
    assert result.upper_two_thirds < 20
    assert flagged(result) == {}


def test_two_beyond_two_sigma_but_four_apart_is_not_flagged() -> None:
    result = analyse([*LEAD, 20, 13, 13, 20], direction="higher")
    assert result.upper_two_thirds < 20
    assert flagged(result) == {}


def test_two_beyond_two_sigma_on_opposite_sides_is_not_flagged() -> None:
    """LEAD + 22, 11, 0: mean 10.18, 2 sigma lines 0.87 and 19.49, limits -3.79 and 24.14: 22
    beyond the upper line and 0 beyond the lower one, on opposite sides of the mean."""
    result = analyse([*LEAD, 22, 11, 0], direction="higher")
    assert result.upper_two_thirds < 22 < result.upper_limit
    assert result.lower_limit < 0 < result.lower_two_thirds
    assert flagged(result) == {}


def test_a_point_outside_the_limits_does_not_count_towards_two_of_three() -> None:
    """LEAD + 26, 21, 13: mean 11.76, MRbar 4.94, limit 24.90, 2 sigma line 20.52. 26 is
    outside the limit, so only 21 is "beyond 2 sigma but inside the limits" in any window: one
    of three. 26 is flagged for being outside; 21 is not flagged."""
    result = analyse([*LEAD, 26, 21, 13], direction="higher")
    assert result.upper_two_thirds < 21 < result.upper_limit < 26
    assert flagged(result) == {14: (RULE_OUTSIDE_LIMITS,)}


def test_two_of_three_around_a_point_outside_the_limits() -> None:
    """[7, 13] x 10 + 24, 32, 24: mean 12.17, MRbar 6.41, limit 29.22, 2 sigma line 23.54. The
    24s are beyond 2 sigma and inside the limits, 32 is outside: all three above the mean, two
    beyond 2 sigma, so the 24s are two of three and 32 is outside the limits."""
    result = analyse([*([7, 13] * 10), 24, 32, 24], direction="higher")
    assert result.upper_two_thirds < 24 < result.upper_limit < 32
    assert flagged(result) == {
        20: (RULE_TWO_OF_THREE,),
        21: (RULE_OUTSIDE_LIMITS,),
        22: (RULE_TWO_OF_THREE,),
    }


def test_two_of_three_below_the_lower_line_are_flagged_low() -> None:
    result = analyse(negated([*LEAD, 20, 13, 20]), direction="higher")
    assert flagged(result) == {14: (RULE_TWO_OF_THREE,), 16: (RULE_TWO_OF_THREE,)}
    assert sides(result) == {14: "low", 16: "low"}
    assert result.variation == "special_cause_concerning"


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


# --- missing values ----------------------------------------------------------------------------


def test_none_values_are_skipped_but_keep_their_position() -> None:
    with_gaps = [None, *SPIKE[:5], None, None, *SPIKE[5:]]
    gappy = analyse(with_gaps, direction="higher")
    plain = analyse(SPIKE, direction="higher")
    assert len(gappy.points) == len(with_gaps)
    assert [p.index for p in gappy.points] == list(range(len(with_gaps)))
    assert [p.value for p in gappy.points] == [None if v is None else float(v) for v in with_gaps]
    assert gappy.mean == plain.mean
    assert gappy.upper_limit == plain.upper_limit
    assert gappy.lower_limit == plain.lower_limit
    assert flagged(gappy) == {14: (RULE_OUTSIDE_LIMITS,)}
    for index in (0, 6, 7):
        assert not gappy.points[index].special_cause


def test_none_inside_a_run_does_not_break_it() -> None:
    values = [2, 18, 2, 18, 2, 18, 2, 11, 12, 11, None, 11, 11, 12, 11]
    result = analyse(values, direction="higher")
    assert flagged(result) == dict.fromkeys((7, 8, 9, 11, 12, 13, 14), (RULE_SHIFT,))


def test_trailing_none_uses_latest_point_with_a_value() -> None:
    result = analyse([*SPIKE, None], direction="higher")
    assert result.points[-1].value is None
    assert result.variation == "special_cause_improving"


def test_nan_counts_as_missing() -> None:
    result = analyse([float("nan"), *SPIKE], direction="higher")
    assert result.points[0].value is None
    assert result.mean == analyse(SPIKE, direction="higher").mean


# --- assurance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("higher", 4, "consistently_pass"),
        ("higher", 10, "hit_and_miss"),
        ("higher", 15, "hit_and_miss"),
        ("higher", 16, "consistently_fail"),
        ("lower", 16, "consistently_pass"),
        ("lower", 10, "hit_and_miss"),
        ("lower", 5, "hit_and_miss"),
        ("lower", 4, "consistently_fail"),
        ("higher", None, "no_target"),
        ("lower", None, "no_target"),
    ],
)
def test_assurance_against_target(direction: str, target: float | None, assurance: str) -> None:
    # STEADY has limits 4.68 and 15.32.
    assert analyse(STEADY, direction=direction, target=target).assurance == assurance


@pytest.mark.parametrize("target", [4, 10, 16, None])
def test_no_better_direction_has_no_assurance_and_no_target(target: float | None) -> None:
    """NHSRplotthedots gives no assurance when the improvement direction is neutral, whatever the
    target (before this change "neither" was treated as "higher is better")."""
    result = analyse(STEADY, direction="neither", target=target)
    assert result.assurance == "not_applicable"
    assert result.assurance_label == "No assurance: neither direction is better"
    assert result.target is None


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("higher", 5, "hit_and_miss"),
        ("higher", 4.99, "consistently_pass"),
        ("higher", 5.01, "consistently_fail"),
        ("lower", 5, "hit_and_miss"),
        ("lower", 5.01, "consistently_pass"),
        ("lower", 4.99, "consistently_fail"),
    ],
)
def test_assurance_with_target_on_the_limits(direction: str, target: float, assurance: str) -> None:
    """A constant series has both limits at 5. The comparisons are strict (NHSRplotthedots'
    ptd_calculate_assurance_type: target > upper limit or target < lower limit), so a target
    exactly on a limit is hit and miss (before this change, ">=" made it "consistently
    passes")."""
    assert analyse([5] * 12, direction=direction, target=target).assurance == assurance


@pytest.mark.parametrize(
    ("assurance", "label"),
    [
        ("consistently_pass", "Consistently meets target"),
        ("consistently_fail", "Consistently misses target"),
        ("hit_and_miss", "Hit and miss against target"),
        ("no_target", "No target set"),
    ],
)
def test_assurance_labels(assurance: str, label: str) -> None:
    target = {"consistently_pass": 4, "consistently_fail": 16, "hit_and_miss": 10}.get(assurance)
    result = analyse(STEADY, direction="higher", target=target)
    assert result.assurance == assurance
    assert result.assurance_label == label


# --- insufficient data -------------------------------------------------------------------------


def test_fewer_than_min_points_gives_insufficient_data() -> None:
    result = analyse([*SPIKE[:10], None, 30], direction="higher", target=5)
    assert result.mean == pytest.approx(150 / 11)
    for line in (
        result.upper_limit,
        result.lower_limit,
        result.upper_two_thirds,
        result.lower_two_thirds,
        result.upper_one_third,
        result.lower_one_third,
        result.mean_moving_range,
        result.sigma,
    ):
        assert line is None
    assert not result.has_limits
    assert len(result.points) == 12
    assert flagged(result) == {}
    assert result.variation == "insufficient_data"
    assert result.assurance == "insufficient_data"
    assert result.variation_label == "Not enough data (fewer than 12 points)"
    assert result.assurance_label == "Not enough data (fewer than 12 points)"


def test_min_points_is_configurable() -> None:
    assert analyse(SPIKE, direction="higher", min_points=13).variation == "insufficient_data"
    assert (
        analyse(SPIKE, direction="higher", min_points=13).variation_label
        == "Not enough data (fewer than 13 points)"
    )
    assert analyse(SPIKE[:5], direction="higher", min_points=5).has_limits


def test_empty_series() -> None:
    result = analyse([], direction="lower")
    assert result.mean is None
    assert result.points == ()
    assert result.variation == "insufficient_data"


# --- validation and immutability ---------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"direction": "up"},
        {"direction": "higher", "min_points": 1},
        {"direction": "higher", "target": float("nan")},
    ],
)
def test_invalid_arguments_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        analyse(STEADY, **kwargs)


def test_infinite_value_raises() -> None:
    with pytest.raises(ValueError):
        analyse([*STEADY, float("inf")], direction="higher")


def test_result_is_frozen() -> None:
    result = analyse(STEADY, direction="higher")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.mean = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.points[0].side = "high"  # type: ignore[misc]


# --- fewer than 12 points ----------------------------------------------------------------------


def test_twelve_points_have_limits_and_eleven_do_not() -> None:
    """PRODUCT.md 3.3: fewer than 12 points is "not enough data" (NHSRplotthedots' own tests
    treat a group of 12 as long enough, 11 as short)."""
    assert analyse(STEADY, direction="higher").has_limits
    assert not analyse(STEADY[:11], direction="higher").has_limits


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
