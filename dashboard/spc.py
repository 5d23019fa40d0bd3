"""Statistical process control (XmR charts) in the NHS England "Making Data Count" manner.

Pure Python, standard library only. The entry point is :func:`analyse`, which returns an
immutable :class:`SpcResult`.

Conventions:

* ``None`` (and NaN) values are missing months: they are skipped for every calculation, so
  "consecutive" always means consecutive among the points that have a value, but they keep
  their position in :attr:`SpcResult.points`.
* Process limits are ``mean +/- 2.66 x mean moving range``. ``2.66 = 3 / 1.128``, so one sigma is
  taken as ``2.66 x MRbar / 3`` which keeps the 1/3 and 2/3 lines exactly in step with the limits.
* All comparisons are strict: a point exactly on a limit, line or the mean is not "beyond" it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal, SupportsFloat

__all__ = [
    "ASSURANCE_LABELS",
    "RULES",
    "RULE_OUTSIDE_LIMITS",
    "RULE_SHIFT",
    "RULE_TREND",
    "RULE_TWO_OF_THREE",
    "VARIATION_LABELS",
    "Assurance",
    "Classification",
    "Direction",
    "Side",
    "SpcPoint",
    "SpcResult",
    "Variation",
    "analyse",
]

Direction = Literal["higher", "lower", "neither"]
Side = Literal["high", "low"]
Classification = Literal["improvement", "concern", "neither_high", "neither_low"]
Variation = Literal[
    "special_cause_improving",
    "special_cause_concerning",
    "special_cause_neither_high",
    "special_cause_neither_low",
    "common_cause",
    "insufficient_data",
]
Assurance = Literal[
    "consistently_pass",
    "consistently_fail",
    "hit_and_miss",
    "no_target",
    "insufficient_data",
]

LIMIT_FACTOR = 2.66
"""Multiplier of the mean moving range giving the distance from the mean to a process limit."""

SHIFT_LENGTH = 7
"""Consecutive points on one side of the mean that make a shift."""

TREND_LENGTH = 6
"""Consecutive points all rising or all falling that make a trend."""

DEFAULT_MIN_POINTS = 12
"""Fewest points with a value for which limits and verdicts are given."""

RULE_OUTSIDE_LIMITS = "outside_limits"
RULE_SHIFT = "shift"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
RULES: tuple[str, ...] = (RULE_OUTSIDE_LIMITS, RULE_SHIFT, RULE_TREND, RULE_TWO_OF_THREE)
"""Rule names in the order they appear in :attr:`SpcPoint.rules`."""

VARIATION_LABELS: dict[str, str] = {
    "special_cause_improving": "Special cause variation: improving",
    "special_cause_concerning": "Special cause variation: concerning",
    "special_cause_neither_high": "Special cause variation: higher than expected",
    "special_cause_neither_low": "Special cause variation: lower than expected",
    "common_cause": "Common cause variation",
}

ASSURANCE_LABELS: dict[str, str] = {
    "consistently_pass": "Consistently meets target",
    "consistently_fail": "Consistently misses target",
    "hit_and_miss": "Hit and miss against target",
    "no_target": "No target set",
}

_DIRECTIONS: frozenset[str] = frozenset({"higher", "lower", "neither"})


@dataclass(frozen=True)
class SpcPoint:
    """One input position. ``side`` and ``classification`` are None unless special cause."""

    index: int
    value: float | None
    special_cause: bool
    rules: tuple[str, ...]
    side: Side | None
    classification: Classification | None


@dataclass(frozen=True)
class SpcResult:
    """Outcome of :func:`analyse`; lines are None when there is too little data."""

    mean: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_thirds: float | None
    lower_two_thirds: float | None
    upper_one_third: float | None
    lower_one_third: float | None
    mean_moving_range: float | None
    sigma: float | None
    points: tuple[SpcPoint, ...]
    variation: Variation
    assurance: Assurance
    direction: Direction
    target: float | None
    min_points: int

    @property
    def has_limits(self) -> bool:
        """Whether there were enough points to compute limits and verdicts."""
        return self.upper_limit is not None

    @property
    def variation_label(self) -> str:
        """Human-readable variation verdict."""
        if self.variation == "insufficient_data":
            return _insufficient_label(self.min_points)
        return VARIATION_LABELS[self.variation]

    @property
    def assurance_label(self) -> str:
        """Human-readable assurance verdict."""
        if self.assurance == "insufficient_data":
            return _insufficient_label(self.min_points)
        return ASSURANCE_LABELS[self.assurance]


def analyse(
    values: Iterable[SupportsFloat | None],
    *,
    direction: Direction,
    target: SupportsFloat | None = None,
    min_points: int = DEFAULT_MIN_POINTS,
) -> SpcResult:
    """Analyse an ordered series as an XmR chart.

    ``direction`` says which way is better: "higher", "lower" or "neither".

    Variation verdict: taken from the latest point that has a value. If that point is flagged by
    any special-cause rule, its classification gives the verdict; otherwise it is common cause,
    even when earlier points were special cause (Making Data Count reads the icon from the most
    recent data).

    Assurance verdict: with direction "neither" the target is treated as a level to be at or
    above, exactly as for "higher".
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {sorted(_DIRECTIONS)}, not {direction!r}")
    if min_points < 2:
        raise ValueError("min_points must be at least 2 (a moving range needs two points)")
    series = tuple(_to_float(value) for value in values)
    target_value = None if target is None else _to_float(target)
    if target is not None and target_value is None:
        raise ValueError("target must be a number or None")

    present = [(index, value) for index, value in enumerate(series) if value is not None]
    if len(present) < min_points:
        mean = statistics.mean(v for _, v in present) if present else None
        return SpcResult(
            mean=mean,
            upper_limit=None,
            lower_limit=None,
            upper_two_thirds=None,
            lower_two_thirds=None,
            upper_one_third=None,
            lower_one_third=None,
            mean_moving_range=None,
            sigma=None,
            points=tuple(_plain_point(index, value) for index, value in enumerate(series)),
            variation="insufficient_data",
            assurance="insufficient_data",
            direction=direction,
            target=target_value,
            min_points=min_points,
        )

    xs = [value for _, value in present]
    # statistics.mean is exact for floats, so a constant series has exactly its value as mean.
    mean = statistics.mean(xs)
    mr_bar = statistics.mean(abs(b - a) for a, b in pairwise(xs))
    sigma = LIMIT_FACTOR * mr_bar / 3
    upper_limit = mean + LIMIT_FACTOR * mr_bar
    lower_limit = mean - LIMIT_FACTOR * mr_bar
    upper_two_thirds = mean + 2 * sigma
    lower_two_thirds = mean - 2 * sigma

    flags = _Flags(len(xs))
    for i, x in enumerate(xs):
        if x > upper_limit:
            flags.add(i, RULE_OUTSIDE_LIMITS, "high")
        elif x < lower_limit:
            flags.add(i, RULE_OUTSIDE_LIMITS, "low")
    _flag_shifts(xs, mean, flags)
    _flag_trends(xs, flags)
    _flag_two_of_three(xs, upper_two_thirds, lower_two_thirds, flags)

    points = [_plain_point(index, value) for index, value in enumerate(series)]
    for i, (index, value) in enumerate(present):
        side = flags.side(i)
        if side is not None:
            points[index] = SpcPoint(
                index=index,
                value=value,
                special_cause=True,
                rules=tuple(rule for rule in RULES if rule in flags.rules[i]),
                side=side,
                classification=_classify(side, direction),
            )

    latest = points[present[-1][0]]
    variation: Variation = (
        _VARIATION_BY_CLASSIFICATION[latest.classification]
        if latest.classification is not None
        else "common_cause"
    )
    return SpcResult(
        mean=mean,
        upper_limit=upper_limit,
        lower_limit=lower_limit,
        upper_two_thirds=upper_two_thirds,
        lower_two_thirds=lower_two_thirds,
        upper_one_third=mean + sigma,
        lower_one_third=mean - sigma,
        mean_moving_range=mr_bar,
        sigma=sigma,
        points=tuple(points),
        variation=variation,
        assurance=_assurance(target_value, direction, lower_limit, upper_limit),
        direction=direction,
        target=target_value,
        min_points=min_points,
    )


