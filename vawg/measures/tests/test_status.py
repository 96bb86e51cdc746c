"""Status and trend rules at their edges, worked by hand."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as s

from vawg.core.metrics import Unit
from vawg.measures.status import (
    Movement,
    Status,
    Verdict,
    status_against,
    target_value,
    trajectory,
    trend,
    wrong_direction,
)

ON, CLOSE, OFF = Status.ON_TRACK, Status.CLOSE, Status.OFF_TRACK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("60"), ON),  # past the trajectory
        (D("50"), ON),  # exactly on it
        (D("49.999"), CLOSE),  # just short
        (D("45"), CLOSE),  # on the tolerance edge: the kinder answer
        (D("44.999"), OFF),  # just beyond it
        (D("0"), OFF),
    ],
)
def test_a_rising_indicator_at_the_edges(value, expected):
    assert status_against(direction="increase", value=value, expected=D(50), tolerance=D(5)) == (
        expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10"), ON),
        (D("20"), ON),
        (D("20.001"), CLOSE),
        (D("22"), CLOSE),
        (D("22.001"), OFF),
    ],
)
def test_a_falling_indicator_at_the_edges(value, expected):
    assert status_against(direction="decrease", value=value, expected=D(20), tolerance=D(2)) == (
        expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("15"), ON),
        (D("10"), ON),  # lowest edge of the range
        (D("20"), ON),  # highest edge
        (D("9"), CLOSE),  # a tolerance below
        (D("21"), CLOSE),  # a tolerance above
        (D("8.999"), OFF),
        (D("21.001"), OFF),
    ],
)
def test_a_range_indicator_at_the_edges(value, expected):
    assert (
        status_against(direction="range", value=value, expected=D(10), upper=D(20), tolerance=D(1))
        == expected
    )


def test_with_no_tolerance_anything_short_is_off_track():
    assert (
        status_against(direction="increase", value=D("49.999"), expected=D(50), tolerance=D(0))
        == OFF
    )
    assert status_against(direction="increase", value=D("50"), expected=D(50), tolerance=D(0)) == ON


def test_it_refuses_nonsense():
    with pytest.raises(ValueError):
        status_against(direction="sideways", value=D(1), expected=D(1), tolerance=D(0))
    with pytest.raises(ValueError):
        status_against(direction="range", value=D(1), expected=D(5), upper=D(4), tolerance=D(0))
    with pytest.raises(ValueError):
        status_against(direction="increase", value=D(1), expected=D(1), tolerance=D(-1))


def test_the_trajectory_runs_straight_from_baseline_to_target():
    anchors = [(date(2024, 3, 31), D(100)), (date(2025, 3, 31), D(80))]
    # 183 of 365 days: 100 - 20 * 183 / 365 = 89.9726...
    assert trajectory(anchors, date(2024, 9, 30)) == D("89.973")
    assert trajectory(anchors, date(2024, 3, 31)) == D(100)
    assert trajectory(anchors, date(2025, 3, 31)) == D(80)
    assert trajectory(anchors, date(2023, 1, 1)) == D(100)  # before the baseline
    assert trajectory(anchors, date(2026, 1, 1)) == D(80)  # after the last target
    assert trajectory([], date(2026, 1, 1)) is None


def test_the_trajectory_bends_at_each_years_target():
    anchors = [(date(2024, 3, 31), D(0)), (date(2025, 3, 31), D(10)), (date(2026, 3, 31), D(40))]
    # Half way through the second year (182 of 365 days): 10 + 30 * 182/365 = 24.958...
    assert trajectory(anchors, date(2025, 9, 29)) == D("24.959")


def test_a_target_as_a_change_from_the_baseline():
    assert target_value(kind="change", amount=D(-10), baseline=D(200)) == D("180.000")
    assert target_value(kind="change", amount=D("12.5"), baseline=D(40)) == D("45.000")
    assert target_value(kind="change", amount=D(5), baseline=None) is None
    assert target_value(kind="absolute", amount=D(7), baseline=None) == D(7)


def test_a_target_in_the_wrong_direction_is_explained():
    assert "below the baseline" in wrong_direction(
        direction="increase", baseline=D(50), target=D(40)
    )
    assert "above the baseline" in wrong_direction(
        direction="decrease", baseline=D(50), target=D(51)
    )
    assert wrong_direction(direction="increase", baseline=D(50), target=D(60)) == ""
    assert wrong_direction(direction="decrease", baseline=D(50), target=D(50)) == ""
    assert "highest" in wrong_direction(direction="range", baseline=None, target=D(5), upper=D(4))


def test_the_trend_says_which_way_and_whether_that_is_good():
    up = trend(direction="increase", value=D(12), earlier=D(10), unit=Unit.COUNT)
    assert (up.movement, up.verdict, up.symbol) == (Movement.UP, Verdict.BETTER, "↑")
    assert up.text == "Up 2 from 10 (improving)"
    down = trend(direction="increase", value=D("9.5"), earlier=D(10), unit=Unit.PERCENTAGE)
    assert down.text == "Down 0.5 percentage points from 10% (getting worse)"
    assert trend(direction="decrease", value=D(9), earlier=D(10)).verdict == Verdict.BETTER
    same = trend(direction="decrease", value=D(10), earlier=D(10), unit=Unit.COUNT)
    assert (same.movement, same.text) == (Movement.SAME, "No change from 10")
    assert trend(direction="", value=D(11), earlier=D(10)).verdict == Verdict.UNKNOWN
    assert trend(direction="increase", value=D(1), earlier=None).text == "No earlier value"


def test_a_range_trend_is_better_when_nearer_the_range():
    assert trend(direction="range", value=D(22), earlier=D(25), low=D(10), high=D(20)).verdict == (
        Verdict.BETTER
    )
    assert trend(direction="range", value=D(12), earlier=D(18), low=D(10), high=D(20)).verdict == (
        Verdict.SAME
    )
    assert trend(direction="range", value=D(8), earlier=D(12), low=D(10), high=D(20)).verdict == (
        Verdict.WORSE
    )


# Thousandths drawn as integers: quick to generate on a busy machine, and exact.
numbers = s.integers(-10_000_000, 10_000_000).map(lambda n: D(n).scaleb(-3))
tolerances = s.integers(0, 1_000_000).map(lambda n: D(n).scaleb(-3))
# The shared CI machine can be slow; the properties, not the timing, are under test.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
RANK = {ON: 0, CLOSE: 1, OFF: 2}


@relaxed
@given(value=numbers, expected=numbers, tolerance=tolerances, step=tolerances)
def test_a_higher_value_never_makes_a_rising_indicator_worse(value, expected, tolerance, step):
    before = status_against(
        direction="increase", value=value, expected=expected, tolerance=tolerance
    )
    after = status_against(
        direction="increase", value=value + step, expected=expected, tolerance=tolerance
    )
    assert RANK[after] <= RANK[before]


@relaxed
@given(value=numbers, expected=numbers, tolerance=tolerances)
def test_falling_is_rising_mirrored(value, expected, tolerance):
    assert status_against(
        direction="decrease", value=value, expected=expected, tolerance=tolerance
    ) == status_against(direction="increase", value=-value, expected=-expected, tolerance=tolerance)


@relaxed
@given(value=numbers, low=numbers, width=tolerances, tolerance=tolerances)
def test_inside_a_range_is_always_on_track(value, low, width, tolerance):
    high = low + width
    result = status_against(
        direction="range", value=value, expected=low, upper=high, tolerance=tolerance
    )
    assert (result == ON) == (low <= value <= high)


days = s.integers(0, 3000).map(lambda n: date(2020, 1, 1) + timedelta(days=n))


@relaxed
@given(anchors=s.lists(s.tuples(days, numbers), min_size=1, max_size=5), on=days)
def test_the_trajectory_never_leaves_the_span_of_its_anchors(anchors, on):
    anchors = sorted(anchors, key=lambda a: a[0])
    value = trajectory(anchors, on)
    values = [v for _, v in anchors]
    assert min(values) - D("0.001") <= value <= max(values) + D("0.001")
