"""dashboard.spc: rule 2 (a shift of seven points) and rule 3 (a trend of seven points)."""

from __future__ import annotations

import pytest

from dashboard.spc import (
    RULE_SHIFT,
    RULE_TREND,
    analyse,
)
from tests.dashboard.spc_series import RISING_SEVEN, RISING_SIX, flagged, negated, sides

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
