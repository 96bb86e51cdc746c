"""An indicator's line chart: its values, the target trajectory and the baseline.

Drawn by matplotlib (the Agg backend, no display needed) as SVG for pages and
PNG for reports. Lines differ in style and marker as well as colour, so the
chart can be read without colour; every page also shows the same data as a
table. Values are drawn as the viewer is shown them (core.disclosure): a hidden one
is left out (a gap), never drawn, and the table says "fewer than 5" or "not shown".
"""

import io
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib import rcParams  # noqa: E402
from matplotlib.dates import DateFormatter  # noqa: E402
from matplotlib.figure import Figure as Drawing  # noqa: E402

from vawg.measures.formatting import UNIT_SUFFIX  # noqa: E402
from vawg.measures.selectors import Summary  # noqa: E402

# The same drawing gives the same bytes, so a cached or compared chart is stable.
rcParams["svg.hashsalt"] = "vawg-measures"
rcParams["svg.fonttype"] = "none"
rcParams["font.family"] = ["DejaVu Sans", "Arial", "sans-serif"]

VALUE_COLOUR = "#1d70b8"
TARGET_COLOUR = "#505a5f"
BASELINE_COLOUR = "#6f72af"
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


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
    # Points as the viewer is shown them: a hidden value has no point (a gap).
    values = [
        (p.end, float(p.value)) for p in summary.points if not p.suppressed and p.value is not None
    ]
    if values:
        days, numbers = zip(*values, strict=True)
        axes.plot(days, numbers, color=VALUE_COLOUR, marker="o", linewidth=2.5, label="Value")
    if indicator.direction == "range" and summary.target is not None and summary.points:
        span = [summary.points[0].end, summary.points[-1].end]
        axes.fill_between(
            span,
            float(summary.target.amount),
            float(summary.target.upper),
            color=TARGET_COLOUR,
            alpha=0.15,
            hatch="//",
            label="Target range",
        )
    elif summary.anchors:
        days = [d for d, _ in summary.anchors]
        numbers = [float(v) for _, v in summary.anchors]
        axes.plot(
            days,
            numbers,
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
    suffix = UNIT_SUFFIX.get(indicator.unit, "").strip()
    axes.set_ylabel(indicator.get_unit_display() if not suffix else f"Value ({suffix})")
    axes.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    axes.grid(True, axis="y", color="#b1b4b6", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    if not values and not summary.anchors:
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
