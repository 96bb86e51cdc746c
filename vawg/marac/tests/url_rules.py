"""Who may see each marac URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from datetime import date

from vawg.core.permissions import Role
from vawg.core.tests.sweep import Rule, holders

REFER = holders("marac.refer")
VIEW = holders("marac.view")
COORDINATE = holders("marac.coordinate")
SUBJECT_ACCESS = holders("marac.subject_access")
# Pages about one practitioner's own screening or checklist: every holder of marac.refer
# reaches the view, and anyone but their author gets a 404 (tested in test_views_referral.py).
OWN = frozenset({200, 302, 404})

RULES: dict = {
    "marac:home": Rule(REFER),
    "marac:screening-new": Rule(REFER),
    "marac:screening-result": Rule(REFER, ok=OWN),
    "marac:assessment-new": Rule(REFER),
    "marac:assessment-detail": Rule(REFER, ok=OWN),
    "marac:referral-new": Rule(REFER, ok=OWN),
    "marac:referral-list": Rule(REFER),
    # The author sees it; a MARAC role who may see the case is redirected to it.
    "marac:referral-detail": Rule(REFER),
    "marac:case-list": Rule(VIEW),
    "marac:case-detail": Rule(VIEW),
    "marac:case-note": Rule(VIEW, post_only=True),
    "marac:case-seal": Rule(COORDINATE),
    "marac:case-attachment": Rule(COORDINATE),
    "marac:attachment": Rule(VIEW),
    "marac:meeting-list": Rule(VIEW),
    "marac:meeting-new": Rule(COORDINATE),
    "marac:meeting-detail": Rule(VIEW),
    "marac:meeting-agenda": Rule(COORDINATE, post_only=True),
    "marac:meeting-attendance": Rule(COORDINATE),
    "marac:meeting-hold": Rule(COORDINATE, post_only=True),
    "marac:meeting-minutes": Rule(COORDINATE),
    "marac:meeting-pack-page": Rule(COORDINATE),
    "marac:meeting-pack": Rule(COORDINATE),
    "marac:meeting-pack-named": Rule(COORDINATE, post_only=True),
    "marac:history-import": Rule(COORDINATE),
    "marac:action-new": Rule(COORDINATE),
    "marac:action-list": Rule(VIEW),
    "marac:action-complete": Rule(VIEW),
    "marac:access-log": Rule(COORDINATE),
    "marac:subject-access": Rule(SUBJECT_ACCESS),
    "marac:subject-access-confirm": Rule(SUBJECT_ACCESS),
    "marac:settings": Rule(COORDINATE),
    "marac:criterion-new": Rule(COORDINATE),
    "marac:statistics": Rule(holders("marac.statistics")),
    "marac:statistics-csv": Rule(holders("marac.statistics")),
    "marac:statistics-xlsx": Rule(holders("marac.statistics")),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    """A practitioner's screening, checklist and referral, heard at a meeting every agency
    is invited to, with an action and a file."""
    from vawg.marac import services
    from vawg.marac.tests.factories import (
        hold_meeting,
        make_assessment,
        make_meeting,
        make_referral,
    )
    from vawg.marac.tests.test_attachments import PDF

    practitioner = personas[Role.PRACTITIONER]
    screening = services.screening_record(
        partnership=partnership,
        practitioner=practitioner,
        organisation=None,
        screened_on=date(2026, 1, 2),
        disclosed=True,
        immediate_danger=False,
        agrees_to_checklist=True,
    )
    unreferred = make_assessment(partnership, practitioner, yes=15)
    referral = make_referral(partnership, practitioner, victim="Test Victim 900")
    meeting = hold_meeting(make_meeting(partnership))
    action = services.case_action_add(
        item=referral.agenda_item,
        # The representative persona's own agency, so they may complete it.
        organisation=personas[Role.MARAC_REPRESENTATIVE].memberships.get().organisation,
        description="Test sweep action",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    file = services.attachment_add(
        partnership=partnership,
        kind="minutes",
        data=PDF,
        actor=None,
        today=date(2026, 1, 21),
        meeting=meeting,
    )
    pk = lambda obj: {"pk": obj.pk}  # noqa: E731
    return {
        "marac:screening-result": pk(screening),
        "marac:assessment-detail": pk(unreferred),
        "marac:referral-new": pk(unreferred),
        "marac:referral-detail": pk(referral),
        "marac:case-detail": pk(referral),
        "marac:case-note": pk(referral),
        "marac:case-seal": pk(referral),
        "marac:case-attachment": pk(referral),
        "marac:attachment": pk(file),
        "marac:meeting-detail": pk(meeting),
        "marac:meeting-agenda": pk(meeting),
        "marac:meeting-attendance": pk(meeting),
        "marac:meeting-hold": pk(meeting),
        "marac:meeting-minutes": pk(meeting),
        "marac:meeting-pack-page": pk(meeting),
        "marac:meeting-pack": pk(meeting),
        "marac:meeting-pack-named": pk(meeting),
        "marac:action-new": pk(referral.agenda_item),
        "marac:action-complete": pk(action),
        "marac:subject-access-confirm": pk(referral),
    }
