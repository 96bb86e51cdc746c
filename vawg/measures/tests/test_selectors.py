from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vawg.audit.models import AuditEvent
from vawg.core import disclosure, metrics
from vawg.core.metrics import MetricValue, Unit
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.measures import selectors
from vawg.measures.models import IndicatorValue, Target
from vawg.measures.status import Movement, Status, Verdict, status_against, trend
from vawg.measures.tests.factories import make_indicator, make_periods
from vawg.strategy.models import Priority, Strategy

TODAY = date(2026, 2, 10)


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))


def _value(indicator, period, value, **extra):
    return IndicatorValue.objects.create(
        indicator=indicator, period=period, value=D(str(value)), source="entered", **extra
    )


EXACT, CONTROLLED = disclosure.EXACT, disclosure.CONTROLLED


def _summary(indicator, audience=EXACT, period=None):
    indicator = selectors.indicator_for_detail(
        partnership=indicator.partnership, roles={Role.PARTNERSHIP_ADMIN}, pk=indicator.pk
    )
    return selectors.summarise(indicator, today=TODAY, audience=audience, period=period)


def _typed(indicator, period, n: int, label: str = "measures.IndicatorValue") -> disclosure.Figure:
    """How a typed-in count (or part, by `label`) of this cell reads at the controlled level."""
    tally = disclosure.identity_tally(n, label, indicator.pk, period.pk)
    return disclosure.count(tally, CONTROLLED)


@pytest.fixture
def rising(partnership, periods):
    """Baseline 100 (2024/25 Q1, to 30 June 2024), target 120 by 31 March 2025, 140 a year on."""
    indicator = make_indicator(
        partnership, baseline_value=100, baseline_period=periods["2024/25 Q1"], tolerance=5
    )
    Target.objects.create(indicator=indicator, year=2024, kind="absolute", amount=D(120))
    Target.objects.create(indicator=indicator, year=2025, kind="absolute", amount=D(140))
    return indicator


@pytest.mark.parametrize(
    ("value", "status"), [(114, Status.ON_TRACK), (110, Status.CLOSE), (108, Status.OFF_TRACK)]
)
def test_a_rising_indicator_is_judged_against_its_trajectory(rising, periods, value, status):
    # 31 Dec 2024 is 184 of the 274 days from 30 June 2024 to 31 March 2025:
    # expected 100 + 20 * 184 / 274 = 113.431; close means no more than 5 short.
    _value(rising, periods["2024/25 Q2"], 105)
    _value(rising, periods["2024/25 Q3"], value)
    summary = _summary(rising)
    assert summary.assessment.expected == D("113.431")
    assert summary.status == status
    assert summary.since_previous.text == f"Up {value - 105} from 105 (improving)"
    assert summary.target_shown == "120 by 2024/25"


def test_the_trend_compares_with_the_same_period_last_year(rising, periods):
    _value(rising, periods["2024/25 Q3"], 110)
    _value(rising, periods["2025/26 Q2"], 130)
    _value(rising, periods["2025/26 Q3"], 125)
    summary = _summary(rising)
    # 31 Dec 2025 is 275 of 365 days towards 140: 120 + 20 * 275 / 365 = 135.068.
    assert summary.assessment.expected == D("135.068")
    assert summary.status == Status.OFF_TRACK
    assert summary.since_previous.text == "Down 5 from 130 (getting worse)"
    assert (summary.since_last_year.movement, summary.since_last_year.verdict) == (
        Movement.UP,
        Verdict.BETTER,
    )
    assert summary.target_shown == "140 by 2025/26"
    assert [p.label for p in summary.points] == ["2024/25 Q3", "2025/26 Q2", "2025/26 Q3"]


def test_a_falling_indicator_on_its_tolerance_edge_is_close(partnership, periods):
    indicator = make_indicator(
        partnership,
        direction="decrease",
        unit=Unit.PERCENTAGE,
        denominator="Women asked",
        baseline_value=50,
        baseline_period=periods["2024/25 Q1"],
        tolerance=1,
    )
    Target.objects.create(indicator=indicator, year=2024, kind="change", amount=D(-10))
    _value(indicator, periods["2024/25 Q4"], 46)  # ends 31 March 2025: expected exactly 45
    summary = _summary(indicator)
    assert summary.assessment.expected == D(45)
    assert summary.status == Status.CLOSE
    assert summary.target_shown == "45% by 2024/25"
    assert summary.latest_shown == "46%"


