"""Server-rendered, accessible SVG charts: XmR charts, sparklines and band bars.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that says in words what the
chart shows; pages always put a table of the same numbers beside it. Special-cause points are
marked by shape (triangle improving, diamond concerning, square neither) and not only by colour.
No JavaScript, so the charts print and work everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import spc

BLUE = "#005eb8"
GREY = "#4c6272"
DARK = "#212b32"
ORANGE = "#b35900"  # concerning (4.5:1 on white)
IMPROVING = "#005eb8"
NEITHER = "#6b3fa0"
TARGET = "#d5281b"


def fmt_number(value: float | None, unit: str = "") -> str:
    """A number as shown on pages and in chart text."""
    if value is None:
        return "no data"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "score":
        return f"{value:.1f}"
    return f"{value:.2f}"


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def _svg_open(width: int, height: int, chart_id: str, title: str, desc: str, css: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="app-chart {css}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _scale(lo: float, hi: float, top: float, bottom: float):
    if hi == lo:
        hi, lo = hi + 1, lo - 1

    def y(value: float) -> float:
        return round(bottom - (value - lo) / (hi - lo) * (bottom - top), 1)

    return y


def _marker(x: float, y: float, point: spc.SpcPoint, size: float = 5.0) -> str:
    """A point's mark: its shape tells the special-cause kind, colour only repeats it."""
    s = size
    if not point.special_cause:
        return f'<circle cx="{x}" cy="{y}" r="{s - 1.5}" fill="{GREY}"/>'
    if point.classification == "improvement":
        pts = f"{x},{y - s - 1} {x - s - 1},{y + s} {x + s + 1},{y + s}"
        return f'<polygon points="{pts}" fill="{IMPROVING}" stroke="{DARK}" stroke-width="1"/>'
    if point.classification == "concern":
        pts = f"{x},{y - s - 2} {x + s + 2},{y} {x},{y + s + 2} {x - s - 2},{y}"
        return f'<polygon points="{pts}" fill="{ORANGE}" stroke="{DARK}" stroke-width="1"/>'
    return (
        f'<rect x="{x - s}" y="{y - s}" width="{2 * s}" height="{2 * s}" '
        f'fill="{NEITHER}" stroke="{DARK}" stroke-width="1"/>'
    )


POINT_KIND_LABELS = {
    "improvement": "special cause, improving (triangle)",
    "concern": "special cause, concerning (diamond)",
    "neither_high": "special cause, higher than expected (square)",
    "neither_low": "special cause, lower than expected (square)",
}


def rule_labels(trend_length: int | None = None) -> dict[str, str]:
    """Each special-cause rule in words (the trend length is a setting)."""
    trend = trend_length or spc.trend_length_setting()
    return {
        spc.RULE_OUTSIDE_LIMITS: "outside the process limits",
        spc.RULE_TREND: f"{trend} or more points rising or falling",
        spc.RULE_TWO_OF_THREE: "2 of 3 points beyond two thirds of the way to a limit",
        spc.RULE_SHIFT: f"{spc.SHIFT_LENGTH} or more points on one side of the mean",
    }


def point_words(point: spc.SpcPoint, trend_length: int | None = None) -> str:
    """A point's special-cause status in words, for tables and descriptions: the rule that
    decides it first, then any other rule that also flags it."""
    if not point.special_cause:
        return "Common cause"
    labels = rule_labels(trend_length)
    words = labels[point.rule or point.rules[0]]
    others = [labels[rule] for rule in point.rules if rule != (point.rule or point.rules[0])]
    if others:
        words += f" (also {', '.join(others)})"
    return f"{POINT_KIND_LABELS[point.classification].split(' (')[0].capitalize()}: {words}"


