"""Small builders for MARAC tests and the demo: synthetic people only."""

import itertools
from datetime import date

from django.db.models import BinaryField
from django.db.models.functions import Cast

from vawg.core.models import Organisation
from vawg.core.testing import make_organisation
from vawg.marac import dash, services
from vawg.marac.models import Referral

_seq = itertools.count(1)
YES, NO, NOT_KNOWN = dash.Answer.YES, dash.Answer.NO, dash.Answer.NOT_KNOWN


def stored(obj, name: str) -> bytes:
    """What the database holds for an encrypted field of `obj`: the token, not the text."""
    raw = Cast(name, BinaryField())  # a plain binary value, which nothing decrypts
    rows = type(obj)._base_manager.filter(pk=obj.pk).values_list(raw, flat=True)
    return bytes(rows.get())


def answers(yes: int, not_known: int = 0) -> dict[int, str]:
    """A checklist with `yes` yes answers, then `not_known`, the rest no."""
    out = {}
    for n in range(1, 25):
        out[n] = YES if n <= yes else NOT_KNOWN if n <= yes + not_known else NO
    return out


def police(partnership) -> Organisation:
    found = partnership.organisations.filter(kind=Organisation.Kind.POLICE).first()
    return found or make_organisation(
        partnership, "Test Police Borough Command", kind=Organisation.Kind.POLICE
    )


def make_assessment(partnership, practitioner=None, *, yes: int = 15, on=date(2026, 1, 5), **kw):
    return services.assessment_complete(
        partnership=partnership,
        practitioner=practitioner,
        organisation=kw.pop("organisation", None),
        completed_on=on,
        answers=kw.pop("answers", None) or answers(yes),
        **kw,
    )


def details(
    victim: str = "Test Victim 001",
    victim_dob: date | None = date(1990, 5, 1),
    perpetrators: tuple = (("Test Perpetrator 001", date(1988, 2, 2)),),
    **kw,
) -> services.ReferralDetails:
    values = {
        "victim": services.Identity(victim, victim_dob, "1 Test Street, Testville"),
        "perpetrators": [
            services.Identity(name, born, "2 Test Road, Testville") for name, born in perpetrators
        ],
        "victim_sex": Referral.Sex.FEMALE,
        "victim_ethnicity": Referral.Ethnicity.WHITE_BRITISH,
        "victim_sexual_orientation": Referral.Orientation.HETEROSEXUAL,
        "victim_disability": "no",
        "victim_trans": "no",
        "children_in_household": 0,
        "victim_aware": True,
        "victim_consented": True,
    }
    values.update(kw)
    return services.ReferralDetails(**values)


def make_referral(
    partnership,
    referrer=None,
    *,
    on: date = date(2026, 1, 5),
    organisation: Organisation | None = None,
    yes: int = 15,
    **detail_kw,
) -> Referral:
    assessment = make_assessment(partnership, referrer, yes=yes, on=on)
    return services.referral_make(
        assessment=assessment,
        referrer=referrer,
        organisation=organisation or partnership.organisations.first(),
        referred_on=on,
        details=details(**detail_kw),
    )


def make_meeting(partnership, *, on: date = date(2026, 1, 20), agencies=None, actor=None):
    agencies = agencies or list(partnership.organisations.all())
    return services.meeting_schedule(
        partnership=partnership, held_on=on, agencies=agencies, actor=actor
    )


def hold_meeting(meeting, *, actor=None, today: date | None = None):
    services.agenda_build(meeting=meeting, actor=actor)
    services.attendance_record(
        meeting=meeting,
        organisation=meeting.invited_agencies.first(),
        attendee_name=f"Test Attendee {next(_seq):03d}",
        accepted=True,
        actor=actor,
    )
    return services.meeting_hold(meeting=meeting, actor=actor, today=today or meeting.held_on)
