# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The consumption chart of the history page: bars by month per register,
drawn on the server as SVG (no script, no outside library); the page
shows the same numbers in a table for screen readers and small screens."""
from dataclasses import dataclass, field
from decimal import Decimal

from ..reading import month_add

MONTHS = 12
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40
COLORS = ['#1f6fb2', '#e07b00', '#2e8540']


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)
    months: list = field(default_factory=list)  # (x, period)
    ticks: list = field(default_factory=list)  # (y, value)
    series: list = field(default_factory=list)  # (register, color)
    table: list = field(default_factory=list)  # (period, [values])
    base: float = HEIGHT - BOTTOM

    @property
    def empty(self):
        return not any(v for _, values in self.table for v in values)


def _nice(value):
    "A round maximum of the axis above value"
    if value <= 0:
        return Decimal(10)
    step = Decimal(10) ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def history_chart(meter, readings):
    """The chart of the valid readings' consumption over the last MONTHS
    periods that have readings"""
    valid = [r for r in readings
        if r.state == 'valid' and r.consumption is not None]
    registers = list(meter.registers)
    chart = Chart(series=[
            (register, COLORS[i % len(COLORS)])
            for i, register in enumerate(registers)])
    if not valid:
        return chart
    last = max(r.period for r in valid)
    periods = [month_add(last, -i) for i in range(MONTHS - 1, -1, -1)]
    totals = {}
    for reading in valid:
        key = (reading.register.id, reading.period)
        totals[key] = totals.get(key, Decimal(0)) + reading.consumption
    chart.table = [
        (period, [totals.get((r.id, period)) for r in registers])
        for period in periods]
    top = _nice(max(totals.values()))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(periods)
    bar_width = slot * 0.8 / max(len(registers), 1)
    for i, (period, values) in enumerate(chart.table):
        x0 = LEFT + i * slot + slot * 0.1
        chart.months.append((LEFT + i * slot + slot / 2, period))
        for j, value in enumerate(values):
            if not value:
                continue
            height = float(value / top) * plot_height
            chart.bars.append(Bar(
                    x=round(x0 + j * bar_width, 1),
                    y=round(TOP + plot_height - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    color=chart.series[j][1],
                    label='%s: %s' % (registers[j].code, value)))
    for k in range(5):
        value = top * k / 4
        chart.ticks.append(
            (round(TOP + plot_height - plot_height * k / 4, 1), value))
    return chart