def xmr_chart(
    *,
    chart_id: str,
    title: str,
    months: Sequence[date],
    result: spc.SpcResult,
    unit: str,
    width: int = 720,
    height: int = 340,
    reasons: dict[int, str] | None = None,
    definition_changes: dict[int, str] | None = None,
) -> SafeString:
    """An XmR chart of ``result`` (from :func:`dashboard.spc.analyse`) over ``months``.

    Each segment (the window, or from each change point on) has its own mean and limits; a
    change point is drawn as a vertical line labelled with its reason (``reasons``: position in
    ``months`` -> the reason the chair recorded). A month from which a new version of the
    metric's definition applies (``definition_changes``: position -> its label) is marked with a
    dotted vertical line.

    Text is 14 units high: 14 px on screen at the natural width, and at least 12 px printed on A4
    (the 720-unit chart prints about 700 px wide). The key takes two lines under the axis, and the
    last month's label ends at the last point, so nothing is clipped."""
    reasons = reasons or {}
    values = [p.value for p in result.points]
    present = [v for v in values if v is not None]
    left, right, top, bottom = 72, width - 16, 16, height - 76
    if result.change_points:
        top = 40  # room for the change points' labels
    lines = [
        v
        for segment in result.segments
        for v in (segment.upper_limit, segment.lower_limit, segment.mean)
        if v is not None
    ] + ([result.target] if result.target is not None else [])
    if not present:
        desc = f"No values for {title} in the period."
        return mark_safe(
            _svg_open(width, 60, chart_id, title, desc)
            + f'<text x="8" y="30" fill="{DARK}" font-size="14">No data</text></svg>'
        )
    lo, hi = min(present + lines), max(present + lines)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1
    lo, hi = lo - pad, hi + pad
    if unit in ("percent", "count", "ratio", "score") and lo < 0 <= min(present + lines):
        lo = 0.0
    y = _scale(lo, hi, top, bottom)
    n = len(values)
    step = (right - left) / max(n - 1, 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    parts = [
        _svg_open(width, height, chart_id, title, _xmr_desc(title, months, result, unit, reasons))
    ]
    # y axis with five ticks
    for k in range(5):
        tick = lo + (hi - lo) * k / 4
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{ty}" y2="{ty}" stroke="#d8dde0" '
            'stroke-width="1"/>'
            f'<text x="{left - 6}" y="{ty + 4}" text-anchor="end" font-size="14" '
            f'fill="{DARK}">{escape(fmt_number(tick, unit))}</text>'
        )
    every = max(1, n // 8)
    for i, month in enumerate(months):
        if (i % every == 0 and n - 1 - i >= max(every, 2)) or i == n - 1:
            anchor = "end" if i == n - 1 and n > 1 else ("start" if i == 0 else "middle")
            parts.append(
                f'<text x="{x(i)}" y="{bottom + 20}" text-anchor="{anchor}" font-size="14" '
                f'fill="{DARK}">{month.strftime("%b %y")}</text>'
            )
    for segment in result.segments:
        if segment.start >= n:
            continue
        # A segment's lines run from half a step before its first month to half a step after
        # its last, so neighbouring segments' lines meet at the break.
        x1 = left if segment.start == 0 else round(x(segment.start) - step / 2, 1)
        x2 = right if segment.end >= n else round(x(segment.end - 1) + step / 2, 1)
        if segment.has_limits:
            drawn = (
                (segment.upper_limit, "Upper process limit", "6 4"),
                (segment.lower_limit, "Lower process limit", "6 4"),
                (segment.mean, "Mean", ""),
            )
        elif segment.mean is not None:
            drawn = ((segment.mean, "Mean", ""),)
        else:
            drawn = ()
        for value, label, dash in drawn:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x1}" x2="{x2}" y1="{y(value)}" y2="{y(value)}" '
                f'stroke="{GREY}" stroke-width="1.5"{dash_attr}><title>{label} '
                f"{escape(fmt_number(value, unit))}</title></line>"
            )
        if segment.change_point:
            bx = round(x(segment.start) - step / 2, 1)
            reason = reasons.get(segment.start, "")
            label = f"Change point {month_label(months[segment.start])}"
            parts.append(
                f'<line x1="{bx}" x2="{bx}" y1="{top - 24}" y2="{bottom}" stroke="{DARK}" '
                f'stroke-width="2"><title>{escape(label)}'
                f"{escape(': ' + reason) if reason else ''}</title></line>"
                f'<text x="{bx + 4}" y="{top - 12}" font-size="14" fill="{DARK}">'
                f"{escape(_shorten(reason or label, 40))}</text>"
            )
    for position, label in sorted((definition_changes or {}).items()):
        dx = round(x(position) - step / 2, 1) if position else left
        parts.append(
            f'<line x1="{dx}" x2="{dx}" y1="{top}" y2="{bottom}" stroke="{DARK}" '
            f'stroke-width="2" stroke-dasharray="1 4"><title>{escape(label)}</title></line>'
        )
    if result.target is not None:
        ty = y(result.target)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{ty}" y2="{ty}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="2 3"/>'
            f'<text x="{left + 4}" y="{ty - 4}" font-size="14" '
            f'fill="{TARGET}">Target {escape(fmt_number(result.target, unit))}</text>'
        )
    path = []
    for i, value in enumerate(values):
        if value is None:
            continue
        path.append(f"{'M' if not path or values[i - 1] is None else 'L'}{x(i)},{y(value)}")
    parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    for i, point in enumerate(result.points):
        if point.value is not None:
            parts.append(_marker(x(i), y(point.value), point))
    parts.append(
        f'<text x="8" y="{height - 28}" font-size="14" fill="{DARK}">'
        "Key: circle common cause; triangle improving; diamond concerning; square neither;</text>"
        f'<text x="8" y="{height - 8}" font-size="14" fill="{DARK}">'
        "dashed grey process limits; red dotted target"
        + ("; solid black line change point" if result.change_points else "")
        + ("; dotted black line new definition" if definition_changes else "")
        + ".</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _shorten(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "\u2026"


def segment_words(
    months: Sequence[date], result: spc.SpcResult, unit: str, reasons: dict[int, str] | None = None
) -> list[str]:
    """Each segment's mean and limits in words; a segment after a change point says so."""
    reasons = reasons or {}
    words = []
    for segment in result.segments:
        if segment.start >= len(months):
            continue
        lead = ""
        if segment.change_point:
            reason = reasons.get(segment.start)
            lead = f"From the change point in {month_label(months[segment.start])}" + (
                f" ({reason})" if reason else ""
            )
            lead += ": "
        if segment.has_limits:
            body = (
                f"mean {fmt_number(segment.mean, unit)}, process limits "
                f"{fmt_number(segment.lower_limit, unit)} to "
                f"{fmt_number(segment.upper_limit, unit)}."
            )
        else:
            body = (
                f"not enough data for process limits ({segment.points} of at least "
                f"{result.min_points} points)."
            )
        words.append((lead + body)[0].upper() + (lead + body)[1:])
    return words


def _xmr_desc(
    title: str,
    months: Sequence[date],
    result: spc.SpcResult,
    unit: str,
    reasons: dict[int, str] | None = None,
) -> str:
    present = [(m, p) for m, p in zip(months, result.points, strict=True) if p.value is not None]
    first, last = present[0], present[-1]
    words = [
        f"{title} from {month_label(first[0])} ({fmt_number(first[1].value, unit)}) "
        f"to {month_label(last[0])} ({fmt_number(last[1].value, unit)})."
    ]
    if result.change_points or result.has_limits:
        words.extend(segment_words(months, result, unit, reasons))
    if result.target is not None:
        words.append(f"Target {fmt_number(result.target, unit)}.")
    special = [m for m, p in present if p.special_cause]
    if special:
        words.append(
            f"{len(special)} special-cause points: " + ", ".join(month_label(m) for m in special)
        )
    words.append(f"{result.variation_label}. {result.assurance_label}.")
    return " ".join(words)


def sparkline(
    *,
    chart_id: str,
    title: str,
    values: Sequence[float | None],
    unit: str,
    months=None,
    annual: bool = False,
    quarterly: bool = False,
) -> SafeString:
    """A small trend line (last point marked) with a title and a description in words;
    ``annual``: one point per survey year (``months`` holds each year's January);
    ``quarterly``: one point per quarter (``months`` holds each quarter's first month)."""
    width, height, pad = 120, 32, 4
    present = [v for v in values if v is not None]
    noun = "survey years" if annual else "quarters" if quarterly else "months"
    if len(present) < 2:
        desc = f"Not enough {noun} with data to draw a trend."
        return mark_safe(
            _svg_open(width, height, chart_id, title, desc, "app-sparkline")
            + f'<text x="2" y="20" font-size="11" fill="{DARK}">no trend</text></svg>'
        )
    lo, hi = min(present), max(present)
    y = _scale(lo, hi, pad, height - pad)
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    path, last = [], None
    for i, value in enumerate(values):
        if value is None:
            continue
        xi = round(pad + i * step, 1)
        path.append(f"{'M' if not path or values[i - 1] is None else 'L'}{xi},{y(value)}")
        last = (xi, y(value))
    span = ""
    if months and annual:
        span = f" from {months[0].year} to {months[-1].year}"
    elif months:
        span = f" from {month_label(months[0])} to {month_label(months[-1])}"
    desc = (
        f"Trend of {len(present)} {noun}{span}: first {fmt_number(present[0], unit)}, "
        f"latest {fmt_number(present[-1], unit)}, lowest {fmt_number(lo, unit)}, "
        f"highest {fmt_number(hi, unit)}."
    )
    return mark_safe(
        _svg_open(width, height, chart_id, title, desc, "app-sparkline")
        + f'<path d="{" ".join(path)}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>'
        + f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5" fill="{DARK}"/></svg>'
    )


NO_BAR = "fewer than 5 or no data"  # a bar's value is missing or suppressed (the chart can't tell)


def band_bars(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[tuple[str, float | None]],
    overall: float | None,
    unit: str = "percent",
) -> SafeString:
    """Horizontal bars (a percentage per band, or a count with ``unit="count"``) with a line at
    the overall share."""
    row_h, left, width = 26, 150, 640
    right = width - 60
    height = row_h * len(bars) + 40
    values = [v for _, v in bars if v is not None] + ([overall] if overall is not None else [])
    hi = max(values, default=0.0)  # every bar may be suppressed
    hi = max(hi, 1.0) * 1.1
    words = "; ".join(
        f"{label} {fmt_number(v, unit) if v is not None else NO_BAR}" for label, v in bars
    )
    desc = f"{title}. {words}."
    if overall is not None:
        desc += f" Overall share {fmt_number(overall, 'percent')}, shown as a vertical line."
    parts = [_svg_open(width, height, chart_id, title, desc)]
    for i, (label, value) in enumerate(bars):
        top = 8 + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{top + 16}" text-anchor="end" font-size="12" '
            f'fill="{DARK}">{escape(label)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{left + 4}" y="{top + 16}" font-size="12" fill="{DARK}">{NO_BAR}</text>'
            )
            continue
        w = round((right - left) * value / hi, 1)
        parts.append(
            f'<rect x="{left}" y="{top + 4}" width="{w}" height="{row_h - 8}" fill="{BLUE}"/>'
            f'<text x="{left + w + 4}" y="{top + 16}" font-size="12" fill="{DARK}">'
            f"{escape(fmt_number(value, unit))}</text>"
        )
    if overall is not None:
        ox = round(left + (right - left) * overall / hi, 1)
        bottom = 8 + len(bars) * row_h
        parts.append(
            f'<line x1="{ox}" x2="{ox}" y1="4" y2="{bottom}" stroke="{TARGET}" stroke-width="2" '
            f'stroke-dasharray="4 3"/><text x="{ox}" y="{bottom + 18}" text-anchor="middle" '
            f'font-size="12" fill="{TARGET}">Overall {escape(fmt_number(overall, "percent"))}'
            "</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def peer_box(
    *,
    chart_id: str,
    title: str,
    stats,
    value: float | None,
    label: str,
    unit: str,
) -> SafeString:
    """A horizontal box plot of a peer group (``dashboard.models.PeerStat``): a line from the
    lowest to the highest figure, a box from the lower to the upper quartile with the median
    across it, and ``value`` (the provider's own figure, None when not shown) as a diamond."""
    width, height, left, right = 640, 110, 20, 620
    points = [stats.minimum, stats.maximum] + ([value] if value is not None else [])
    lo, hi = min(points), max(points)
    if hi == lo:
        lo, hi = lo - 1, hi + 1

    def x(v: float) -> float:
        return round(left + (v - lo) / (hi - lo) * (right - left), 1)

    words = (
        f"Lowest {fmt_number(stats.minimum, unit)}, lower quartile "
        f"{fmt_number(stats.lower_quartile, unit)}, median {fmt_number(stats.median, unit)}, "
        f"upper quartile {fmt_number(stats.upper_quartile, unit)}, highest "
        f"{fmt_number(stats.maximum, unit)}"
    )
    desc = f"{title}. {words}."
    if value is not None:
        desc += f" {label}: {fmt_number(value, unit)}, shown as a diamond."
    mid = 50
    parts = [
        _svg_open(width, height, chart_id, title, desc),
        f'<line x1="{x(stats.minimum)}" x2="{x(stats.maximum)}" y1="{mid}" y2="{mid}" '
        f'stroke="{GREY}" stroke-width="2"/>',
        f'<rect x="{x(stats.lower_quartile)}" y="{mid - 16}" '
        f'width="{max(x(stats.upper_quartile) - x(stats.lower_quartile), 1)}" height="32" '
        f'fill="#e8edee" stroke="{BLUE}" stroke-width="2"/>',
        f'<line x1="{x(stats.median)}" x2="{x(stats.median)}" y1="{mid - 16}" y2="{mid + 16}" '
        f'stroke="{DARK}" stroke-width="3"/>',
    ]
    for v, text in ((stats.minimum, "Lowest"), (stats.maximum, "Highest")):
        parts.append(
            f'<line x1="{x(v)}" x2="{x(v)}" y1="{mid - 8}" y2="{mid + 8}" stroke="{GREY}" '
            f'stroke-width="2"/><text x="{x(v)}" y="{mid + 32}" text-anchor="middle" '
            f'font-size="12" fill="{DARK}">{text} {escape(fmt_number(v, unit))}</text>'
        )
    parts.append(
        f'<text x="{x(stats.median)}" y="{mid - 22}" text-anchor="middle" font-size="12" '
        f'fill="{DARK}">Median {escape(fmt_number(stats.median, unit))}</text>'
    )
    if value is not None:
        vx = x(value)
        parts.append(
            f'<path d="M{vx} {mid - 9} L{vx + 9} {mid} L{vx} {mid + 9} L{vx - 9} {mid} Z" '
            f'fill="{ORANGE}" stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{vx}" y="{height - 4}" text-anchor="middle" font-size="12" '
            f'fill="{ORANGE}">{escape(label)} {escape(fmt_number(value, unit))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
