"""Charts for reports: matplotlib drawn to SVG (the PDF) and PNG (the Word document).

A chart is described once (`ChartSpec`: its categories, its series as they may be shown,
its axes and their units) and drawn only in the format asked for, once. A value that is
hidden (None) draws nothing. A part-finished quarter or month is drawn as an open marker
not joined to the line, its label says "part-finished", and the legend says why: an
incomplete period must never read as a fall.
"""

import io
from dataclasses import dataclass, field
from functools import cached_property

import matplotlib

matplotlib.use("Agg")  # no display on a server or a worker

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure as Drawing  # noqa: E402

PART_FINISHED = "part-finished"
INK = "#0b0c0c"
BLUE = "#1d70b8"
GREY = "#505a5f"
TARGET = "#f47738"

STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, and read by pdftotext
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": GREY,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "svg.hashsalt": "vawg-reports",  # the same chart gives the same SVG
}


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    style: str = "line"  # "line" or "target" (dashed)


@dataclass
class ChartSpec:
    title: str
    description: str  # what the chart shows, in words (alt text)
    categories: list[str]
    series: list[Series]
    x_label: str
    y_label: str
    partial: int | None = None  # the index of a part-finished category
    percent: bool = False  # a y axis of percentages runs to at least 100 when near it
    _drawn: dict = field(default_factory=dict, repr=False)

    def labels(self) -> list[str]:
        labels = [c.replace(" Q", "\nQ") for c in self.categories]
        if self.partial is not None:
            labels[self.partial] += f"\n({PART_FINISHED})"
        return labels

    def svg(self) -> str:
        if "svg" not in self._drawn:
            self._drawn["svg"] = self._draw("svg").decode()
        return self._drawn["svg"]

    def png(self) -> bytes:
        if "png" not in self._drawn:
            self._drawn["png"] = self._draw("png")
        return self._drawn["png"]

    @cached_property
    def top(self) -> float:
        values = [v for s in self.series for v in s.values if v is not None]
        top = max(values, default=0) or 1
        if self.percent and top > 60:
            return 100
        return top * 1.15

    def _draw(self, fmt: str) -> bytes:
        with rc_context(STYLE):
            figure = self.figure()
            out = io.BytesIO()
            figure.savefig(out, format=fmt, dpi=150, metadata=_metadata(fmt))
            return out.getvalue()

    def figure(self) -> Drawing:
        """The chart as a matplotlib Figure (drawn inside the report's style)."""
        with rc_context(STYLE):
            # Fixed margins: a constrained layout costs more than the rest of the drawing.
            figure = Drawing(figsize=(5.2, 2.9))
            figure.subplots_adjust(left=0.13, right=0.98, top=0.86, bottom=0.27)
            axes = figure.add_subplot()
            xs = list(range(len(self.categories)))
            for series in self.series:
                self._plot(axes, xs, series)
            axes.set_xticks(xs, self.labels(), fontsize=8)
            axes.set_xlim(-0.5, len(xs) - 0.5)
            axes.set_ylim(0, self.top)
            axes.set_xlabel(self.x_label)
            axes.set_ylabel(self.y_label)
            axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)
            axes.spines[["top", "right"]].set_visible(False)
            if self.partial is not None:
                axes.axvspan(self.partial - 0.5, self.partial + 0.5, color="#f3f2f1", zorder=0)
            # Above the plot, so it never hides a point.
            axes.legend(
                loc="lower left", bbox_to_anchor=(0, 1.01), fontsize=8, frameon=False, ncols=3
            )
            return figure

    def _plot(self, axes, xs: list[int], series: Series) -> None:
        if series.style == "target":
            points = [(x, v) for x, v in zip(xs, series.values, strict=True) if v is not None]
            if points:
                axes.plot(*zip(*points, strict=True), "--", color=TARGET, label=series.name)
            return
        done = [
            (x, v)
            for x, v in zip(xs, series.values, strict=True)
            if v is not None and x != self.partial
        ]
        if done:
            axes.plot(*zip(*done, strict=True), "-o", color=BLUE, markersize=4, label=series.name)
        if self.partial is not None and series.values[self.partial] is not None:
            axes.plot(
                [self.partial],
                [series.values[self.partial]],
                "o",
                markerfacecolor="white",
                markeredgecolor=BLUE,
                markersize=6,
                label=f"{PART_FINISHED} (so far)",
            )


def _metadata(fmt: str) -> dict:
    # No creation date: the same figures draw the same file.
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}
