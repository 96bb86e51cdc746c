"""The learning figures the scorecard can use, registered in core.metrics.

Each calculator takes (partnership, period) and reads its number from selectors,
so the scorecard and the learning pages agree.
"""

from decimal import Decimal
from functools import partial

from vawg.core.metrics import MetricValue, Unit, people, register
from vawg.learning import selectors
from vawg.learning.models import Initiative


def organisations_improved_confidence(partnership, period) -> MetricValue:
    return selectors.organisations_improved_confidence(
        partnership=partnership, start=period.start, end=period.end
    )


def training_attendances(partnership, period) -> MetricValue:
    """People: a count with its cell key, so the scorecard shows it as the pages do."""
    tally = selectors.attendance_tally(partnership=partnership, start=period.start, end=period.end)
    return people(tally)


def recommendations_embedded(partnership, period) -> MetricValue:
    return selectors.recommendations_embedded(partnership=partnership, on=period.end)


def recommendations_overdue(partnership, period) -> MetricValue:
    return selectors.recommendations_overdue(partnership=partnership, on=period.end)


def register_coverage(partnership, period, *, kind: str) -> MetricValue:
    return selectors.coverage_for_kind(partnership=partnership, kind=kind, on=period.end)


def register_count(partnership, period, *, kind: str) -> MetricValue:
    # Organisations, schools and venues, not people: no cell key, shown as it is.
    count = selectors.active_count_for_kind(partnership=partnership, kind=kind, on=period.end)
    return MetricValue(Decimal(count), count, None)


# Built once, so that registering again (a second ready()) finds the same calculators.
_COVERAGE = {kind: partial(register_coverage, kind=kind) for kind in Initiative.Kind.values}
_COUNT = {kind: partial(register_count, kind=kind) for kind in Initiative.Kind.values}


def register_all() -> None:
    register(
        "learning.organisations_improved_confidence",
        label="Organisations reporting improved confidence after training (%)",
        unit=Unit.PERCENTAGE,
        calculator=organisations_improved_confidence,
        description=(
            "Of the organisations whose staff answered the confidence questions before and "
            "after a session held in the period, the share whose average confidence rose."
        ),
    )
    register(
        "learning.training_attendances",
        label="Training attendances",
        unit=Unit.COUNT,
        calculator=training_attendances,
        description="People attending partnership training sessions held in the period.",
    )
    register(
        "learning.recommendations_embedded",
        label="Case-review recommendations embedded (%)",
        unit=Unit.PERCENTAGE,
        calculator=recommendations_embedded,
        description=(
            "Of the case-review recommendations due by the end of the period, the share with "
            "evidence that the learning was embedded by then."
        ),
    )
    register(
        "learning.recommendations_overdue",
        label="Case-review recommendations overdue (%)",
        unit=Unit.PERCENTAGE,
        calculator=recommendations_overdue,
        description=(
            "Of the case-review recommendations due by the end of the period, the share "
            "still not completed at the end of the period."
        ),
    )
    for kind, label in Initiative.Kind.choices:
        register(
            f"learning.coverage_{kind}",
            label=f"{label}: coverage (%)",
            unit=Unit.PERCENTAGE,
            calculator=_COVERAGE[kind],
            description=(
                "Participants in place at the end of the period, as a share of how many "
                "could take part (the register's denominator)."
            ),
        )
        register(
            f"learning.participants_{kind}",
            label=f"{label}: participants in place",
            unit=Unit.COUNT,
            calculator=_COUNT[kind],
            description="Participants in place at the end of the period.",
        )
