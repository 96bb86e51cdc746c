"""The MARAC pages: the practitioner's path, who sees which case, and the coordinator's pages."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.marac import services
from vawg.marac.models import Assessment, CaseAction, Referral, Screening
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral, stored

pytestmark = pytest.mark.django_db


def url(name, partnership, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": partnership.slug, **kwargs})


def checklist_post(yes: int, **extra) -> dict:
    data = {f"q{n}": "yes" if n <= yes else "no" for n in range(1, 25)}
    data |= {"police_incidents": "0", "police_crimes": "0", "professional_judgement": "no"}
    return data | extra


TODAY = date.today()
REFERRAL_POST = {
    "referred_on_0": str(TODAY.day),
    "referred_on_1": str(TODAY.month),
    "referred_on_2": str(TODAY.year),
    "victim_name": "Test Victim 500",
    "victim_dob_0": "1",
    "victim_dob_1": "5",
    "victim_dob_2": "1990",
    "victim_address": "5 Test Street",
    "perpetrator_name": "Test Perpetrator 500",
    "children_in_household": "2",
    "victim_sex": "female",
    "victim_trans": "no",
    "victim_ethnicity": "asian",
    "victim_sexual_orientation": "heterosexual",
    "victim_disability": "not_known",
    "victim_aware": "yes",
    "victim_consented": "yes",
    "must_not_receive": "Test Uncle 500\n9 Test Avenue",
}


def test_a_practitioner_screens_completes_the_checklist_and_refers(
    client_for, personas, partnership
):
    client = client_for(personas[Role.PRACTITIONER])
    response = client.post(
        url("screening-new", partnership),
        {"disclosed": "yes", "immediate_danger": "no", "agrees_to_checklist": "yes"},
    )
    screening = Screening.objects.get()
    assert response.url == url("screening-result", partnership, pk=screening.pk)
    page = client.get(response.url).content.decode()
    assert "Start the risk checklist" in page

    response = client.post(
        url("assessment-new", partnership) + f"?screening={screening.pk}", checklist_post(14)
    )
    assessment = Assessment.objects.get()
    assert assessment.screening == screening and assessment.yes_count == 14
    page = client.get(response.url).content.decode()
    assert "High risk" in page and "14 of 24" in page

    response = client.post(url("referral-new", partnership, pk=assessment.pk), REFERRAL_POST)
    referral = Referral.objects.get()
    assert response.url == url("referral-detail", partnership, pk=referral.pk)
    page = client.get(response.url).content.decode()
    assert referral.reference in page
    # The practitioner sees the case by its reference only.
    assert "Test Victim 500" not in page and "Test Perpetrator" not in page
    assert referral.children_in_household == 2
    assert referral.must_not_receive.count() == 2


def test_the_checklist_names_each_unanswered_question(client_for, personas, partnership):
    client = client_for(personas[Role.PRACTITIONER])
    data = checklist_post(3)
    del data["q7"]
    response = client.post(url("assessment-new", partnership), data)
    assert response.status_code == 200
    assert "Answer question 7: yes, no or not known." in response.content.decode()
    assert not Assessment.objects.exists()


def test_judgement_without_a_reason_is_refused(client_for, personas, partnership):
    client = client_for(personas[Role.PRACTITIONER])
    response = client.post(
        url("assessment-new", partnership), checklist_post(3, professional_judgement="yes")
    )
    assert "Give the reason for your professional judgement." in response.content.decode()


def test_a_referral_without_consent_needs_the_reason(client_for, personas, partnership):
    client = client_for(personas[Role.PRACTITIONER])
    client.post(url("assessment-new", partnership), checklist_post(15))
    assessment = Assessment.objects.get()
    response = client.post(
        url("referral-new", partnership, pk=assessment.pk),
        REFERRAL_POST | {"victim_consented": "no"},
    )
    assert "Give the reason for referring without consent." in response.content.decode()
    assert not Referral.objects.exists()


def test_signposting_offers_the_directory_only_when_it_exists(client_for, personas, partnership):
    client = client_for(personas[Role.PRACTITIONER])
    response = client.post(
        url("screening-new", partnership),
        {"disclosed": "no", "immediate_danger": "no", "agrees_to_checklist": "no"},
    )
    page = client.get(response.url).content.decode()
    assert "Signpost" in page or "signpost" in page
    try:
        finder = reverse("directory:finder", kwargs={"partnership": partnership.slug})
    except Exception:
        try:
            finder = reverse("directory:finder")
        except Exception:
            finder = None
    if finder:
        assert finder in page
    else:
        assert "support directory is not available yet" in page


def test_practitioners_see_only_their_own_referrals(client_for, personas, partnership):
    mine = make_referral(partnership, personas[Role.PRACTITIONER], victim="Test Victim 501")
    colleague = make_member(Role.PRACTITIONER, partnership)
    theirs = make_referral(partnership, colleague, victim="Test Victim 502")
    client = client_for(personas[Role.PRACTITIONER])
    page = client.get(url("referral-list", partnership)).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert client.get(url("referral-detail", partnership, pk=theirs.pk)).status_code == 404
    assert client.get(url("case-detail", partnership, pk=mine.pk)).status_code == 403


def test_another_partnerships_case_is_a_404(client_for, personas, partnership, other_partnership):
    theirs = make_referral(other_partnership, victim="Test Victim 503")
    client = client_for(personas[Role.MARAC_COORDINATOR])
    assert client.get(url("case-detail", partnership, pk=theirs.pk)).status_code == 404
    assert client.get(url("case-detail", other_partnership, pk=theirs.pk)).status_code == 404


@pytest.fixture
def two_meetings(partnership):
    """Agency A is invited to the first meeting, agency B to the second."""
    a = partnership.organisations.first()
    b = make_organisation(partnership, "Test Agency B")
    first = make_referral(partnership, on=date(2026, 1, 5), victim="Test Victim 510")
    hold_meeting(make_meeting(partnership, on=date(2026, 1, 10), agencies=[a]))
    second = make_referral(partnership, on=date(2026, 1, 15), victim="Test Victim 511")
    hold_meeting(make_meeting(partnership, on=date(2026, 1, 20), agencies=[b]))
    waiting = make_referral(partnership, on=date(2026, 1, 25), victim="Test Victim 512")
    return {"a": a, "b": b, "first": first, "second": second, "waiting": waiting}


def test_a_representative_sees_only_their_meetings_cases(
    client_for, personas, partnership, two_meetings
):
    client = client_for(personas[Role.MARAC_REPRESENTATIVE])  # represents agency A
    page = client.get(url("case-list", partnership)).content.decode()
    assert two_meetings["first"].reference in page
    assert two_meetings["second"].reference not in page
    assert two_meetings["waiting"].reference not in page
    assert (
        client.get(url("case-detail", partnership, pk=two_meetings["second"].pk)).status_code == 404
    )
    detail = client.get(url("case-detail", partnership, pk=two_meetings["first"].pk))
    assert "Test Victim 510" in detail.content.decode()
    # The coordinator sees every case.
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    page = coordinator.get(url("case-list", partnership)).content.decode()
    assert all(two_meetings[k].reference in page for k in ("first", "second", "waiting"))


def test_a_sealed_case_is_seen_by_the_coordinator_and_named_representatives_only(
    client_for, personas, partnership, two_meetings
):
    rep = personas[Role.MARAC_REPRESENTATIVE]
    named = make_member(Role.MARAC_REPRESENTATIVE, partnership, organisation=two_meetings["b"])
    case = two_meetings["first"]
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    response = coordinator.post(
        url("case-seal", partnership, pk=case.pk),
        {"sealed": "yes", "reason": "victim_staff", "named": [named.pk]},
    )
    assert response.status_code == 302
    assert coordinator.get(url("case-detail", partnership, pk=case.pk)).status_code == 200
    client = client_for(rep)
    assert client.get(url("case-detail", partnership, pk=case.pk)).status_code == 404
    meeting = case.agenda_item.meeting
    page = client.get(url("meeting-detail", partnership, pk=meeting.pk)).content.decode()
    assert "Restricted case" in page and case.reference not in page
    client = client_for(named)
    assert client.get(url("case-detail", partnership, pk=case.pk)).status_code == 200


def test_every_view_of_a_case_is_audited_and_reviewable(
    client_for, personas, partnership, two_meetings
):
    rep = personas[Role.MARAC_REPRESENTATIVE]
    case = two_meetings["first"]
    client_for(rep).get(url("case-detail", partnership, pk=case.pk))
    event = AuditEvent.objects.get(action="read_restricted")
    assert (event.actor_id, event.detail["reference"]) == (rep.pk, case.reference)
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    page = coordinator.get(
        url("access-log", partnership) + f"?reference={case.reference.lower()}"
    ).content.decode()
    assert rep.username in page and case.reference in page
    bad = coordinator.get(url("access-log", partnership) + "?reference=Test%20Victim")
    assert "Enter a case reference like MARAC-00017." in bad.content.decode()


def test_a_representative_completes_their_agencys_action(
    client_for, personas, partnership, two_meetings
):
    item = two_meetings["first"].agenda_item
    mine = services.case_action_add(
        item=item,
        organisation=two_meetings["a"],
        description="Test action A",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    other = services.case_action_add(
        item=item,
        organisation=two_meetings["b"],
        description="Test action B",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    client = client_for(personas[Role.MARAC_REPRESENTATIVE])
    page = client.get(url("action-list", partnership)).content.decode()
    assert page.count(two_meetings["first"].reference) == 1
    assert client.get(url("action-complete", partnership, pk=other.pk)).status_code == 404
    response = client.post(
        url("action-complete", partnership, pk=mine.pk),
        {"completed_on_0": "30", "completed_on_1": "1", "completed_on_2": "2026", "note": "Done"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.completed_on == date(2026, 1, 30) and mine.on_time


def test_the_action_list_shows_all_open_or_overdue_actions(
    client_for, personas, partnership, two_meetings, monkeypatch
):
    monkeypatch.setattr("vawg.marac.views._today", lambda: date(2026, 2, 10))
    item = two_meetings["first"].agenda_item
    for due, description in ((date(2026, 2, 1), "late"), (date(2026, 2, 20), "coming")):
        services.case_action_add(
            item=item,
            organisation=two_meetings["a"],
            description=f"Test action {description}",
            due_on=due,
            actor=None,
        )
    done = services.case_action_add(
        item=item,
        organisation=two_meetings["a"],
        description="Test action done",
        due_on=date(2026, 2, 3),
        actor=None,
    )
    CaseAction.objects.filter(pk=done.pk).update(completed_on=date(2026, 2, 2))
    client = client_for(personas[Role.MARAC_COORDINATOR])

    def listed(query: str) -> tuple[str, list[str]]:
        page = client.get(url("action-list", partnership) + query).content.decode()
        return page, re.findall(r"action due (\d+ \w+ 2026)", page)

    page, dues = listed("")
    assert "3 actions, open first" in page and dues == ["1 Feb 2026", "20 Feb 2026", "3 Feb 2026"]
    page, dues = listed("?show=open")
    assert "2 open actions" in page and dues == ["1 Feb 2026", "20 Feb 2026"]
    page, dues = listed("?show=overdue")
    assert "1 overdue action," in page and dues == ["1 Feb 2026"]
    page, dues = listed("?show=everything")
    assert "Choose all actions, open or overdue." in page and dues == []


def test_a_completed_action_shows_as_done_and_refuses_a_second_completion(
    client_for, personas, partnership, two_meetings
):
    action = services.case_action_add(
        item=two_meetings["first"].agenda_item,
        organisation=two_meetings["a"],
        description="Test action A",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    client = client_for(personas[Role.MARAC_REPRESENTATIVE])
    done = {"completed_on_0": "30", "completed_on_1": "1", "completed_on_2": "2026"}
    assert client.post(url("action-complete", partnership, pk=action.pk), done).status_code == 302
    reads = AuditEvent.objects.filter(summary="Viewed a MARAC case action").count()
    page = client.get(url("action-complete", partnership, pk=action.pk))
    assert page.status_code == 200
    assert "It cannot be completed twice." in page.content.decode()
    again = client.post(url("action-complete", partnership, pk=action.pk), done)
    assert again.status_code == 409
    # The done page shows no form and does not read the action's text again.
    assert "<form" not in again.content.decode().split("govuk-heading-l", 1)[1]
    assert AuditEvent.objects.filter(summary="Viewed a MARAC case action").count() == reads


def test_the_coordinator_builds_the_agenda_and_holds_the_meeting(client_for, personas, partnership):
    referral = make_referral(partnership, on=date(2026, 1, 5))
    meeting = make_meeting(partnership, on=date(2026, 1, 10))
    client = client_for(personas[Role.MARAC_COORDINATOR])
    client.post(url("meeting-agenda", partnership, pk=meeting.pk))
    referral.refresh_from_db()
    assert referral.agenda_item.meeting == meeting
    response = client.post(url("meeting-hold", partnership, pk=meeting.pk), follow=True)
    assert "Record who attended before holding the meeting." in response.content.decode()
    client.post(
        url("meeting-attendance", partnership, pk=meeting.pk),
        {
            "organisation": partnership.organisations.first().pk,
            "attendee_name": "Test Rep",
            "accepted": "on",
        },
    )
    client.post(url("meeting-hold", partnership, pk=meeting.pk))
    meeting.refresh_from_db()
    assert meeting.status == "held"


def test_statistics_are_suppressed_for_a_board_member_not_for_the_analyst(
    client_for, personas, partnership
):
    make_referral(partnership, on=date(2026, 4, 5))
    hold_meeting(make_meeting(partnership, on=date(2026, 4, 10)))
    period = "2026-04-01:q"
    board = client_for(personas[Role.BOARD_MEMBER]).get(
        url("statistics", partnership) + f"?period={period}"
    )
    assert "fewer than 5" in board.content.decode()
    analyst = client_for(personas[Role.ANALYST]).get(
        url("statistics", partnership) + f"?period={period}"
    )
    page = analyst.content.decode()
    assert "OFFICIAL-SENSITIVE" in page and "fewer than 5" not in page


def test_statistics_open_on_the_last_quarter_that_is_over(
    client_for, personas, partnership, monkeypatch
):
    monkeypatch.setattr("vawg.marac.views._today", lambda: date(2026, 11, 23))
    page = client_for(personas[Role.ANALYST]).get(url("statistics", partnership)).content.decode()
    assert '<option value="2026-07-01:q" selected>' in page
    assert '--m">2026/27 Q2 (July to September 2026)</caption>' in page
    # The quarter under way is offered, and says so.
    assert "2026/27 Q3 (October to December 2026, under way: day 54 of 92)</option>" in page


def test_a_period_not_offered_is_a_clear_error(client_for, personas, partnership):
    response = client_for(personas[Role.ANALYST]).get(
        url("statistics", partnership) + "?period=1999-01-01:q"
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode() or "Choose a period" in (
        response.content.decode()
    )


LIST_PAGES = [
    (Role.MARAC_COORDINATOR, "case-list"),
    (Role.MARAC_COORDINATOR, "meeting-list"),
    (Role.MARAC_COORDINATOR, "action-list"),
    (Role.MARAC_COORDINATOR, "access-log"),
    (Role.MARAC_REPRESENTATIVE, "case-list"),
    (Role.PRACTITIONER, "referral-list"),
]


def _queries_for_lists(client_for, personas, partnership, count: int) -> dict:
    """The queries each list page makes with `count` cases, each heard and with an action."""
    practitioner = personas[Role.PRACTITIONER]
    for n in range(count):
        on = date(2026, 1, 1 + n)
        make_referral(partnership, practitioner, on=on, victim=f"Test Victim {600 + n}")
        meeting = hold_meeting(make_meeting(partnership, on=on))
        services.case_action_add(
            item=meeting.agenda.get(),
            organisation=partnership.organisations.first(),
            description="Test action",
            due_on=on,
            actor=None,
        )
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    for referral in Referral.objects.all():
        coordinator.get(url("case-detail", partnership, pk=referral.pk))  # fills the access log
    counts = {}
    for role, name in LIST_PAGES:
        client = client_for(personas[role])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(name, partnership))
        assert response.status_code == 200
        counts[(role, name)] = len(queries)
    return counts


def test_list_pages_make_the_same_queries_for_2_or_8_cases(client_for, personas, partnership):
    few = _queries_for_lists(client_for, personas, partnership, 2)
    Referral.objects.all().delete()
    many = _queries_for_lists(client_for, personas, partnership, 8)
    assert few == many


def test_research_packs_upload_checked_and_download_audited(
    client_for, personas, partnership, two_meetings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vawg.marac.tests.test_attachments import PDF

    case = two_meetings["first"]
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    bad = coordinator.post(
        url("case-attachment", partnership, pk=case.pk),
        {"file": SimpleUploadedFile("notes.txt", b"plain words", content_type="application/pdf")},
    )
    assert "The selected file must be a PDF or a Word (.docx) file." in bad.content.decode()
    coordinator.post(
        url("case-attachment", partnership, pk=case.pk),
        {"file": SimpleUploadedFile("Test Victim 510 pack.pdf", PDF)},
    )
    file = case.attachments.get()
    rep = personas[Role.MARAC_REPRESENTATIVE]
    response = client_for(rep).get(url("attachment", partnership, pk=file.pk))
    assert response.content == PDF
    assert "Test Victim" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action="read_restricted", actor_id=rep.pk, object_type="marac.Attachment"
    ).exists()
    # Agency B's representative is not invited to that meeting: not found.
    other = make_member(Role.MARAC_REPRESENTATIVE, partnership, organisation=two_meetings["b"])
    assert client_for(other).get(url("attachment", partnership, pk=file.pk)).status_code == 404


def test_notes_are_added_encrypted(client_for, personas, partnership, two_meetings):
    case = two_meetings["first"]
    client = client_for(personas[Role.MARAC_REPRESENTATIVE])
    client.post(url("case-note", partnership, pk=case.pk), {"text": "Test note from police"})
    note = case.notes.get()
    assert b"Test note" not in stored(note, "text")
    page = client.get(url("case-detail", partnership, pk=case.pk)).content.decode()
    assert "Test note from police" in page


def test_the_coordinator_sets_thresholds_population_and_a_local_criterion(
    client_for, personas, partnership
):
    from vawg.marac.models import LocalCriterion, MaracSettings

    client = client_for(personas[Role.MARAC_COORDINATOR])
    data = {
        "women_16_plus": "120000",
        "population_source": "Test estimate",
        "escalation_incidents": "5",
        "escalation_crimes": "3",
        "case_retention_months": "72",
        "retention_action": "reduce",
        "attachment_retention_months": "24",
        "screening_retention_months": "12",
        "chase_interval_days": "7",
        "male_rate": "48.5",
    }
    assert client.post(url("settings", partnership), data).status_code == 302
    row = MaracSettings.objects.get(partnership=partnership)
    assert (row.women_16_plus, row.escalation_incidents, row.escalation_crimes) == (120000, 5, 3)
    assert row.population_shares == {"male_rate": "48.5"}
    bad = client.post(url("settings", partnership), data | {"escalation_incidents": "0"})
    assert "must be 1 or more" in bad.content.decode() or "greater than or equal to 1" in (
        bad.content.decode()
    )
    client.post(
        url("criterion-new", partnership),
        {"label": "So-called honour-based abuse", "code": "hba", "automatic_referral": "yes"},
    )
    again = client.post(
        url("criterion-new", partnership),
        {"label": "Duplicate", "code": "hba", "automatic_referral": "yes"},
    )
    assert "already has a criterion with that code" in again.content.decode()
    assert LocalCriterion.objects.get(partnership=partnership).automatic_referral
