"""The dashboard's charts drawn as SVG for the annual report's PDF (WeasyPrint draws SVG; no
JavaScript runs in a worker). Each chart reads the same figures as the dashboard
(``reports.figures``) and writes every value beside its bar or point, so nothing is told by colour
alone.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from core.govuk import money

Number = int | float | Decimal | None

WIDTH = 480  # points: the A4 page's width inside its margins, less a little
LABEL_WIDTH = 170
VALUE_WIDTH = 70
BAR = 11
GAP = 7
FONT = "DejaVu Sans, sans-serif"
TEXT = "#1b1b1b"
AXIS = "#6f6f6f"
# Colours with at least 3:1 contrast against white, as WCAG asks of graphics.
NO_VALUE = "\N{EN DASH}"
BLUE, RED, GREEN, ORANGE = "#1d5fa8", "#b3261e", "#2e7d32", "#a35200"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]
    colour: str


def _number(value: Number) -> float:
    return float(value) if value is not None else 0.0


def _text(
    x: float, y: float, words: str, *, anchor: str = "start", size: float = 8, **extra
) -> str:
    attributes = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'fill="{TEXT}" text-anchor="{anchor}"{attributes}>{escape(words)}</text>'
    )


def _shorten(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(height: float, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text in it was escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}pt" height="{height:.0f}pt" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts: list[str] = []
    x = float(LABEL_WIDTH)
    for one in series:
        parts.append(f'<rect x="{x}" y="{y - 8}" width="9" height="9" fill="{one.colour}"/>')
        parts.append(_text(x + 13, y, one.name))
        x += 20 + 5.2 * len(one.name)
    return parts


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    shown: Callable[[Number], str] = lambda value: NO_VALUE if value is None else f"{value:g}",
) -> SafeString:
    """Horizontal bars, one group per label and one bar per series, each with its value."""
    legend = len(series) > 1
    top = 16.0 if legend else 4.0
    group = len(series) * BAR + GAP
    height = top + len(labels) * group + 4
    largest = max((_number(v) for one in series for v in one.values), default=0.0) or 1.0
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    body = _legend(series, 9) if legend else []
    for row, label in enumerate(labels):
        y = top + row * group
        middle = y + len(series) * BAR / 2 + 3
        body.append(_text(LABEL_WIDTH - 6, middle, _shorten(label), anchor="end"))
        for index, one in enumerate(series):
            value = one.values[row]
            length = _number(value) * scale
            bar_y = y + index * BAR
            if length > 0:
                body.append(
                    f'<rect x="{LABEL_WIDTH}" y="{bar_y:.1f}" width="{length:.1f}" '
                    f'height="{BAR - 2}" fill="{one.colour}"/>'
                )
            body.append(_text(LABEL_WIDTH + length + 4, bar_y + BAR - 3, shown(value), size=7.5))
    body.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top - 2}" x2="{LABEL_WIDTH}" '
        f'y2="{height - 4:.1f}" stroke="{AXIS}" stroke-width="0.8"/>'
    )
    return _svg(height, body, title)


def _nice_step(largest: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` divisions."""
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power  # pragma: no cover - the loop always returns


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, shown: Callable[[Number], str]
) -> SafeString:
    """Lines over time (one point per label), a y axis in round steps, the last value of each
    line written at its end."""
    left, right, top, bottom = 62.0, 80.0, 22.0, 42.0
    height = 230.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    largest = max((_number(v) for one in series for v in one.values), default=0.0)
    step = _nice_step(largest) if largest > 0 else 1.0
    ceiling = step * math.ceil(largest / step) if largest > 0 else step
    body = _legend(series, 10)
    ticks = round(ceiling / step)
    for tick in range(ticks + 1):
        value = tick * step
        y = top + plot_h - value / ceiling * plot_h
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#d0d0d0" stroke-width="0.6"/>'
        )
        body.append(_text(left - 5, y + 3, shown(value), anchor="end", size=7))
    count = len(labels)
    gap = plot_w / max(count - 1, 1)
    every = max(1, math.ceil(count / 8))  # at most about eight labels along the bottom
    for index, label in enumerate(labels):
        if index % every == 0 or index == count - 1:
            x = left + index * gap
            # "Apr to Jun 2026" on two lines: the months, and the year beneath.
            months, _, year = label.rpartition(" ")
            body.append(_text(x, top + plot_h + 12, months or year, anchor="middle", size=6.5))
            if months:
                body.append(_text(x, top + plot_h + 21, year, anchor="middle", size=6.5))
    for one in series:
        points = [
            (left + index * gap, top + plot_h - _number(value) / ceiling * plot_h)
            for index, value in enumerate(one.values)
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{one.colour}" stroke-width="1.6"/>'
        )
        body += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{one.colour}"/>' for x, y in points
        ]
        last_x, last_y = points[-1]
        body.append(_text(last_x + 4, last_y + 3, shown(one.values[-1]), size=7))
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )
    return _svg(height, body, title)


