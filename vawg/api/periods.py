"""The one way the API reads a reporting period a caller names ("2026/27 Q3", "2026/27"):
the partnership's own period with that label, or a 422 naming the field and saying what
is accepted. Reads, filters and writes all name periods through here."""

from django.http import Http404

from vawg.api.problems import ApiProblem
from vawg.core.models import Partnership, ReportingPeriod
from vawg.delivery import selectors as delivery

# What the schema accepts; whether the partnership holds such a period is checked here.
PATTERN = r"^[0-9]{4}(/[0-9]{2})?( Q[1-4])?$"
DESCRIBED = "A reporting period as the platform labels it: “2026/27 Q3”, or “2026/27” for a year."


def period_asked(partnership: Partnership, label: str, field: str = "period") -> ReportingPeriod:
    label = label.strip()
    if "\x00" not in label:
        try:
            return delivery.period_labelled(partnership=partnership, label=label)
        except Http404:
            pass
    example = delivery.period_example(partnership=partnership)
    raise ApiProblem(
        422,
        "There is no such reporting period.",
        {
            field: f"{partnership.name} has no reporting period labelled “{label}”: "
            f"write one as “{example}”, or see /api/v1/periods."
        },
    )
