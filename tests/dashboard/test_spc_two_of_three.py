"""dashboard.spc: rule 4 (two of three points beyond 2 sigma on one side)."""

from __future__ import annotations

import pytest

from dashboard.spc import (
    RULE_OUTSIDE_LIMITS,
    RULE_TWO_OF_THREE,
    analyse,
)
from tests.dashboard.spc_series import flagged, negated, sides

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