@pytest.mark.parametrize(
    ("value", "status"),
    [(30, Status.ON_TRACK), (25, Status.CLOSE), ("24.9", Status.OFF_TRACK), (43, Status.CLOSE)],
)
def test_a_range_indicator(partnership, periods, value, status):
    indicator = make_indicator(
        partnership, direction="range", unit=Unit.PERCENTAGE, denominator="Cases", tolerance=3
    )
    Target.objects.create(
        indicator=indicator, year=2025, kind="absolute", amount=D(28), upper=D(40)
    )
    _value(indicator, periods["2025/26 Q1"], value)
    summary = _summary(indicator)
    assert summary.status == status
    assert summary.target_shown == "28% to 40% by 2025/26"


def test_no_status_says_why(partnership, periods):
    unset = make_indicator(partnership, direction="")
    _value(unset, periods["2025/26 Q1"], 3)
    assert _summary(unset).assessment.reason == "Direction not set"
    empty = make_indicator(partnership, name="Nothing yet")
    assert _summary(empty).assessment.reason == "No value yet"
    untargeted = make_indicator(partnership, name="No target")
    _value(untargeted, periods["2025/26 Q1"], 3)
    assert _summary(untargeted).assessment.reason == "No target set"


def test_counts_are_controlled_for_anyone_without_the_analyst_role(partnership, periods):
    indicator = make_indicator(partnership, direction="increase")
    q1, q2 = periods["2025/26 Q1"], periods["2025/26 Q2"]
    _value(indicator, q1, 7)
    _value(indicator, q2, 3)
    shown = _summary(indicator, CONTROLLED)
    assert shown.latest_shown == "fewer than 5"
    # Which way a hidden count moved, or how it stands, would hint at it.
    assert shown.since_previous.movement == Movement.NOT_SHOWN
    assert shown.since_previous.text == "Not shown"
    assert (shown.status, shown.assessment.reason) == (
        Status.NO_STATUS,
        "The latest value is not shown",
    )
    # The chart: a point for the shown value only; its table says the hidden one in words.
    first, second = shown.points
    assert first.shown == _typed(indicator, q1, 7).text in ("5", "10")
    assert first.value == _typed(indicator, q1, 7).value and not first.suppressed
    assert (second.value, second.shown, second.suppressed) == (None, "fewer than 5", True)
    analyst = _summary(indicator, EXACT)
    assert analyst.latest_shown == "3"
    assert analyst.since_previous.text == "Down 4 from 7 (getting worse)"
    assert [p.value for p in analyst.points] == [D(7), D(3)]


def test_a_typed_in_count_reads_the_same_in_every_version_and_view(partnership, periods):
    indicator = make_indicator(partnership)
    q1 = periods["2025/26 Q1"]
    _value(indicator, q1, 1234)
    expected = _typed(indicator, q1, 1234)
    assert expected.value % 5 == 0 and abs(expected.value - 1234) < 5
    assert _summary(indicator, CONTROLLED).latest_shown == expected.text
    history = selectors.value_history(indicator=indicator, audience=CONTROLLED)
    assert history[0].shown.text == expected.text
    assert selectors.value_history(indicator=indicator, audience=EXACT)[0].shown.text == "1,234"


def test_a_board_members_status_and_trend_are_worked_from_the_shown_value(partnership, periods):
    """A flat target of T with no tolerance: the exact value 12 and the value shown (10 or
    15, by the cell's key) fall either side of it, so their statuses differ."""
    indicator = make_indicator(partnership, direction="increase")
    q1, q2 = periods["2025/26 Q1"], periods["2025/26 Q2"]
    _value(indicator, q1, 13)
    _value(indicator, q2, 12)
    shown = _typed(indicator, q2, 12).value
    target = D(11) if shown == 10 else D(13)
    Target.objects.create(indicator=indicator, year=2025, kind="absolute", amount=target)
    exact, board = _summary(indicator, EXACT), _summary(indicator, CONTROLLED)
    assert board.latest_shown == str(shown)
    assert board.status == status_against(
        direction="increase", value=D(shown), expected=target, tolerance=D(0)
    )
    assert board.status != exact.status
    # The trends too are from the shown figures, and name the earlier one as shown.
    earlier = _typed(indicator, q1, 13).value
    assert earlier in (10, 15)
    assert board.since_previous == trend(
        direction="increase", value=D(shown), earlier=D(earlier), unit=Unit.COUNT
    )
    assert "13" not in board.since_previous.text
    assert exact.since_previous.text == "Down 1 from 13 (getting worse)"
    # The export says the same as the page.
    card = selectors.scorecard(
        partnership=partnership, roles={Role.BOARD_MEMBER}, today=TODAY, audience=CONTROLLED
    )
    headers, rows = selectors.scorecard_table(card)
    row = dict(zip(headers, rows[0], strict=True))
    assert row["Latest value"] == str(shown)
    assert row["Status"] == board.assessment.label
    assert row["Change since previous period"] == board.since_previous.text


