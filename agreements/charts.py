"""Bar charts drawn on the server as SVG: no JavaScript library, nothing fetched
from another host, readable without colour (every bar carries its number).

`bar_chart` turns (label, value, link) rows into coordinates; the template
`_bar_chart.html` draws them. Right-to-left pages get the mirror image: labels
on the right, bars growing to the left.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 480
LABEL_WIDTH = 170
VALUE_ROOM = 48
BAR_HEIGHT = 22
GAP = 10
PADDING = 6


@dataclass
class Bar:
    label: str
    value: int
    href: str
    y: int
    bar_x: float
    bar_width: float
    label_x: float
    label_anchor: str
    value_x: float
    value_anchor: str
    text_y: float


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    total: int


def bar_chart(rows: list[tuple[str, int, str]], *, rtl: bool, scale: int | None = None) -> BarChart:
    """Coordinates of a horizontal bar chart. The SVG is drawn with direction="ltr"
    so that x grows to the right in both languages; `rtl` mirrors the layout.
    `scale`: the value of a full-length bar (100 for percentages); the largest
    value otherwise."""
    largest = scale or max((value for _label, value, _href in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    bars = []
    for index, (label, value, href) in enumerate(rows):
        y = PADDING + index * (BAR_HEIGHT + GAP)
        width = room * value / largest
        if value and width < 2:
            width = 2  # a non-zero count is always visible
        if rtl:
            bar_x = WIDTH - LABEL_WIDTH - width
            label_x, label_anchor = WIDTH - PADDING, "end"
            value_x, value_anchor = bar_x - 6, "end"
        else:
            bar_x = LABEL_WIDTH
            label_x, label_anchor = LABEL_WIDTH - 8, "end"
            value_x, value_anchor = bar_x + width + 6, "start"
        bars.append(
            Bar(
                label=label,
                value=value,
                href=href,
                y=y,
                bar_x=round(bar_x, 1),
                bar_width=round(width, 1),
                label_x=label_x,
                label_anchor=label_anchor,
                value_x=round(value_x, 1),
                value_anchor=value_anchor,
                text_y=y + BAR_HEIGHT * 0.72,
            )
        )
    height = PADDING * 2 + len(rows) * (BAR_HEIGHT + GAP)
    total = sum(value for _label, value, _href in rows)
    return BarChart(bars=bars, width=WIDTH, height=height, total=total)