def _pounds(value: Number) -> str:
    """Whole pounds, as the report writes its figures ("£87,300")."""
    if value is None:
        return NO_VALUE
    return money(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _days(value: Number) -> str:
    return "no decisions yet" if value is None else f"{value:g} days"


def report_charts(figures: dict) -> list[tuple[str, str, SafeString]]:
    """(title, what it shows, SVG) for each of the dashboard's charts, from its figures."""
    statuses = [(label, count) for label, count in figures["by_status"] if count]
    themes = [(label, count) for label, count in figures["by_theme"] if count]
    pending, days = figures["pending"], figures["decision_days"]
    benefits, over_time = figures["benefits"], figures["benefits_over_time"]
    charts = [
        (
            "Opportunities by status",
            "How many of the board's opportunities are at each stage (stages with none left out).",
            bar_chart(
                "Opportunities by status",
                [label for label, _ in statuses],
                [Series("Opportunities", [count for _, count in statuses], BLUE)],
            ),
        ),
        (
            "Opportunities by theme",
            "How many of the board's opportunities fall under each theme.",
            bar_chart(
                "Opportunities by theme",
                [label for label, _ in themes],
                [Series("Opportunities", [count for _, count in themes], BLUE)],
            ),
        ),
        (
            "Decisions pending per body",
            "Referrals of current recommendations awaiting each body's decision, and how many of "
            "them are past their due date.",
            bar_chart(
                "Decisions pending and overdue per body",
                [row.body.short_name for row in pending],
                [
                    Series("Pending", [row.pending for row in pending], BLUE),
                    Series("Overdue", [row.overdue for row in pending], RED),
                ],
            ),
        ),
        (
            "Average days to decision",
            "From a referral being sent to the body's final decision, over its decided referrals.",
            bar_chart(
                "Average days from referral to decision per body",
                [row.body.short_name for row in days],
                [Series("Days", [row.days for row in days], ORANGE)],
                shown=_days,
            ),
        ),
        (
            "Cashable benefits per body",
            "Each body's current estimates against what reviews recorded as realised.",
            bar_chart(
                "Cashable benefits estimated and realised per body",
                [row.body.short_name for row in benefits],
                [
                    Series("Estimated", [row.estimated for row in benefits], BLUE),
                    Series("Realised", [row.realised for row in benefits], GREEN),
                ],
                shown=_pounds,
            ),
        ),
    ]
    if over_time:
        charts.append(
            (
                "Benefits over time",
                "Quarter by quarter up to the report's date: cashable benefits realised to date, "
                "and the benefits then expected, placed where each estimate was made.",
                line_chart(
                    "Cashable benefits over time",
                    [row["label"] for row in over_time],
                    [
                        Series("Expected", [row["estimated"] for row in over_time], BLUE),
                        Series("Realised to date", [row["realised"] for row in over_time], GREEN),
                    ],
                    shown=_pounds,
                ),
            )
        )
    return charts