def test_a_rate_with_a_hidden_part_is_not_shown(partnership, periods):
    indicator = make_indicator(partnership, unit=Unit.PERCENTAGE, denominator="Cases")
    _value(indicator, periods["2025/26 Q1"], "75.0", numerator=D(3), denominator=D(4))
    board = _summary(indicator, CONTROLLED)
    # A percentage never reads "fewer than 5".
    assert board.latest_shown == "not shown"
    assert board.points[0].suppressed and board.points[0].value is None
    assert _summary(indicator, EXACT).latest_shown == "75%"


def test_a_rate_is_worked_from_its_parts_as_shown(partnership, periods):
    indicator = make_indicator(partnership, unit=Unit.RATE_PER_1000, denominator="Residents")
    q1 = periods["2025/26 Q1"]
    _value(indicator, q1, "6.55", numerator=D(131), denominator=D(20000))
    top = _typed(indicator, q1, 131, "measures.IndicatorValue.numerator")
    bottom = _typed(indicator, q1, 20000, "measures.IndicatorValue.denominator")
    shown = disclosure.rate(top, bottom, per=1000)
    assert top.value in (130, 135) and shown.value in (D("6.5"), D("6.8"))
    board = _summary(indicator, CONTROLLED)
    assert board.shown.value == shown.value
    assert board.latest_shown == f"{shown.value} per 1,000"
    assert _summary(indicator, EXACT).shown.value == D("6.55")


def test_a_percentage_entered_without_its_parts_is_shown_as_entered(partnership, periods):
    indicator = make_indicator(partnership, unit=Unit.PERCENTAGE, denominator="Women asked")
    _value(indicator, periods["2025/26 Q1"], "3.5")
    assert _summary(indicator, CONTROLLED).latest_shown == "3.5%"


LIVE_TOP = disclosure.tally("measurestest.Case", range(1, 11))
LIVE_BOTTOM = disclosure.tally("measurestest.Case", range(1, 81))


def _live(partnership, period) -> MetricValue:
    return metrics.percentage(LIVE_TOP, LIVE_BOTTOM)


@pytest.fixture
def live_metric():
    key = "measurestest.live_rate"
    metrics.register(key, label="Live rate", unit=Unit.PERCENTAGE, calculator=_live)
    yield key
    metrics.unregister(key)


def test_a_computed_indicator_shows_its_live_value_for_the_current_period(
    partnership, periods, live_metric
):
    indicator = make_indicator(
        partnership, unit=Unit.PERCENTAGE, denominator="Cases", metric_key=live_metric
    )
    _value(indicator, periods["2025/26 Q2"], "10.0")
    summary = _summary(indicator, period=periods["2025/26 Q4"])
    assert summary.latest.live and summary.latest.period == periods["2025/26 Q4"]
    assert summary.latest_shown == "12.5%"
    assert summary.since_previous.text == "Up 2.5 percentage points from 10% (improving)"
    assert [p.live for p in summary.points] == [False, True]
    # For a board member, the live figure is worked from the MetricValue's own tallies.
    board = _summary(indicator, CONTROLLED, period=periods["2025/26 Q4"])
    expected = disclosure.rate(
        disclosure.count(LIVE_TOP, CONTROLLED), disclosure.count(LIVE_BOTTOM, CONTROLLED)
    )
    assert board.shown.value == expected.value


def _priority(partnership, code: str, order: int) -> Priority:
    strategy, _ = Strategy.objects.get_or_create(
        partnership=partnership,
        slug="plan",
        defaults={"title": "Plan", "start_year": 2024, "end_year": 2027},
    )
    return Priority.objects.create(
        strategy=strategy, order=order, code=code, title=f"Priority {code}"
    )


