from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from vawg.audit.models import AuditEvent
from vawg.core import disclosure, metrics
from vawg.core.metrics import MetricValue, Unit
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.measures import selectors, services
from vawg.measures.models import Indicator, IndicatorValue, Target
from vawg.measures.tests.factories import make_indicator, make_periods

TODAY = date(2025, 11, 20)


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))


@pytest.fixture
def admin(personas):
    return personas["partnership_admin"]


def _values(**extra) -> dict:
    values = {
        "name": "Women waiting for counselling",
        "definition": "Women on the waiting list on the last day of the quarter.",
        "numerator": "",
        "denominator": "",
        "unit": Unit.COUNT,
        "direction": "decrease",
        "frequency": "quarterly",
        "data_source": "Counselling service returns",
        "owner": None,
        "disclosure": "partnership",
        "metric_key": "",
        "baseline_value": None,
        "baseline_period": None,
        "tolerance": D(2),
    }
    values.update(extra)
    return values


# --- Defining indicators ---------------------------------------------------------


def test_it_defines_an_indicator_and_audits_it(partnership, periods, admin):
    indicator = services.indicator_save(
        partnership=partnership,
        actor=admin,
        values=_values(baseline_value=D(64), baseline_period=periods["2024/25 Q1"]),
    )
    assert indicator.direction_basis == "Chosen by the partnership"
    event = AuditEvent.objects.get(object_type="measures.Indicator", object_id=str(indicator.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor_id == admin.pk


def test_a_rate_needs_a_denominator(partnership, admin):
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            partnership=partnership, actor=admin, values=_values(unit=Unit.RATE_PER_1000)
        )
    assert "needs a denominator" in error.value.message_dict["denominator"][0]
    assert not Indicator.objects.exists()


def test_a_percentage_baseline_must_be_between_0_and_100(partnership, periods, admin):
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            partnership=partnership,
            actor=admin,
            values=_values(
                unit=Unit.PERCENTAGE,
                denominator="Women asked",
                baseline_value=D("100.5"),
                baseline_period=periods["2024/25 Q1"],
            ),
        )
    assert error.value.message_dict["baseline_value"] == [
        "A percentage must be between 0 and 100; 100.5 is not."
    ]


def test_it_refuses_another_partnerships_owner_and_period(
    partnership, other_partnership, periods, admin
):
    theirs = make_organisation(other_partnership, "Their charity")
    their_period = make_periods(other_partnership, date(2024, 4, 1), date(2024, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            partnership=partnership,
            actor=admin,
            values=_values(
                owner=theirs,
                baseline_value=D(3),
                baseline_period=their_period["2024/25 Q1"],
            ),
        )
    assert set(error.value.message_dict) == {"owner", "baseline_period"}


def test_a_computed_indicator_must_share_its_figures_unit(partnership, admin, test_metric):
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            partnership=partnership, actor=admin, values=_values(metric_key=test_metric)
        )
    assert (
        "is a percentage, but this indicator is a count"
        in (error.value.message_dict["metric_key"][0])
    )


# --- Targets ---------------------------------------------------------------------


def test_a_target_in_the_wrong_direction_is_refused(partnership, periods, admin):
    indicator = make_indicator(
        partnership, direction="decrease", baseline_value=64, baseline_period=periods["2024/25 Q1"]
    )
    with pytest.raises(ValidationError) as error:
        services.target_set(
            indicator=indicator, year=2025, kind="absolute", amount=D(70), actor=admin
        )
    assert error.value.message_dict["amount"] == [
        "This indicator should decrease, but the target (70) is above the baseline (64)."
    ]
    with pytest.raises(ValidationError):
        services.target_set(indicator=indicator, year=2025, kind="change", amount=D(5), actor=admin)
    assert not Target.objects.exists()
    target = services.target_set(
        indicator=indicator, year=2025, kind="change", amount=D(-10), actor=admin
    )
    assert target.amount == D(-10)


def test_a_target_needs_a_direction_and_a_baseline_for_a_change(partnership, admin):
    unset = make_indicator(partnership, direction="")
    with pytest.raises(ValidationError, match="increase or a decrease is good"):
        services.target_set(indicator=unset, year=2025, kind="absolute", amount=D(5), actor=admin)
    no_baseline = make_indicator(partnership, name="No baseline")
    with pytest.raises(ValidationError, match="Set a baseline"):
        services.target_set(
            indicator=no_baseline, year=2025, kind="change", amount=D(5), actor=admin
        )


def test_a_range_target_has_both_ends(partnership, admin):
    indicator = make_indicator(partnership, direction="range", unit=Unit.PERCENTAGE)
    with pytest.raises(ValidationError, match="highest value"):
        services.target_set(
            indicator=indicator, year=2025, kind="absolute", amount=D(28), actor=admin
        )
    with pytest.raises(ValidationError, match="between 0 and 100"):
        services.target_set(
            indicator=indicator, year=2025, kind="absolute", amount=D(28), upper=D(140), actor=admin
        )
    target = services.target_set(
        indicator=indicator, year=2025, kind="absolute", amount=D(28), upper=D(40), actor=admin
    )
    assert (target.amount, target.upper) == (D(28), D(40))


