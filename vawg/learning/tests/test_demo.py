"""The demo step: synthetic learning data for both partnerships, loaded once."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from vawg.core import metrics
from vawg.core.models import Partnership, ReportingPeriod
from vawg.learning.models import Attendance, CaseReview, Initiative, Participant, Recommendation

TODAY = date(2026, 11, 23)
STEPS = ["vawg.strategy.demo", "vawg.core.demo", "vawg.accounts.demo", "vawg.learning.demo"]


def load() -> str:
    out = StringIO()
    call_command("load_demo", today=TODAY, step=STEPS, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_each_kind_of_learning_once_and_feeds_the_figures():
    load()
    for slug in ("wandsworth", "lambeth"):
        partnership = Partnership.objects.get(slug=slug)
        assert Attendance.objects.filter(session__course__partnership=partnership).exists()
        assert Participant.objects.filter(initiative__partnership=partnership).exists()
        assert Recommendation.objects.filter(review__partnership=partnership).exists()
        kinds = set(
            CaseReview.objects.filter(partnership=partnership).values_list("kind", flat=True)
        )
        assert kinds == {"dhr", "dardr", "sar", "cspr"}
        # The last closed quarter has training, so the confidence figure has a value.
        quarter = ReportingPeriod.objects.filter(partnership=partnership, end__lt=TODAY).last()
        value = metrics.get("learning.organisations_improved_confidence").compute(
            partnership, quarter
        )
        assert value.denominator and value.value is not None
    for model in (Attendance, Participant, Initiative, CaseReview, Recommendation):
        for obj in model.objects.all():
            obj.full_clean()

    before = Recommendation.objects.count(), Attendance.objects.count()
    output = load()
    assert "learning data already loaded" in output
    assert (Recommendation.objects.count(), Attendance.objects.count()) == before