def test_the_scorecard_groups_by_priority_and_filters(partnership, periods):
    first, second = _priority(partnership, "AB", 1), _priority(partnership, "IH", 2)
    police = make_organisation(partnership, "Zeta Police")  # sorts after the default owner
    on = make_indicator(
        partnership, name="On", baseline_value=10, baseline_period=periods["2024/25 Q1"]
    )
    Target.objects.create(indicator=on, year=2025, kind="absolute", amount=D(20))
    _value(on, periods["2025/26 Q2"], 25)
    on.priorities.set([first, second])
    loose = make_indicator(partnership, name="Loose", owner=police)
    secret = make_indicator(partnership, name="Secret", disclosure="restricted")
    secret.priorities.set([first])

    card = selectors.scorecard(
        partnership=partnership, roles={Role.BOARD_MEMBER}, today=TODAY, audience=CONTROLLED
    )
    assert [(g.title, [s.indicator.name for s in g.summaries]) for g in card.groups] == [
        ("AB – Priority AB", ["On"]),
        ("IH – Priority IH", ["On"]),
        ("Not linked to a priority", ["Loose"]),
    ]
    admin = selectors.scorecard(
        partnership=partnership, roles={Role.PARTNERSHIP_ADMIN}, today=TODAY, audience=CONTROLLED
    )
    assert [s.indicator.name for s in admin.groups[0].summaries] == ["On", "Secret"]
    by_priority = selectors.scorecard(
        partnership=partnership,
        roles={Role.ANALYST},
        today=TODAY,
        audience=EXACT,
        priority=second.pk,
    )
    assert [g.title for g in by_priority.groups] == ["IH – Priority IH"]
    on_track = selectors.scorecard(
        partnership=partnership,
        roles={Role.ANALYST},
        today=TODAY,
        audience=EXACT,
        status=Status.ON_TRACK,
    )
    assert on_track.count == 1
    by_owner = selectors.scorecard(
        partnership=partnership,
        roles={Role.ANALYST},
        today=TODAY,
        audience=EXACT,
        owner=police.pk,
    )
    assert [s.indicator for g in by_owner.groups for s in g.summaries] == [loose]
    headers, rows = selectors.scorecard_table(on_track)
    assert dict(zip(headers, rows[0], strict=True))["Status"] == "On track"
    assert dict(zip(headers, rows[0], strict=True))["Latest value"] == "25"


def _fill(partnership, periods, count: int, priority) -> None:
    for n in range(count):
        indicator = make_indicator(
            partnership,
            name=f"Indicator {n}",
            baseline_value=10,
            baseline_period=periods["2024/25 Q1"],
        )
        Target.objects.create(indicator=indicator, year=2025, kind="change", amount=D(10))
        indicator.priorities.set([priority])
        for label in ("2025/26 Q1", "2025/26 Q2", "2025/26 Q3"):
            _value(indicator, periods[label], 10 + n)


def test_the_scorecard_costs_the_same_queries_at_any_size(partnership, periods):
    priority = _priority(partnership, "AB", 1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.scorecard(
                partnership=partnership, roles={Role.ANALYST}, today=TODAY, audience=EXACT
            )
        return len(captured)

    _fill(partnership, periods, 2, priority)
    small = queries()
    _fill(partnership, periods, 8, priority)  # names repeat, which is allowed
    assert queries() == small
    assert small <= 8


def test_public_indicators_are_only_the_public_ones_with_figures_controlled(partnership, periods):
    public = make_indicator(partnership, name="Public", disclosure="public")
    make_indicator(partnership, name="Staff only")
    _value(public, periods["2025/26 Q1"], 2)
    shown = selectors.public_indicators(partnership, today=TODAY)
    assert [s.indicator for s in shown] == [public]
    assert shown[0].latest_shown == "fewer than 5"
    assert not AuditEvent.objects.exists()  # nothing about a visitor is recorded


def _broken(partnership, period) -> MetricValue:
    raise RuntimeError("the other module has a bug")


def test_a_failing_figure_does_not_break_the_scorecard(partnership, periods, caplog):
    metrics.register("measurestest.broken", label="Broken", unit=Unit.COUNT, calculator=_broken)
    try:
        make_indicator(partnership, metric_key="measurestest.broken")
        card = selectors.scorecard(
            partnership=partnership, roles={Role.ANALYST}, today=TODAY, audience=EXACT
        )
    finally:
        metrics.unregister("measurestest.broken")
    assert card.groups[0].summaries[0].assessment.reason == "No value yet"
    assert "Figure measurestest.broken failed" in caplog.text
