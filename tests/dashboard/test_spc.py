"""Tests for dashboard.spc (XmR charts, Making Data Count rules and verdicts): the limits, rule 1
(outside the limits), missing values, too few points and validation. The other rules, the
verdicts, assurance and change points are in the other ``test_spc_*.py`` files."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from dashboard.spc import (
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    analyse,
)
from tests.dashboard.spc_series import NEAR_SPIKE, SPIKE, STEADY, flagged, negated, sides

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