_VARIATION_BY_CLASSIFICATION: dict[str, Variation] = {
    "improvement": "special_cause_improving",
    "concern": "special_cause_concerning",
    "neither_high": "special_cause_neither_high",
    "neither_low": "special_cause_neither_low",
}


class _Flags:
    """Rules and side per present point.

    Position rules (outside limits, shift, two of three) decide the side from where the point
    lies; a trend only sets the side of a point no position rule flagged, and the first trend
    found wins (so a peak belongs to the rising trend that ends at it).
    """

    def __init__(self, size: int) -> None:
        self.rules: list[set[str]] = [set() for _ in range(size)]
        self._position_side: list[Side | None] = [None] * size
        self._trend_side: list[Side | None] = [None] * size

    def add(self, i: int, rule: str, side: Side) -> None:
        self.rules[i].add(rule)
        sides = self._trend_side if rule == RULE_TREND else self._position_side
        if sides[i] is None:
            sides[i] = side

    def side(self, i: int) -> Side | None:
        return self._position_side[i] or self._trend_side[i]


def _flag_shifts(xs: Sequence[float], mean: float, flags: _Flags) -> None:
    """Rule 2: SHIFT_LENGTH or more consecutive points strictly on one side of the mean."""
    signs = [_sign(x - mean) for x in xs]
    for start, end, sign in _runs(signs):
        if end - start >= SHIFT_LENGTH:
            for i in range(start, end):
                flags.add(i, RULE_SHIFT, "high" if sign > 0 else "low")


