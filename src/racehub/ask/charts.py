"""Small SVG bar charts for answers people would rather look at than read: a series across years, or a
distribution (age groups, states, clubs). Plain SVG text, no plotting library: the chart is a few rects."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH = 640
BAR_AREA = 360
ROW = 22


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def bar_chart(columns: list[str], rows: list[list[Any]], spec: str, *, title: str) -> str | None:
    """A horizontal bar chart of `rows` by `spec` ("bar:<label column>:<value column>"); None when the rows
    do not fit one (no numbers, or more than 40 bars)."""
    _, label_col, value_col = spec.split(":", 2)
    if label_col not in columns or value_col not in columns or not 2 <= len(rows) <= 40:
        return None
    li, vi = columns.index(label_col), columns.index(value_col)
    bars = [(str(r[li]), _number(r[vi])) for r in rows]
    if any(v is None for _, v in bars):
        return None
    top = max(v for _, v in bars if v is not None) or 1.0
    height = 48 + ROW * len(bars) + 16
    label_w = WIDTH - BAR_AREA - 90
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="system-ui, sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="22" font-size="13" font-weight="600" fill="#1f2937">{escape(title[:90])}</text>',
    ]
    for k, (label, value) in enumerate(bars):
        assert value is not None
        y = 40 + k * ROW
        w = max(1.0, BAR_AREA * value / top)
        shown = f"{int(value):,}" if value == int(value) else f"{value:,.1f}"
        parts.append(
            f'<text x="{label_w}" y="{y + 14}" text-anchor="end" fill="#374151">{escape(label[:32])}</text>'
        )
        parts.append(
            f'<rect x="{label_w + 8}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" rx="2" fill="#2563eb"/>'
        )
        parts.append(f'<text x="{label_w + 14 + w:.1f}" y="{y + 14}" fill="#111827">{shown}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
