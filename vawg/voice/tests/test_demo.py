from datetime import date
from io import StringIO

from django.core.management import call_command

from vawg.core import metrics
from vawg.core.models import Partnership
from vawg.voice.models import Feedback, Session, SurveyResponse, Theme

TODAY = date(2026, 11, 23)
STEPS = ["vawg.strategy.demo", "vawg.core.demo", "vawg.voice.demo"]


def _load() -> str:
    out = StringIO()
    call_command("load_demo", today=TODAY, step=STEPS, stdout=out)
    return out.getvalue()


def _counts() -> tuple:
    return tuple(m.objects.count() for m in (Feedback, Theme, Session, SurveyResponse))


def test_the_demo_gives_both_partnerships_voice_data_once(db):
    _load()
    first = _counts()
    for slug in ("wandsworth", "lambeth"):
        partnership = Partnership.objects.get(slug=slug)
        assert partnership.safeguarding_route.contact
        assert Feedback.objects.filter(partnership=partnership, status="new").exists()
        published = Theme.objects.filter(partnership=partnership, published=True)
        assert published.count() == 3
        # Each published response names at least one action in that partnership's plan.
        assert all(t.actions.exists() for t in published), slug
        period = partnership.reporting_periods.containing(TODAY).first()
        value = metrics.get("voice.feeling_safer").compute(partnership, period)
        assert value.denominator and value.denominator >= 5
    assert "already loaded" in _load()
    assert _counts() == first
