"""The figures insight offers the measures-of-success capability (core.metrics).

Exact values with their numerator and denominator, each with its cell key: whoever
shows them passes them through core.disclosure, and they read as the dashboard does.
"""

from vawg.core import metrics
from vawg.core.metrics import MetricValue, Unit
from vawg.insight import queries


def _filters(partnership, period) -> queries.Filters:
    return queries.Filters(
        partnerships=(partnership.pk,),
        first=period.start.replace(day=1),
        last=period.end.replace(day=1),
    )


def incidents(partnership, period) -> MetricValue:
    return metrics.people(queries.totals(_filters(partnership, period)).tally("incidents"))


def _percentage(partnership, period, numerator: str, denominator: str) -> MetricValue:
    t = queries.totals(_filters(partnership, period))
    return metrics.percentage(t.tally(numerator), t.tally(denominator))


def repeat_victimisation_rate(partnership, period) -> MetricValue:
    return _percentage(partnership, period, "repeats", "incidents")


def outcome_recorded_rate(partnership, period) -> MetricValue:
    return _percentage(partnership, period, "resolved", "incidents")


def charge_rate(partnership, period) -> MetricValue:
    return _percentage(partnership, period, "charged", "resolved")


def register() -> None:
    metrics.register(
        "insight.incidents",
        label="VAWG incidents recorded",
        unit=Unit.COUNT,
        calculator=incidents,
        description="Incidents from partners' extracts dated in the period (whole months).",
    )
    metrics.register(
        "insight.repeat_victimisation_rate",
        label="Incident repeat victimisation rate",
        unit=Unit.PERCENTAGE,
        calculator=repeat_victimisation_rate,
        description="Share of incidents whose victim had another incident, in any "
        "partnership, in the 365 days before.",
    )
    metrics.register(
        "insight.outcome_recorded_rate",
        label="Incidents with a crime outcome",
        unit=Unit.PERCENTAGE,
        calculator=outcome_recorded_rate,
        description="Share of incidents whose crime outcome has been recorded.",
    )
    metrics.register(
        "insight.charge_rate",
        label="Charge or summons rate",
        unit=Unit.PERCENTAGE,
        calculator=charge_rate,
        description="Share of incidents with an outcome that were charged or summonsed.",
    )
