"""Statistical process control (XmR charts) in the NHS England "Making Data Count" manner.

Pure Python, standard library only (the trend length is read from Django settings when Django is
configured). The entry point is :func:`analyse`, which returns an immutable :class:`SpcResult`.

The rules follow NHSRplotthedots (nhs-r-community), the public reference implementation of Making
Data Count, run without outlier screening (as the MDC Excel tool works), PRODUCT.md 3.3:

* **Limits.** Over each segment (the whole window, or from each recorded change point on, as the
  package's ``rebase`` does): mean, mean moving range (MRbar) of consecutive points, process
  limits ``mean +/- 2.66 x MRbar`` and the "2 sigma" lines ``mean +/- (2 x 2.66 / 3) x MRbar``.
  Every rule looks only at the points of one segment.
* **Outside the limits**: a point strictly above the upper or below the lower limit.
* **Trend**: ``trend_length`` (default 7, the Django setting ``SPC_TREND_LENGTH``) or more
  consecutive points each strictly higher (or lower) than the one before; a tie breaks it. Every
  point of the run is flagged, the first one included.
* **Two of three**: in three consecutive points all strictly on the same side of the mean, at
  least two lie beyond the 2 sigma line but inside the limits; only those (beyond 2 sigma, inside
  the limits) are flagged.
* **Shift**: 7 or more consecutive points strictly on one side of the mean; a point on the mean
  breaks it.
* **Which way a point points.** A point flagged by several rules takes the first of: outside the
  limits (above or below the mean), trend (its direction), two of three (its side of the mean),
  shift (its side of the mean). A point of a trend whose next point is also part of a trend
  takes the direction of the step to that next point (so a peak shared by a rising and a falling
  trend counts as falling); the last point of a trend takes the step before it.
* **Classification.** Higher or lower than expected becomes improvement or concern by the
  metric's better direction; with no better direction it stays "higher" or "lower".
* **Variation verdict**: the classification of the latest point with a value.
* **Assurance** (latest segment's limits, strict): higher is better: target below the lower limit
  consistently passes, above the upper limit consistently fails, otherwise hit and miss; mirrored
  when lower is better. No better direction: no assurance (and no target).
* Fewer than ``min_points`` (12) points in a segment: no limits and no special causes there; if
  that is the latest segment, the verdicts are "not enough data".

Conventions:

* ``None`` (and NaN) values are missing months: they are skipped for every calculation, so
  "consecutive" always means consecutive among the points that have a value, but they keep
  their position in :attr:`SpcResult.points`.
* All comparisons are strict: a point exactly on a limit, line or the mean is not "beyond" it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Literal, SupportsFloat

__all__ = [
    "ASSURANCE_LABELS",
    "DEFAULT_TREND_LENGTH",
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
    "SpcSegment",
    "Variation",
    "analyse",
    "trend_length_setting",
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
    "not_applicable",
    "insufficient_data",
]

LIMIT_FACTOR = 2.66
"""Multiplier of the mean moving range giving the distance from the mean to a process limit."""

TWO_SIGMA_FACTOR = 2 * (LIMIT_FACTOR / 3)
"""Multiplier of the mean moving range giving the distance to the 2 sigma lines (as computed by
NHSRplotthedots, so a point exactly on the line compares the same way)."""

SHIFT_LENGTH = 7
"""Consecutive points on one side of the mean that make a shift."""

DEFAULT_TREND_LENGTH = 7
"""Consecutive points all rising or all falling that make a trend, unless the Django setting
``SPC_TREND_LENGTH`` says otherwise (the MDC Excel tool allows 6)."""

DEFAULT_MIN_POINTS = 12
"""Fewest points with a value in a segment for which limits and verdicts are given."""

RULE_OUTSIDE_LIMITS = "outside_limits"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
RULE_SHIFT = "shift"
RULES: tuple[str, ...] = (RULE_OUTSIDE_LIMITS, RULE_TREND, RULE_TWO_OF_THREE, RULE_SHIFT)
"""Rule names in order of precedence: the first that flags a point decides which way it points.
:attr:`SpcPoint.rules` lists a point's rules in this order."""

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
    "not_applicable": "No assurance: neither direction is better",
}

