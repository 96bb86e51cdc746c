"""The MARAC meeting pack: a PDF agenda marked on every page, named only by choice, audited."""

import shutil
import subprocess
from datetime import date

import pytest

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.marac import services
from vawg.marac.tests.factories import make_meeting, make_referral
from vawg.marac.tests.test_views import url

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext")
VICTIM_DOB = date(1987, 11, 23)
# Every identity value in the test data; none may reach the pack without names.
IDENTITY = [
    "Test Victim 700",
    "Test Victim 701",
    "Test Perpetrator 001",
    "1 Test Street",
    "2 Test Road",
    "23 November 1987",
    "23/11/1987",
    "1987-11-23",
]


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    """The PDF's text, page by page (pdftotext separates pages with a form feed)."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        [PDFTOTEXT, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.fixture
def meeting(partnership):
    """Two cases on the agenda: a repeat, and one with children in the household."""
    make_referral(partnership, on=date(2026, 2, 1), victim="Test Victim 700", victim_dob=VICTIM_DOB)
    make_meeting(partnership, on=date(2026, 2, 10))
    services.agenda_build(
        meeting=partnership.marac_meetings.get(held_on=date(2026, 2, 10)), actor=None
    )
    make_referral(partnership, on=date(2026, 3, 1), victim="Test Victim 700", victim_dob=VICTIM_DOB)
    make_referral(
        partnership, on=date(2026, 3, 2), victim="Test Victim 701", children_in_household=3
    )
    meeting = make_meeting(partnership, on=date(2026, 3, 12))
    services.agenda_build(meeting=meeting, actor=None)
    return meeting


def _get_pack(client, partnership, meeting):
    return client.get(url("meeting-pack", partnership, pk=meeting.pk))


def test_the_pack_is_the_agenda_marked_on_every_page_with_no_names(
    client_for, personas, partnership, meeting, tmp_path
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    response = _get_pack(client_for(coordinator), partnership, meeting)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "official-sensitive-" in response["Content-Disposition"]
    pages = pdf_pages(response.content, tmp_path)
    for page in pages:
        lines = [line.strip() for line in page.strip().splitlines() if line.strip()]
        assert lines[0] == "OFFICIAL-SENSITIVE", "marked at the top of every page"
        assert "OFFICIAL-SENSITIVE" in lines[-1] or "OFFICIAL-SENSITIVE" in lines[-2]
    text = " ".join(" ".join(pages).split())
    references = list(meeting.agenda.values_list("referral__reference", flat=True))
    assert len(references) == 2 and all(r in text for r in references)
    assert "Repeat referral" in text
    assert "Children in the household: 3" in text
    assert "Agencies asked to research" in text
    assert partnership.organisations.first().name in text
    assert services.CONFIDENTIALITY_STATEMENT[:60] in text
    for value in IDENTITY:
        assert value not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="marac.Meeting")
    assert event.actor_id == coordinator.pk and event.object_id == str(meeting.pk)
    assert event.detail["version"] == "anonymous" and event.detail["format"] == "pdf"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_RESTRICTED).exists()


def test_the_meeting_page_links_the_pack_for_the_coordinator_only(
    client_for, personas, partnership, meeting
):
    link = url("meeting-pack-page", partnership, pk=meeting.pk)
    page = client_for(personas[Role.MARAC_COORDINATOR]).get(
        url("meeting-detail", partnership, pk=meeting.pk)
    )
    assert link in page.content.decode()
    rep = make_member(Role.MARAC_REPRESENTATIVE, partnership)
    page = client_for(rep).get(url("meeting-detail", partnership, pk=meeting.pk))
    assert link not in page.content.decode()


def test_the_named_version_needs_the_coordinators_confirmation(
    client_for, personas, partnership, meeting
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(url("meeting-pack-named", partnership, pk=meeting.pk), {})
    assert response.status_code == 400
    assert "Confirm that you need the named version." in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="marac.Meeting", action="read_restricted")


def test_the_named_version_holds_the_people_and_is_audited_apart(
    client_for, personas, partnership, meeting, tmp_path
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    response = client_for(coordinator).post(
        url("meeting-pack-named", partnership, pk=meeting.pk), {"confirm": "on"}
    )
    assert response.status_code == 200
    assert "named" in response["Content-Disposition"]
    text = " ".join(" ".join(pdf_pages(response.content, tmp_path)).split())
    for value in ("Test Victim 700", "Test Victim 701", "1 Test Street", "23 November 1987"):
        assert value in text
    assert "Test Perpetrator 001" in text
    pack_event = AuditEvent.objects.exclude(action__in=["create", "update"]).get(
        object_type="marac.Meeting"
    )
    assert pack_event.action == AuditEvent.Action.READ_RESTRICTED
    assert pack_event.detail["version"] == "named"
    references = set(meeting.agenda.values_list("referral__reference", flat=True))
    named = AuditEvent.objects.filter(action="read_restricted", object_type="marac.Referral")
    assert {e.detail["reference"] for e in named} == references
    # Not an ordinary export: the two versions are told apart in the trail.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    # The coordinator's access review finds each case named.
    review = client_for(coordinator).get(url("access-log", partnership)).content.decode()
    assert "Named in a downloaded MARAC meeting pack" in review


def test_a_restricted_case_never_shows_its_people(
    client_for, personas, partnership, meeting, tmp_path
):
    sealed = next(
        i.referral for i in meeting.agenda.all() if i.referral.victim_name == "Test Victim 701"
    )
    services.case_seal(referral=sealed, sealed=True, reason="victim_staff", named=[], actor=None)
    response = client_for(personas[Role.MARAC_COORDINATOR]).post(
        url("meeting-pack-named", partnership, pk=meeting.pk), {"confirm": "on"}
    )
    text = " ".join(" ".join(pdf_pages(response.content, tmp_path)).split())
    assert sealed.reference in text and "Test Victim 701" not in text
    assert "Test Victim 700" in text


@pytest.mark.parametrize("role", [Role.MARAC_REPRESENTATIVE, Role.PRACTITIONER, Role.ANALYST])
def test_other_roles_get_no_pack(client_for, personas, partnership, meeting, role):
    client = client_for(personas[role])
    assert _get_pack(client, partnership, meeting).status_code == 403
    named = client.post(url("meeting-pack-named", partnership, pk=meeting.pk), {"confirm": "on"})
    assert named.status_code == 403
    assert not AuditEvent.objects.filter(action__in=["export", "read_restricted"]).exists()


def test_another_partnerships_coordinator_gets_no_pack(
    client_for, partnership, other_partnership, meeting
):
    theirs = make_member(Role.MARAC_COORDINATOR, other_partnership)
    client = client_for(theirs)
    # Their own partnership's address with this meeting's number: no such meeting there.
    response = client.get(url("meeting-pack", other_partnership, pk=meeting.pk))
    assert response.status_code == 404
    # This partnership's address: not a member.
    assert _get_pack(client, partnership, meeting).status_code in (403, 404)
    response = client.post(
        url("meeting-pack-named", other_partnership, pk=meeting.pk), {"confirm": "on"}
    )
    assert response.status_code == 404


def test_the_pack_refuses_other_methods(client_for, personas, partnership, meeting):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    assert client.post(url("meeting-pack", partnership, pk=meeting.pk)).status_code == 405
    named = client.get(url("meeting-pack-named", partnership, pk=meeting.pk))
    assert named.status_code == 405
