"""Report charts: real axes and labels, and a part-finished period never drawn as a fall."""

from vawg.reports.charts import PART_FINISHED, ChartSpec, Series


def chart(partial=None, values=(10.0, 12.0, None, 14.0, 3.0)) -> ChartSpec:
    return ChartSpec(
        title="Referrals",
        description="Referrals by quarter",
        categories=["2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4", "2026/27 Q1"],
        series=[Series("Value", list(values)), Series("Target", [11.0] * 5, "target")],
        x_label="Financial quarter",
        y_label="Number",
        partial=partial,
    )


def lines(spec: ChartSpec) -> dict:
    axes = spec.figure().axes[0]
    return {line.get_label(): list(line.get_xdata()) for line in axes.get_lines()}


def test_it_joins_only_the_finished_quarters_and_marks_the_part_finished_one():
    drawn = lines(chart(partial=4))
    assert drawn["Value"] == [0, 1, 3]  # the hidden quarter draws nothing; Q1 is apart
    assert drawn[f"{PART_FINISHED} (so far)"] == [4]
    assert chart(partial=4).labels()[-1] == f"2026/27\nQ1\n({PART_FINISHED})"


def test_without_a_part_finished_quarter_the_line_runs_to_the_end():
    drawn = lines(chart())
    assert drawn["Value"] == [0, 1, 3, 4]
    assert f"{PART_FINISHED} (so far)" not in drawn


def test_it_has_axes_labels_and_units():
    axes = chart().figure().axes[0]
    assert axes.get_xlabel() == "Financial quarter"
    assert axes.get_ylabel() == "Number"
    assert [t.get_text() for t in axes.get_xticklabels()][0] == "2025/26\nQ1"
    assert axes.get_ylim()[0] == 0  # a count starts at nought


def test_it_draws_svg_with_text_and_png_once_each():
    spec = chart(partial=4)
    svg = spec.svg()
    assert svg.startswith("<?xml") and "Financial quarter" in svg and PART_FINISHED in svg
    assert spec.svg() is svg  # drawn once
    assert spec.png().startswith(b"\x89PNG")
