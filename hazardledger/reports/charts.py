"""Charts drawn on the server as SVG, for the PDF reports (WeasyPrint draws SVG; no script,
no network). Every label is escaped; numbers are laid out on a rounded scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
COLOURS = ("#1f5fa8", "#e08a1e", "#2e8b57", "#c0392b")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]
    colour: str = COLOURS[0]


def nice_step(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1: charts count things)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def scale(peak: float, ticks: int = 4) -> tuple[float, float]:
    """(top, step) of a value axis for data up to ``peak``: whole, round steps."""
    step = nice_step(peak / ticks)
    return step * max(1, math.ceil(peak / step)), step


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value:,.0f}"


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 640,
    height: int = 240,
    percent: bool = False,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series, a legend on top.
    ``percent`` reads the values as fractions and scales to 100 %."""
    left, right, top, bottom = 44, 8, 34, 44
    plot_w = width - left - right
    plot_h = height - top - bottom
    if percent:
        peak, step = 1.0, 0.25
    else:
        peak, step = scale(max((float(v or 0) for s in series for v in s.values), default=0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">'
    ]
    if title:
        parts.append(
            f'<text x="{left}" y="12" font-size="11" font-weight="bold">{escape(title)}</text>'
        )
    x = left
    for item in series:
        parts.append(
            f'<rect x="{x}" y="18" width="10" height="8" fill="{item.colour}"/>'
            f'<text x="{x + 14}" y="26">{escape(item.label)}</text>'
        )
        x += 24 + 11 * len(item.label)
    for tick in range(round(peak / step) + 1):
        value = step * tick
        y = top + plot_h - plot_h * value / peak
        label = f"{value * 100:.0f}%" if percent else _number(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{label}</text>'
        )
    groups = max(len(categories), 1)
    group_w = plot_w / groups
    bar_w = max(1.0, group_w * 0.8 / max(len(series), 1))
    for index, category in enumerate(categories):
        gx = left + index * group_w + group_w * 0.1
        for position, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else 0
            h = 0.0 if peak == 0 else plot_h * min(float(value or 0), peak) / peak
            parts.append(
                f'<rect x="{gx + position * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w * 0.92:.1f}" height="{h:.1f}" fill="{item.colour}"/>'
            )
        cx = left + index * group_w + group_w / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
            f"{escape(category)}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="#333" stroke-width="0.8"/></svg>'
    )
    return "".join(parts)


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str = "",
    width: int = 640,
    colour: str = COLOURS[2],
) -> str:
    """One horizontal bar per label for fractions (0–1); a missing value draws "—"."""
    row_h, left, right, top = 16, 110, 50, 22
    height = top + row_h * max(len(labels), 1) + 8
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">'
    ]
    if title:
        parts.append(f'<text x="0" y="12" font-size="11" font-weight="bold">{escape(title)}</text>')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 11}">—</text>')
            continue
        w = plot_w * max(0.0, min(value, 1.0))
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row_h - 5}" fill="{colour}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 11}">{value * 100:.1f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