def _flag_trends(xs: Sequence[float], flags: _Flags) -> None:
    """Rule 3: TREND_LENGTH or more consecutive points each strictly above (below) the last."""
    steps = [_sign(b - a) for a, b in pairwise(xs)]
    for start, end, sign in _runs(steps):
        # Steps start..end-1 join points start..end, so the trend has end - start + 1 points.
        if end - start + 1 >= TREND_LENGTH:
            for i in range(start, end + 1):
                flags.add(i, RULE_TREND, "high" if sign > 0 else "low")


def _flag_two_of_three(xs: Sequence[float], upper: float, lower: float, flags: _Flags) -> None:
    """Rule 4: 2 of any 3 consecutive points beyond the same 2/3 line; flags those beyond it."""
    for start in range(len(xs) - 2):
        window = range(start, start + 3)
        high = [i for i in window if xs[i] > upper]
        low = [i for i in window if xs[i] < lower]
        if len(high) >= 2:
            for i in high:
                flags.add(i, RULE_TWO_OF_THREE, "high")
        if len(low) >= 2:
            for i in low:
                flags.add(i, RULE_TWO_OF_THREE, "low")


def _runs(signs: Sequence[int]) -> Iterable[tuple[int, int, int]]:
    """Yield ``(start, end, sign)`` for each maximal run of equal non-zero signs (end exclusive)."""
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                yield start, i, signs[start]
            start = i


def _assurance(
    target: float | None, direction: Direction, lower_limit: float, upper_limit: float
) -> Assurance:
    if target is None:
        return "no_target"
    if direction == "lower":
        if target >= upper_limit:
            return "consistently_pass"
        if target < lower_limit:
            return "consistently_fail"
        return "hit_and_miss"
    # "higher", and "neither" treated as "at or above the target".
    if target <= lower_limit:
        return "consistently_pass"
    if target > upper_limit:
        return "consistently_fail"
    return "hit_and_miss"


def _classify(side: Side, direction: Direction) -> Classification:
    if direction == "neither":
        return "neither_high" if side == "high" else "neither_low"
    better: Side = "high" if direction == "higher" else "low"
    return "improvement" if side == better else "concern"


def _plain_point(index: int, value: float | None) -> SpcPoint:
    return SpcPoint(
        index=index, value=value, special_cause=False, rules=(), side=None, classification=None
    )


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def _to_float(value: SupportsFloat | None) -> float | None:
    """Convert to float; None and NaN mean missing, infinities are rejected."""
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError("values must be finite numbers or None")
    return number


def _insufficient_label(min_points: int) -> str:
    return f"Not enough data (fewer than {min_points} points)"