def test_changing_the_direction_against_a_target_is_refused(partnership, periods, admin):
    indicator = make_indicator(
        partnership, direction="increase", baseline_value=10, baseline_period=periods["2024/25 Q1"]
    )
    services.target_set(indicator=indicator, year=2025, kind="absolute", amount=D(20), actor=admin)
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            partnership=partnership,
            actor=admin,
            indicator=indicator,
            values={"direction": "decrease"},
        )
    assert "The 2025 target no longer fits" in error.value.message_dict["direction"][0]


# --- Values ------------------------------------------------------------------------


def _record(indicator, period, value=None, actor=None, **extra):
    return services.value_record(
        indicator=indicator,
        period=period,
        value=None if value is None else D(str(value)),
        actor=actor,
        today=TODAY,
        **extra,
    )


def test_a_correction_is_a_new_version_and_the_old_one_stays(partnership, periods, admin):
    indicator = make_indicator(partnership)
    first, changed = _record(indicator, periods["2025/26 Q1"], 40, admin, note="First return")
    assert (first.version, changed) == (1, True)
    second, changed = _record(indicator, periods["2025/26 Q1"], 42, admin, note="Late return")
    assert (second.version, changed) == (2, True)
    first.refresh_from_db()
    assert first.superseded_at is not None and first.value == D(40)
    assert list(IndicatorValue.objects.current().values_list("value", flat=True)) == [D(42)]
    events = AuditEvent.objects.filter(object_type="measures.IndicatorValue")
    assert [e.action for e in events.order_by("pk")] == ["create", "update"]


