"""Every MARAC download that holds exact figures or case data is marked OFFICIAL-SENSITIVE,
in its file name and inside the file (docs/information-governance.md lists them)."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.marac import services
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.marac.tests.test_attachments import PDF

pytestmark = pytest.mark.django_db


def url(name, partnership, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": partnership.slug, **kwargs})


def headings(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_marks_exact_statistics_in_the_csv_headings_and_name(client_for, personas, partnership):
    response = client_for(personas[Role.MARAC_COORDINATOR]).get(url("statistics-csv", partnership))
    assert response.status_code == 200
    assert (
        'filename="official-sensitive-wandsworth-marac-statistics-'
        in response["Content-Disposition"]
    )
    assert headings(response)[-1] == "OFFICIAL-SENSITIVE: exact figures"


def test_it_leaves_controlled_statistics_unmarked(client_for, personas, partnership):
    response = client_for(personas[Role.BOARD_MEMBER]).get(url("statistics-csv", partnership))
    assert "official-sensitive" not in response["Content-Disposition"]
    assert not any("OFFICIAL-SENSITIVE" in h for h in headings(response))


@pytest.mark.parametrize("kind", ["research_pack", "minutes"])
def test_it_marks_the_name_of_a_research_pack_or_minutes(client_for, personas, partnership, kind):
    referral = make_referral(partnership, victim="Test Victim 720")
    meeting = hold_meeting(make_meeting(partnership))
    owner = {"referral": referral} if kind == "research_pack" else {"meeting": meeting}
    file = services.attachment_add(
        partnership=partnership, kind=kind, data=PDF, actor=None, today=date(2026, 1, 21), **owner
    )
    response = client_for(personas[Role.MARAC_COORDINATOR]).get(
        url("attachment", partnership, pk=file.pk)
    )
    expected = (
        f"official-sensitive-{referral.reference}-research-pack.pdf"
        if kind == "research_pack"
        else f"official-sensitive-meeting-{meeting.pk}-minutes.pdf"
    )
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert "Test Victim" not in response["Content-Disposition"]
