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

RISING_SIX = [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 12, 0, 20, 0, 20]


def test_six_rising_points_is_a_trend() -> None:
    result = analyse(RISING_SIX, direction="higher")
    assert flagged(result) == dict.fromkeys(range(6, 12), (RULE_TREND,))
    assert set(sides(result).values()) == {"high"}


def test_five_rising_points_is_not_a_trend() -> None:
    result = analyse([0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 0, 20, 0, 20], direction="higher")
    assert flagged(result) == {}


def test_equal_consecutive_values_break_a_trend() -> None:
    values = [0, 20, 0, 20, 0, 20, 7, 8, 9, 9, 10, 11, 12, 0, 20, 0, 20]
    assert flagged(analyse(values, direction="higher")) == {}


def test_six_falling_points_is_a_low_trend() -> None:
    result = analyse(RISING_SIX[::-1], direction="higher")
    assert flagged(result) == dict.fromkeys(range(4, 10), (RULE_TREND,))
    assert set(sides(result).values()) == {"low"}


def test_peak_shared_by_rising_and_falling_trends_is_high() -> None:
    values = [0, 20, 0, 20, 0, 20, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 20, 0, 20, 0]
    result = analyse(values, direction="higher")
    assert flagged(result) == dict.fromkeys(range(6, 17), (RULE_TREND,))
    assert sides(result) == {i: "high" if i <= 11 else "low" for i in range(6, 17)}


def test_position_rules_decide_side_over_a_trend() -> None:
    # 0..6 rise (a rising trend) while lying below the mean of 14.43 (a low shift).
    result = analyse([25, 27, 25, 27, 25, 27, 25, 0, 1, 2, 3, 4, 5, 6], direction="higher")
    last = result.points[-1]
    assert {RULE_SHIFT, RULE_TREND} <= set(last.rules)
    assert last.side == "low"
    assert last.classification == "concern"
    assert result.variation == "special_cause_concerning"


# --- rule 4: two of three beyond the 2/3 line --------------------------------------------------


def test_two_of_three_beyond_upper_two_thirds_are_flagged() -> None:
    # mean 10.71, MRbar 2.69: the 2/3 line is 15.47 and the limit 17.86, so both 16s qualify.
    result = analyse([*QUIET, 16, 10, 16], direction="higher")
    assert result.upper_two_thirds == pytest.approx(15.472, abs=1e-3)
    assert result.upper_limit == pytest.approx(17.855, abs=1e-3)
    assert flagged(result) == {14: (RULE_TWO_OF_THREE,), 16: (RULE_TWO_OF_THREE,)}
    assert sides(result) == {14: "high", 16: "high"}


def test_one_of_three_beyond_two_thirds_is_not_flagged() -> None:
    result = analyse([*QUIET, 16, 10, 10], direction="higher")
    assert result.upper_two_thirds < 16
    assert flagged(result) == {}


def test_two_beyond_two_thirds_but_four_apart_is_not_flagged() -> None:
    result = analyse([*QUIET, 16, 10, 10, 16], direction="higher")
    assert result.upper_two_thirds < 16
    assert flagged(result) == {}


def test_two_of_three_on_opposite_sides_is_not_flagged() -> None:
    result = analyse([*QUIET, 16, 10, 4], direction="higher")
    assert result.upper_two_thirds < 16
    assert result.lower_two_thirds > 4
    assert flagged(result) == {}


def test_two_of_three_below_lower_two_thirds_are_flagged_low() -> None:
    result = analyse(negated([*QUIET, 16, 10, 16]), direction="higher")
    assert flagged(result) == {14: (RULE_TWO_OF_THREE,), 16: (RULE_TWO_OF_THREE,)}
    assert sides(result) == {14: "low", 16: "low"}


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
    result = analyse(RISING_SIX[:12], direction="lower")
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
        ("neither", 4, "consistently_pass"),
        ("neither", 10, "hit_and_miss"),
        ("neither", 16, "consistently_fail"),
        ("higher", None, "no_target"),
        ("lower", None, "no_target"),
    ],
)
def test_assurance_against_target(direction: str, target: float | None, assurance: str) -> None:
    # STEADY has limits 4.68 and 15.32.
    assert analyse(STEADY, direction=direction, target=target).assurance == assurance


@pytest.mark.parametrize(
    ("direction", "target", "assurance"),
    [
        ("higher", 5, "consistently_pass"),
        ("higher", 5.01, "consistently_fail"),
        ("lower", 5, "consistently_pass"),
        ("lower", 4.99, "consistently_fail"),
    ],
)
def test_assurance_with_target_on_the_limits(direction: str, target: float, assurance: str) -> None:
    # A constant series has both limits at 5: a target of 5 is always met.
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