_DIRECTIONS: frozenset[str] = frozenset({"higher", "lower", "neither"})


def trend_length_setting() -> int:
    """The trend length in force: ``settings.SPC_TREND_LENGTH``, or 7 where the rules run
    outside a configured Django project (a script importing this module alone)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return int(getattr(settings, "SPC_TREND_LENGTH", DEFAULT_TREND_LENGTH))
    except ImproperlyConfigured:
        return DEFAULT_TREND_LENGTH


@dataclass(frozen=True)
class SpcPoint:
    """One input position. ``side``, ``classification`` and ``rule`` are None unless special
    cause; ``rule`` is the rule that decided ``side`` (the first of :data:`RULES` in ``rules``)."""

    index: int
    value: float | None
    special_cause: bool
    rules: tuple[str, ...]
    side: Side | None
    classification: Classification | None
    rule: str | None = None
    segment: int = 0


@dataclass(frozen=True)
class SpcLines:
    """The lines of a chart: the mean, the process limits (3 sigma), the 2- and 1-sigma lines,
    the mean moving range and sigma. The lines other than ``mean`` are None with fewer than the
    minimum points."""

    mean: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_two_thirds: float | None
    lower_two_thirds: float | None
    upper_one_third: float | None
    lower_one_third: float | None
    mean_moving_range: float | None
    sigma: float | None

    @property
    def has_limits(self) -> bool:
        """Whether there were enough points to compute limits and verdicts."""
        return self.upper_limit is not None


LINE_FIELDS = tuple(field.name for field in fields(SpcLines))


@dataclass(frozen=True)
class SpcSegment(SpcLines):
    """The points from ``start`` (a change point, or the first position) to ``end`` (exclusive)
    and their lines."""

    start: int
    end: int
    points: int
    change_point: bool = False


@dataclass(frozen=True)
class SpcResult(SpcLines):
    """Outcome of :func:`analyse`. The lines are the latest segment's (None when it has too
    little data); :attr:`segments` holds every segment's."""

    points: tuple[SpcPoint, ...]
    variation: Variation
    assurance: Assurance
    direction: Direction
    target: float | None
    min_points: int
    segments: tuple[SpcSegment, ...] = ()
    trend_length: int = DEFAULT_TREND_LENGTH

    @property
    def change_points(self) -> tuple[int, ...]:
        """Positions where a recorded change point starts a segment."""
        return tuple(s.start for s in self.segments if s.change_point)

    @property
    def variation_label(self) -> str:
        """Human-readable variation verdict."""
        if self.variation == "insufficient_data":
            return _insufficient_label(self.min_points, bool(self.change_points))
        return VARIATION_LABELS[self.variation]

    @property
    def assurance_label(self) -> str:
        """Human-readable assurance verdict."""
        if self.assurance == "insufficient_data":
            return _insufficient_label(self.min_points, bool(self.change_points))
        return ASSURANCE_LABELS[self.assurance]