def test_the_same_value_again_changes_nothing(partnership, periods, admin):
    indicator = make_indicator(partnership)
    _record(indicator, periods["2025/26 Q1"], 40, admin)
    row, changed = _record(indicator, periods["2025/26 Q1"], 40, admin)
    assert (row.version, changed) == (1, False)
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize(
    ("unit", "figures", "field", "message"),
    [
        (Unit.PERCENTAGE, {"value": 101}, "value", "A percentage must be between 0 and 100"),
        (Unit.PERCENTAGE, {"value": -1}, "value", "cannot be negative"),
        (Unit.COUNT, {"value": "4.5"}, "value", "A count must be a whole number"),
        (Unit.RATE_PER_1000, {"value": 3}, "denominator", "needs its denominator"),
        (Unit.PERCENTAGE, {"value": 50, "numerator": 3}, "denominator", "Enter the denominator"),
        (Unit.PERCENTAGE, {"value": 50, "numerator": 3, "denominator": 0}, "denominator", "0"),
        (
            Unit.PERCENTAGE,
            {"value": 50, "numerator": 30, "denominator": 200},
            "value",
            "does not match the numerator divided by the denominator (15)",
        ),
        (Unit.COUNT, {}, "value", "Enter the value"),
    ],
)
def test_bad_figures_are_refused_with_a_reason(partnership, periods, unit, figures, field, message):
    indicator = make_indicator(partnership, unit=unit, denominator="People")
    figures = {k: D(str(v)) for k, v in figures.items()}
    with pytest.raises(ValidationError) as error:
        services.value_record(
            indicator=indicator,
            period=periods["2025/26 Q1"],
            value=figures.pop("value", None),
            actor=None,
            today=TODAY,
            **figures,
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not IndicatorValue.objects.exists()


def test_a_value_is_worked_out_from_its_parts(partnership, periods):
    indicator = make_indicator(partnership, unit=Unit.RATE_PER_1000, denominator="Women 16+")
    row, _ = _record(indicator, periods["2025/26 Q1"], numerator=D(57), denominator=D(41200))
    assert row.value == D("1.4")  # 57 * 1000 / 41,200 = 1.383...


def test_a_value_needs_a_period_that_has_started_in_this_partnership(
    partnership, other_partnership, periods
):
    indicator = make_indicator(partnership)
    with pytest.raises(ValidationError, match="has not started yet"):
        _record(indicator, periods["2025/26 Q4"], 5)
    theirs = make_periods(other_partnership, date(2025, 4, 1), date(2025, 6, 30))
    with pytest.raises(ValidationError, match="this partnership's reporting periods"):
        _record(indicator, theirs["2025/26 Q1"], 5)


# --- Computed values ---------------------------------------------------------------------

calls: list = []


REPEATS = disclosure.tally("measurestest.Case", range(1, 6))
CASES = disclosure.tally("measurestest.Case", range(1, 21))


def _quarter_number(partnership, period) -> MetricValue:
    calls.append(period.pk)
    if period.start.month == 1:
        return MetricValue(None, 0, 0, "No denominator")
    return metrics.percentage(REPEATS, CASES)


@pytest.fixture
def test_metric():
    key = "measurestest.repeat_rate"
    metrics.register(
        key, label="Test repeat rate", unit=Unit.PERCENTAGE, calculator=_quarter_number
    )
    yield key
    metrics.unregister(key)


def test_the_snapshot_keeps_closed_periods_once_with_provenance(partnership, periods, test_metric):
    indicator = make_indicator(
        partnership,
        unit=Unit.PERCENTAGE,
        denominator="Cases",
        metric_key=test_metric,
        baseline_value=20,
        baseline_period=periods["2024/25 Q3"],
    )
    made = services.snapshot_closed_periods(today=TODAY, partnership=partnership)
    # Closed by 20 Nov 2025 from the baseline on: 2024/25 Q3, Q4 (January: not computable),
    # 2025/26 Q1, Q2.
    assert made == 3
    rows = IndicatorValue.objects.filter(indicator=indicator).order_by("period__start")
    assert [r.period.label for r in rows] == ["2024/25 Q3", "2025/26 Q1", "2025/26 Q2"]
    first = rows[0]
    assert (first.value, first.numerator, first.denominator) == (D("25.0"), D(5), D(20))
    # The parts' cell keys are kept, so the snapshot reads as the source's figure does.
    assert (first.numerator_key, first.denominator_key) == (REPEATS.key, CASES.key)
    assert first.source == "computed"
    assert first.provenance.startswith(f"{test_metric} (Test repeat rate), computed ")
    assert services.snapshot_closed_periods(today=TODAY, partnership=partnership) == 0
    call_command("snapshot_indicators", today=TODAY)
    assert IndicatorValue.objects.count() == 3


SURVIVORS = disclosure.tally("measurestest.Survivor", range(100, 137))  # 37 people


def _survivors(partnership, period) -> MetricValue:
    return metrics.people(SURVIVORS)


def test_a_snapshot_reads_for_a_board_member_as_its_source_shows_the_same_tally(
    partnership, periods
):
    metrics.register(
        "measurestest.survivors", label="Survivors", unit=Unit.COUNT, calculator=_survivors
    )
    try:
        indicator = make_indicator(
            partnership, metric_key="measurestest.survivors", disclosure="public"
        )
        services.indicator_snapshot(indicator=indicator, period=periods["2025/26 Q1"], today=TODAY)
    finally:
        metrics.unregister("measurestest.survivors")
    row = IndicatorValue.objects.get()
    assert (row.numerator, row.numerator_key, row.denominator_key) == (37, SURVIVORS.key, None)
    source = disclosure.count(SURVIVORS, disclosure.CONTROLLED)
    assert source.value in (35, 40)
    (summary,) = selectors.public_indicators(partnership, today=TODAY)
    assert summary.latest_shown == source.text
    card = selectors.scorecard(
        partnership=partnership,
        roles={Role.BOARD_MEMBER},
        today=TODAY,
        audience=disclosure.CONTROLLED,
    )
    assert card.groups[0].summaries[0].latest_shown == source.text
    exact = selectors.scorecard(
        partnership=partnership, roles={Role.ANALYST}, today=TODAY, audience=disclosure.EXACT
    )
    assert exact.groups[0].summaries[0].latest_shown == "37"


def test_an_entered_value_is_not_overwritten_by_a_snapshot(partnership, periods, test_metric):
    indicator = make_indicator(
        partnership, unit=Unit.PERCENTAGE, denominator="Cases", metric_key=test_metric
    )
    _record(indicator, periods["2025/26 Q1"], 30)
    assert (
        services.indicator_snapshot(indicator=indicator, period=periods["2025/26 Q1"], today=TODAY)
        is None
    )
    assert IndicatorValue.objects.get().value == D(30)


# --- Seeding from the strategy ---------------------------------------------------------


def test_lambeths_measures_become_indicators_directions_flagged_not_guessed(db, settings):
    from vawg.strategy.loader import load_strategy_file
    from vawg.strategy.models import MeasureOfSuccess

    load_strategy_file(settings.SEED_STRATEGY_FILES[1])
    lambeth = MeasureOfSuccess.objects.first().strategy.partnership
    result = services.indicators_seed_from_measures(partnership=lambeth)
    assert (result.created, result.flagged) == (17, 5)
    indicators = Indicator.objects.filter(partnership=lambeth)
    assert indicators.count() == 17
    unset = indicators.filter(direction="")
    assert sorted(unset.values_list("source_measure__number", flat=True)) == [
        "13",
        "2",
        "5",
        "6",
        "7",
    ]
    assert all(i.direction_basis == services.UNSET_BASIS for i in unset)
    fifteen = indicators.get(source_measure__number="15")
    assert fifteen.direction == "decrease"
    assert "arrow ↓" in fifteen.direction_basis
    sixteen = indicators.get(source_measure__number="16")  # "Improved victim satisfaction"
    assert sixteen.direction == "increase"

    # Once the strategy's quirk is completed, running again takes the direction.
    MeasureOfSuccess.objects.filter(number="2").update(direction="increase")
    again = services.indicators_seed_from_measures(partnership=lambeth)
    assert (again.created, again.direction_completed, again.flagged) == (0, 1, 4)
    call_command("seed_indicators", partnership=lambeth.slug)
    assert Indicator.objects.count() == 17


def test_the_commands_name_an_unknown_partnership(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        call_command("seed_indicators", partnership="nowhere")
    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        call_command("snapshot_indicators", partnership="nowhere")
