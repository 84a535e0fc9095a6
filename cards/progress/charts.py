"""Geometry for the server-drawn SVG charts; the templates only draw it."""

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from django.utils.safestring import SafeString, mark_safe

from prep_site import words
from prep_site.when import format_date, format_month, format_short_date

CELL = 11
GAP = 2
STEP = CELL + GAP
WEEKDAY_LABELS = ["Mon", "", "Wed", "", "Fri", "", ""]
# The columns a month's name takes above the heatmap.
MONTH_LABEL_COLUMNS = 3
# The width a date tick ("24 Dec") takes under a bar chart.
TICK_WIDTH = 40


@dataclass
class Cell:
    x: int
    y: int
    day: date
    count: int
    level: int

    @property
    def label(self) -> str:
        """The day as every page writes it ("Wed 25 Nov 2026")."""
        return format_date(self.day)

    @property
    def title(self) -> str:
        return f"{self.label}: {words.count(self.count, 'review')}"


@dataclass
class Heatmap:
    cells: list[Cell]
    months: list[tuple[int, str]]
    width: int
    height: int
    total: int
    days_studied: int
    weekday_labels: list[tuple[int, str]]

    # A year of cells drawn through the template's loop costs more than the
    # rest of the dashboard: the markup of each is written here in one go.
    def cells_svg(self) -> SafeString:
        return mark_safe(
            "".join(
                f'<rect x="{cell.x}" y="{cell.y}" width="{CELL}" height="{CELL}" rx="2" '
                f'class="hm-{cell.level}"><title>{escape(cell.title)}</title></rect>'
                for cell in self.cells
            )
        )

    def table_rows(self) -> SafeString:
        """The days with reviews, as rows of the table under the chart."""
        return mark_safe(
            "".join(
                f"<tr><td>{escape(cell.label)}</td><td>{cell.count}</td></tr>"
                for cell in self.cells
                if cell.count
            )
        )


def _level(count: int, peak: int) -> int:
    if count == 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // max(peak, 1))


def heatmap(day_counts: dict[date, int], today: date, weeks: int = 53) -> Heatmap:
    """A year of review counts as a grid: a column a week, Monday on top."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    left, top = 30, 18
    window = {d: n for d, n in day_counts.items() if first <= d <= today}
    peak = max(window.values(), default=0)
    cells, months = [], []
    last_month = None
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        week, weekday = divmod(offset, 7)
        x, y = left + week * STEP, top + weekday * STEP
        count = window.get(day, 0)
        cells.append(Cell(x=x, y=y, day=day, count=count, level=_level(count, peak)))
        if weekday == 0 and day.month != last_month:
            months.append((x, format_month(day)))
            last_month = day.month
    # A month's name is written where it has room before the next one's, or
    # before the grid's edge: the first and the last month may have only a
    # column or two ("NovDec", or a "Dec" cut off at the right).
    width = left + weeks * STEP
    ends = [x for x, _name in months[1:]] + [width]
    months = [
        (x, name)
        for (x, name), end in zip(months, ends, strict=True)
        if end - x >= MONTH_LABEL_COLUMNS * STEP
    ]
    return Heatmap(
        cells=cells,
        months=months,
        width=width,
        height=top + 7 * STEP,
        total=sum(window.values()),
        days_studied=len(window),
        weekday_labels=[
            (top + i * STEP + CELL - 2, label) for i, label in enumerate(WEEKDAY_LABELS)
        ],
    )


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    tick: str


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    peak: int
    baseline: int

    # Drawn here for the same reason as the heatmap's cells.
    def bars_svg(self) -> SafeString:
        parts = []
        for bar in self.bars:
            parts.append(
                f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                f'class="chart-bar"><title>{escape(bar.label)}: {bar.value} due</title></rect>'
            )
            if bar.tick:
                parts.append(
                    f'<text x="{bar.x}" y="{self.height - 6}" class="chart-label">'
                    f"{escape(bar.tick)}</text>"
                )
        return mark_safe("".join(parts))

    def table_rows(self) -> SafeString:
        return mark_safe(
            "".join(
                f"<tr><td>{escape(bar.label)}</td><td>{bar.value}</td></tr>" for bar in self.bars
            )
        )


def bar_chart(points: list[tuple[date, int]], *, width: int = 620, height: int = 160) -> BarChart:
    """Vertical bars for counts per day, with a date tick every week."""
    left, bottom, top = 34, 22, 8
    plot_height = height - bottom - top
    peak = max((value for _, value in points), default=0)
    slot = (width - left) / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = plot_height * value / peak if peak else 0
        x = round(left + index * slot + 1, 1)
        # A week's date tick, where the whole of "24 Dec" fits inside the chart.
        ticked = index % 7 == 0 and x + TICK_WIDTH <= width
        bars.append(
            Bar(
                x=x,
                y=round(top + plot_height - bar_height, 1),
                width=round(max(slot - 2, 1), 1),
                height=round(bar_height, 1),
                label=format_date(day),
                value=value,
                tick=format_short_date(day) if ticked else "",
            )
        )
    return BarChart(bars=bars, width=width, height=height, peak=peak, baseline=top + plot_height)
