"""Series and helpers shared by the dashboard.spc tests (``test_spc*.py``)."""

from __future__ import annotations

from dashboard.spc import SpcResult

# Alternating 10/14 never runs, trends or strays; a final 30 lies above the upper limit.
# mean = 160/12 = 13.33, MRbar = (10 x 4 + 20)/11 = 5.45, upper limit = 13.33 + 14.51 = 27.84.
SPIKE = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 30]
# 26 instead: mean = 13, MRbar = 56/11 = 5.09, upper limit = 26.54, so 26 stays inside.
NEAR_SPIKE = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 26]
# Mean 10, MRbar 2: limits 10 +/- 5.32 = 4.68 and 15.32; nothing special.
STEADY = [9, 11] * 6
# 14 points of 9/11 used as a quiet lead-in for the two-of-three tests.
QUIET = [9, 11] * 7
# Wide 0/20 swings keep the limits far away (MRbar about 12) and never run; 7..13 rise in between.
RISING_SEVEN = [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 12, 13, 0, 20, 0, 20]
RISING_SIX = [0, 20, 0, 20, 0, 20, 7, 8, 9, 10, 11, 12, 0, 20, 0, 20]


def flagged(result: SpcResult) -> dict[int, tuple[str, ...]]:
    """Index -> rules for every special-cause point."""
    return {p.index: p.rules for p in result.points if p.special_cause}


def sides(result: SpcResult) -> dict[int, str | None]:
    return {p.index: p.side for p in result.points if p.special_cause}


def negated(values: list[float | None]) -> list[float | None]:
    return [None if v is None else -v for v in values]