def analyse(
    values: Iterable[SupportsFloat | None],
    *,
    direction: Direction,
    target: SupportsFloat | None = None,
    min_points: int = DEFAULT_MIN_POINTS,
    trend_length: int | None = None,
    change_points: Iterable[int] = (),
) -> SpcResult:
    """Analyse an ordered series as an XmR chart (the rules are in the module docstring).

    ``direction`` says which way is better: "higher", "lower" or "neither" (then the target is
    ignored: no assurance). ``change_points`` are positions in ``values`` where new limits start;
    positions outside ``1 .. len(values) - 1`` are ignored (a change point at or before the first
    position changes nothing). ``trend_length`` defaults to :func:`trend_length_setting`.
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"direction must be one of {sorted(_DIRECTIONS)}, not {direction!r}")
    if min_points < 2:
        raise ValueError("min_points must be at least 2 (a moving range needs two points)")
    if trend_length is None:
        trend_length = trend_length_setting()
    if trend_length < 2:
        raise ValueError("trend_length must be at least 2")
    series = tuple(_to_float(value) for value in values)
    target_value = None if target is None else _to_float(target)
    if target is not None and target_value is None:
        raise ValueError("target must be a number or None")
    if direction == "neither":
        target_value = None

    starts = sorted({int(i) for i in change_points if 0 < int(i) < len(series)})
    bounds = list(pairwise([0, *starts, len(series)]))
    points = [_plain_point(index, value) for index, value in enumerate(series)]
    segments = []
    for number, (start, end) in enumerate(bounds):
        present = [(i, series[i]) for i in range(start, end) if series[i] is not None]
        segment = _segment(start, end, [v for _, v in present], min_points, number > 0)
        segments.append(segment)
        if segment.has_limits:
            for (index, value), (rules, side) in zip(
                present, _flags([v for _, v in present], segment, trend_length), strict=True
            ):
                if side is not None:
                    points[index] = SpcPoint(
                        index=index,
                        value=value,
                        special_cause=True,
                        rules=rules,
                        side=side,
                        classification=_classify(side, direction),
                        rule=rules[0],
                        segment=number,
                    )
                else:
                    points[index] = _plain_point(index, value, number)
        else:
            for index, value in present:
                points[index] = _plain_point(index, value, number)
        for index in range(start, end):
            if series[index] is None:
                points[index] = _plain_point(index, None, number)

    last = segments[-1] if segments else _segment(0, 0, [], min_points, False)
    indexed = [p for p in points if p.value is not None]
    if not last.has_limits or not indexed:
        variation: Variation = "insufficient_data"
    elif indexed[-1].classification is not None:
        variation = _VARIATION_BY_CLASSIFICATION[indexed[-1].classification]
    else:
        variation = "common_cause"
    return SpcResult(
        **{name: getattr(last, name) for name in LINE_FIELDS},
        points=tuple(points),
        variation=variation,
        assurance=_assurance(target_value, direction, last),
        direction=direction,
        target=target_value,
        min_points=min_points,
        segments=tuple(segments),
        trend_length=trend_length,
    )


_VARIATION_BY_CLASSIFICATION: dict[str, Variation] = {
    "improvement": "special_cause_improving",
    "concern": "special_cause_concerning",
    "neither_high": "special_cause_neither_high",
    "neither_low": "special_cause_neither_low",
}


def _segment(
    start: int, end: int, xs: Sequence[float], min_points: int, change_point: bool
) -> SpcSegment:
    # statistics.mean is exact for floats, so a constant series has exactly its value as mean.
    mean = statistics.mean(xs) if xs else None
    if len(xs) < min_points:
        lines = dict.fromkeys(LINE_FIELDS, None) | {"mean": mean}
        return SpcSegment(**lines, start=start, end=end, points=len(xs), change_point=change_point)
    mr_bar = statistics.mean(abs(b - a) for a, b in pairwise(xs))
    third = (LIMIT_FACTOR / 3) * mr_bar
    return SpcSegment(
        start=start,
        end=end,
        points=len(xs),
        mean=mean,
        upper_limit=mean + LIMIT_FACTOR * mr_bar,
        lower_limit=mean - LIMIT_FACTOR * mr_bar,
        upper_two_thirds=mean + TWO_SIGMA_FACTOR * mr_bar,
        lower_two_thirds=mean - TWO_SIGMA_FACTOR * mr_bar,
        upper_one_third=mean + third,
        lower_one_third=mean - third,
        mean_moving_range=mr_bar,
        sigma=third,
        change_point=change_point,
    )


def _flags(
    xs: Sequence[float], segment: SpcSegment, trend_length: int
) -> list[tuple[tuple[str, ...], Side | None]]:
    """``(rules, side)`` for each point of one segment with limits (side None: common cause)."""
    n = len(xs)
    mean = segment.mean
    outside = [x > segment.upper_limit or x < segment.lower_limit for x in xs]
    relative = [_sign(x - mean) for x in xs]
    close = [
        not outside[i] and (x < segment.lower_two_thirds or x > segment.upper_two_thirds)
        for i, x in enumerate(xs)
    ]
    in_trend = _part_of_runs(_trend_ends(xs, trend_length), trend_length)
    in_shift = _part_of_runs(_shift_ends(relative), SHIFT_LENGTH)
    in_two_of_three = _two_of_three(close, relative)

    flags: list[tuple[tuple[str, ...], Side | None]] = []
    for i in range(n):
        rules = tuple(
            rule
            for rule, hit in (
                (RULE_OUTSIDE_LIMITS, outside[i]),
                (RULE_TREND, in_trend[i]),
                (RULE_TWO_OF_THREE, in_two_of_three[i]),
                (RULE_SHIFT, in_shift[i]),
            )
            if hit
        )
        if not rules:
            flags.append(((), None))
            continue
        if rules[0] == RULE_TREND:
            # Within a trend (the next point is in one too) the step after decides, else the
            # step before (the last point of a trend).
            if i + 1 < n and in_trend[i + 1]:
                step = _sign(xs[i + 1] - xs[i])
            else:
                step = _sign(xs[i] - xs[i - 1]) if i > 0 else 0
            side: Side = "high" if step == 1 else "low"
        elif rules[0] == RULE_OUTSIDE_LIMITS:
            side = "high" if relative[i] == 1 else "low"
        else:
            side = "high" if relative[i] > 0 else "low"
        flags.append((rules, side))
    return flags


def _trend_ends(xs: Sequence[float], length: int) -> list[int]:
    """+1 (-1) at each point that ends ``length`` points each strictly above (below) the one
    before, else 0."""
    steps = [0, *(_sign(b - a) for a, b in pairwise(xs))]
    ends = [0] * len(xs)
    for i in range(length - 1, len(xs)):
        window = steps[i - length + 2 : i + 1]
        if all(s == 1 for s in window):
            ends[i] = 1
        elif all(s == -1 for s in window):
            ends[i] = -1
    return ends


def _shift_ends(relative: Sequence[int]) -> list[int]:
    """1 at each point that ends SHIFT_LENGTH points strictly on one side of the mean, else 0."""
    ends = [0] * len(relative)
    for i in range(SHIFT_LENGTH - 1, len(relative)):
        window = relative[i - SHIFT_LENGTH + 1 : i + 1]
        if relative[i] != 0 and all(r == relative[i] for r in window):
            ends[i] = 1
    return ends


def _part_of_runs(ends: Sequence[int], length: int) -> list[bool]:
    """Whether each point is one of the ``length`` points of a run ending at or after it."""
    return [any(ends[i : i + length]) for i in range(len(ends))]


def _two_of_three(close: Sequence[bool], relative: Sequence[int]) -> list[bool]:
    """Points beyond 2 sigma (inside the limits) that are in a window of three consecutive
    points, all strictly on one side of the mean, at least two of them beyond 2 sigma."""
    n = len(close)
    qualifying = [
        sum(close[s : s + 3]) >= 2 and abs(sum(relative[s : s + 3])) == 3 for s in range(n - 2)
    ]
    return [
        close[i] and any(qualifying[s] for s in range(max(0, i - 2), min(i, n - 3) + 1))
        for i in range(n)
    ]


def _assurance(target: float | None, direction: Direction, segment: SpcSegment) -> Assurance:
    if direction == "neither":
        return "not_applicable"
    if not segment.has_limits:
        return "insufficient_data"
    if target is None:
        return "no_target"
    higher = direction == "higher"
    if target > segment.upper_limit:
        return "consistently_fail" if higher else "consistently_pass"
    if target < segment.lower_limit:
        return "consistently_pass" if higher else "consistently_fail"
    return "hit_and_miss"


def _classify(side: Side, direction: Direction) -> Classification:
    if direction == "neither":
        return "neither_high" if side == "high" else "neither_low"
    better: Side = "high" if direction == "higher" else "low"
    return "improvement" if side == better else "concern"


def _plain_point(index: int, value: float | None, segment: int = 0) -> SpcPoint:
    return SpcPoint(
        index=index,
        value=value,
        special_cause=False,
        rules=(),
        side=None,
        classification=None,
        rule=None,
        segment=segment,
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


def _insufficient_label(min_points: int, since_change: bool) -> str:
    if since_change:
        return f"Not enough data since the change point (fewer than {min_points} points)"
    return f"Not enough data (fewer than {min_points} points)"
