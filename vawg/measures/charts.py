"""An indicator's line chart: its values, the target trajectory and the baseline.

Drawn by matplotlib (the Agg backend, no display needed) as SVG for pages and
PNG for reports. Lines differ in style and marker as well as colour, so the
chart can be read without colour; every page also shows the same data as a
table. Values are drawn as the viewer is shown them (core.disclosure): a hidden one
is left out (a gap), never drawn, and the table says "fewer than 5" or "not shown".
"""

import io
import math
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure as Drawing  # noqa: E402

from vawg.core.metrics import Unit  # noqa: E402
from vawg.measures.formatting import UNIT_SUFFIX  # noqa: E402
from vawg.measures.selectors import Point, Summary  # noqa: E402

# The same drawing gives the same bytes, so a cached or compared chart is stable.
rcParams["svg.hashsalt"] = "vawg-measures"
rcParams["svg.fonttype"] = "none"
rcParams["font.family"] = ["DejaVu Sans", "Arial", "sans-serif"]

VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#505a5f"
BASELINE_COLOUR = "#6f72af"
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
_GAP = float("nan")

# What the y axis measures, in words, for each unit.
_QUANTITY: dict[str, str] = {
    Unit.COUNT: "Number",
    Unit.PERCENTAGE: "Percentage",
    Unit.RATE_PER_1000: "Rate",
    Unit.RATE_PER_10000: "Rate",
}


def period_label(point: Point) -> str:
    """A period as the page's table names it, so the chart's x axis reads the same."""
    return f"{point.label} (live)" if point.live else point.label


def y_label(unit: str) -> str:
    """The y axis's label, naming the unit: "Percentage (%)", "Rate (per 1,000)", "Number"."""
    suffix = UNIT_SUFFIX.get(unit, "").strip()
    quantity = _QUANTITY.get(unit, "Value")
    return f"{quantity} ({suffix})" if suffix else quantity


def _number(value) -> float:
    return _GAP if value is None else float(value)


def chart_alt_text(summary: Summary) -> str:
    indicator = summary.indicator
    shown = [p for p in summary.points if not p.suppressed and p.value is not None]
    if not shown:
        return f"Line chart of {indicator.name}: no values to show yet."
    return (
        f"Line chart of {indicator.name}, {len(shown)} value{'s' if len(shown) != 1 else ''} "
        f"from {shown[0].label} to {shown[-1].label}, with the target trajectory and baseline. "
        "The same figures are in the table that follows."
    )


def indicator_chart(summary: Summary, fmt: str = "svg") -> bytes:
    """The chart as SVG or PNG bytes, for a page or a report."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format {fmt!r}")
    indicator = summary.indicator
    figure = Drawing(figsize=(8, 4), dpi=100)
    axes = figure.add_subplot()
    points = summary.points
    # One place on the x axis for each row of the page's table, in its order and with its
    # label, so the chart and the table show the same periods (financial quarters, say,
    # not calendar months). Values are as the viewer is shown them: a hidden one is NaN,
    # which matplotlib leaves as a gap in the line.
    places = list(range(len(points)))
    shown = [_GAP if p.suppressed else _number(p.value) for p in points]
    if not all(math.isnan(v) for v in shown):
        axes.plot(
            places,
            shown,
            color=VALUE_COLOUR,
            marker="o",
            linewidth=2.5,
            label="Value",
            gid="values",
        )
    if indicator.direction == "range" and any(p.expected is not None for p in points):
        axes.fill_between(
            places,
            [_number(p.expected) for p in points],
            [_number(p.upper) for p in points],
            color=TARGET_COLOUR,
            alpha=0.15,
            hatch="//",
            label="Target range",
        )
    elif any(p.expected is not None for p in points):
        axes.plot(
            places,
            [_number(p.expected) for p in points],
            color=TARGET_COLOUR,
            linestyle="--",
            marker="s",
            label="Target trajectory",
        )
    if indicator.baseline_value is not None:
        axes.axhline(
            float(indicator.baseline_value),
            color=BASELINE_COLOUR,
            linestyle=":",
            linewidth=1.5,
            label="Baseline",
        )
    axes.set_title(_short(indicator.name), fontsize=11, loc="left")
    axes.set_ylabel(y_label(indicator.unit))
    axes.set_xlabel("Reporting period")
    # Every period is labelled, as every one is a row of the table; many get smaller type.
    axes.set_xticks(
        places, [period_label(p) for p in points], fontsize=8 if len(points) > 12 else 10
    )
    axes.grid(True, axis="y", color="#b1b4b6", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    if not points:
        axes.text(0.5, 0.5, "No values yet", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="best", frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    figure.savefig(out, format=fmt, metadata=metadata)
    if fmt == "svg":
        return _fluid(out.getvalue())
    return out.getvalue()


def _fluid(svg: bytes) -> bytes:
    """Let the SVG take the width it is given (keeping its shape by its viewBox), so the
    chart fits a phone's screen as well as a page or a report."""
    return re.sub(rb'(<svg[^>]*?) width="[^"]+" height="[^"]+"', rb'\1 width="100%"', svg, count=1)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
