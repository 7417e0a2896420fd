"""Bar charts drawn on the server as SVG, so they read without JavaScript and pass the CSP.

A chart is data (`BarChart`); the geometry is computed here so the template only writes it
out. `{% bar_chart chart %}` (knowledge/templatetags/charts.py) renders
`templates/includes/bar_chart.html`: the SVG, hidden from screen readers, and the same numbers
as a table they read instead. Every bar carries its label and value in text, not in a tooltip.

Horizontal charts (categories: types, topics, regions) put each label on its own line above
its bar, so long labels never collide and the chart fits any width (positions in percent).
Vertical charts (time: years) are drawn at their natural pixel size and scroll sideways on a
narrow screen rather than shrink their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.formats import number_format

Orientation = Literal["horizontal", "vertical"]

ROW, BAR = 34, 12  # horizontal: height of a label line with its bar; bar thickness
COLUMN, PLOT = 40, 160  # vertical: width of one bar with its gap; height of the tallest bar
TOP, AXIS, LEFT = 20, 22, 48  # vertical: room for values above, labels below, the y axis


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str = ""  # where the bar leads (the items it counts); "" for none


@dataclass(frozen=True)
class DrawnBar:
    """One bar placed: a rectangle, its label and its value (SVG attribute values)."""

    bar: Bar
    value_text: str  # the value as the active locale writes it
    x: str
    y: str
    width: str
    height: str
    label_x: str
    label_y: str
    value_x: str
    value_y: str


@dataclass(frozen=True)
class BarChart:
    title: str
    x_label: str  # what the bars are (years, content types)
    y_label: str  # what the values count (items)
    bars: tuple[Bar, ...]
    orientation: Orientation = "horizontal"

    @property
    def horizontal(self) -> bool:
        return self.orientation == "horizontal"

    @property
    def peak(self) -> int:
        return max((bar.value for bar in self.bars), default=0)

    @property
    def peak_text(self) -> str:
        return number_format(self.peak, force_grouping=True)

    @property
    def width(self) -> str:
        """The SVG's width: the container's for horizontal charts, pixels for vertical."""
        return "100%" if self.horizontal else str(LEFT + COLUMN * len(self.bars) + 8)

    @property
    def height(self) -> int:
        if self.horizontal:
            return ROW * len(self.bars) + 2
        return TOP + PLOT + AXIS * 2

    @property
    def baseline(self) -> int:
        """Vertical: the y of the x axis."""
        return TOP + PLOT

    @property
    def axis_end(self) -> int:
        """Vertical: the x where the x axis ends."""
        return LEFT + COLUMN * len(self.bars)

    @property
    def x_label_y(self) -> int:
        return self.height - 4

    @property
    def y_label_x(self) -> int:
        return 14

    @property
    def y_label_y(self) -> int:
        return TOP + PLOT // 2

    @property
    def left(self) -> int:
        return LEFT

    @property
    def top(self) -> int:
        return TOP

    @property
    def drawn(self) -> tuple[DrawnBar, ...]:
        peak = self.peak or 1
        place = self._horizontal if self.horizontal else self._vertical
        return tuple(place(i, bar, bar.value / peak) for i, bar in enumerate(self.bars))

    @staticmethod
    def _horizontal(i: int, bar: Bar, share: float) -> DrawnBar:
        top = i * ROW
        # A non-zero value keeps a sliver, so "1" next to "900" is still seen as a bar.
        width = max(share * 100, 0.6) if bar.value else 0
        return DrawnBar(
            bar,
            _number(bar.value),
            x="0",
            y=str(top + ROW - BAR - 4),
            width=f"{width:.2f}%",
            height=str(BAR),
            label_x="0",
            label_y=str(top + 13),
            value_x="100%",
            value_y=str(top + 13),
        )

    @staticmethod
    def _vertical(i: int, bar: Bar, share: float) -> DrawnBar:
        height = max(PLOT * share, 1.5) if bar.value else 0
        left = LEFT + i * COLUMN
        centre = left + COLUMN / 2
        return DrawnBar(
            bar,
            _number(bar.value),
            x=f"{left + 6}",
            y=f"{TOP + PLOT - height:.1f}",
            width=str(COLUMN - 12),
            height=f"{height:.1f}",
            label_x=f"{centre:g}",
            label_y=str(TOP + PLOT + 16),
            value_x=f"{centre:g}",
            value_y=f"{TOP + PLOT - height - 5:.1f}",
        )


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)
