"""Subject access: the coordinator finds a victim, checks whose cases were found, and
downloads every MARAC record about them, marked, audited and with third parties redacted.

Alice is the victim who asked ("Test Victim 700"). Her first case names "Test Perpetrator
700"; her second, a repeat, names him again with "Test Co-perpetrator 700". Beth ("Test
Victim 701") was harmed by the same man and heard at the same meeting: nothing of hers
may reach Alice's file.
"""

import html
import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.marac import services
from vawg.marac.models import Referral
from vawg.marac.subject_access import REDACTED, THIRD_PARTY_QUESTIONS
from vawg.marac.tests.factories import answers, hold_meeting, make_meeting, make_referral
from vawg.marac.tests.test_attachments import PDF

pytestmark = pytest.mark.django_db

ALICE, ALICE_BORN = "Test Victim 700", date(1991, 3, 14)
BETH = "Test Victim 701"
HIM, HIS_ADDRESS = "Test Perpetrator 700", "2 Test Road, Testville"
CO = "Test Co-perpetrator 700"
UNCLE = "Test Uncle 700"


def url(name, partnership, **kwargs):
    return reverse(f"marac:{name}", kwargs={"partnership": partnership.slug, **kwargs})


@pytest.fixture
def cases(partnership, personas):
    practitioner = personas[Role.PRACTITIONER]
    first = make_referral(
        partnership,
        practitioner,
        on=date(2026, 1, 5),
        victim=ALICE,
        victim_dob=ALICE_BORN,
        perpetrators=((HIM, date(1988, 2, 2)),),
        must_not_receive=[UNCLE, "9 Test Avenue, Testville"],
    )
    beth = make_referral(
        partnership,
        practitioner,
        on=date(2026, 1, 6),
        victim=BETH,
        victim_dob=date(1993, 7, 1),
        perpetrators=((HIM, date(1988, 2, 2)),),
    )
    meeting = hold_meeting(make_meeting(partnership, on=date(2026, 1, 20)))
    agency = partnership.organisations.first()
    services.case_action_add(
        item=first.agenda_item,
        organisation=agency,
        description="Test action: refer Alice to the IDVA service",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    services.case_action_add(
        item=beth.agenda_item,
        organisation=agency,
        description="Test action for Beth's case only",
        due_on=date(2026, 2, 1),
        actor=None,
    )
    services.case_note_add(
        referral=first, author=personas[Role.MARAC_REPRESENTATIVE], text="=HYPERLINK(evil)"
    )
    services.case_note_add(referral=beth, author=None, text="Test note on Beth's case only")
    services.attachment_add(
        partnership=partnership,
        kind="research_pack",
        data=PDF,
        actor=None,
        today=date(2026, 1, 19),
        referral=first,
    )
    services.attachment_add(
        partnership=partnership,
        kind="minutes",
        data=PDF,
        actor=None,
        today=date(2026, 1, 21),
        meeting=meeting,
    )
    repeat = make_referral(
        partnership,
        practitioner,
        on=date(2026, 3, 2),
        victim="  test VICTIM 700 ",  # the same person, written differently
        victim_dob=ALICE_BORN,
        perpetrators=((HIM, date(1988, 2, 2)), (CO, None)),
    )
    assert repeat.is_repeat
    return {"first": first, "repeat": repeat, "beth": beth}


def download(client, partnership, case):
    return client.post(url("subject-access-confirm", partnership, pk=case.pk), {"reviewed": "on"})


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def cells(book) -> list[str]:
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def sheet_rows(book, title) -> list[dict]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_it_finds_the_person_by_case_reference_and_shows_whose_cases_they_are(
    client_for, personas, partnership, cases
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(url("subject-access", partnership), {"reference": "marac-00003"})
    assert response.url == url("subject-access-confirm", partnership, pk=cases["repeat"].pk)
    page = client.get(response.url)
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "test VICTIM 700" in text and "14 March 1991" in text
    assert cases["first"].reference in text and cases["repeat"].reference in text
    assert cases["beth"].reference not in text and BETH not in text
    assert REDACTED in text  # the page says what the file leaves out


def test_it_finds_the_person_by_name_and_date_of_birth_however_the_name_is_spaced(
    client_for, personas, partnership, cases
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(
        url("subject-access", partnership),
        {"name": "TEST victim   700", "dob_0": "14", "dob_1": "3", "dob_2": "1991"},
    )
    assert response.url == url("subject-access-confirm", partnership, pk=cases["first"].pk)


def test_it_finds_a_person_hashed_under_an_older_pseudonym_key(
    client_for, personas, partnership, cases, settings
):
    settings.PSEUDONYM_KEYS = f"{settings.PSEUDONYM_KEYS},2:a-newer-test-key"
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(
        url("subject-access", partnership),
        {"name": ALICE, "dob_0": "14", "dob_1": "3", "dob_2": "1991"},
    )
    assert response.url == url("subject-access-confirm", partnership, pk=cases["first"].pk)


def test_it_says_when_nobody_matches_and_records_the_search_without_the_name(
    client_for, personas, partnership, cases
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(
        url("subject-access", partnership),
        {"name": ALICE, "dob_0": "15", "dob_1": "3", "dob_2": "1991"},
    )
    assert response.status_code == 200
    assert "No case in this partnership has a victim with that name" in response.content.decode()
    event = AuditEvent.objects.get(object_type="marac.SubjectAccess")
    assert event.action == AuditEvent.Action.READ_RESTRICTED
    assert event.actor_id == personas[Role.MARAC_COORDINATOR].pk
    assert event.detail == {
        "found_by": "name_and_date_of_birth",
        "found": 0,
        "reference": "",
        "references": [],
    }
    assert "700" not in json.dumps(event.detail) + event.summary


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter a case reference, or the person"),
        ({"name": ALICE}, "Enter the person's date of birth as well as their name."),
        (
            {"dob_0": "14", "dob_1": "3", "dob_2": "1991"},
            "Enter the person's full name as well as their date of birth.",
        ),
        (
            {"reference": "MARAC-00001", "name": ALICE},
            "Search by the case reference, or by name and date of birth, not both.",
        ),
        ({"reference": "case 1"}, "Enter a case reference like MARAC-00017."),
        ({"reference": "MARAC-09999"}, "No case in this partnership has the reference"),
    ],
)
def test_it_explains_a_search_it_cannot_make(
    client_for, personas, partnership, cases, data, message
):
    response = client_for(personas[Role.MARAC_COORDINATOR]).post(
        url("subject-access", partnership), data
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())


def test_it_does_not_offer_a_case_reduced_to_anonymous_statistics(
    client_for, personas, partnership, cases
):
    first = cases["first"]
    Referral.objects.filter(pk=first.pk).update(reduced_on=date(2032, 2, 1))
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(url("subject-access", partnership), {"reference": first.reference})
    assert "was reduced to anonymous statistics on 1 February 2032" in response.content.decode()
    assert client.get(url("subject-access-confirm", partnership, pk=first.pk)).status_code == 404


def test_it_asks_for_the_review_to_be_confirmed_before_the_download(
    client_for, personas, partnership, cases
):
    client = client_for(personas[Role.MARAC_COORDINATOR])
    response = client.post(url("subject-access-confirm", partnership, pk=cases["first"].pk))
    assert response.status_code == 200
    assert "Confirm that you will review the file" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_gives_the_coordinator_every_record_about_the_person(
    client_for, personas, partnership, cases
):
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    book = workbook(response)
    references = [cases["first"].reference, cases["repeat"].reference]
    referrals = sheet_rows(book, "Referrals")
    assert [r["Case reference"] for r in referrals] == references
    assert referrals[0]["Name"] == ALICE and referrals[0]["Address"] == "1 Test Street, Testville"
    assert referrals[0]["Date of birth"].date() == ALICE_BORN
    assert referrals[1]["Repeat of"] == cases["first"].reference
    assert [r["Case reference"] for r in sheet_rows(book, "Perpetrators")] == [
        references[0],
        references[1],
        references[1],
    ]
    assert len(sheet_rows(book, "Checklist answers")) == 48  # 24 per checklist
    assert [r["Case reference"] for r in sheet_rows(book, "Risk checklists")] == references
    notes = sheet_rows(book, "Case notes")
    assert [n["Case reference"] for n in notes] == [references[0]]
    actions = sheet_rows(book, "Case actions")
    assert actions[0]["Action (free text: review for third parties before release)"] == (
        "Test action: refer Alice to the IDVA service"
    )
    meetings = sheet_rows(book, "Meetings")
    assert [(m["Case reference"], m["Status"]) for m in meetings] == [(references[0], "Held")]
    files = sheet_rows(book, "Files")
    assert [f["Kind"] for f in files] == ["Research pack", "Minutes"]
    assert "other people's cases" in files[1]["Note"]


def test_it_holds_no_perpetrator_or_other_victim_or_must_not_receive_details(
    client_for, personas, partnership, cases
):
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    text = "\n".join(cells(workbook(response)))
    for third_party in (HIM, CO, HIS_ADDRESS, "1988", UNCLE, "9 Test Avenue"):
        assert third_party not in text, third_party
    for beths in (BETH, cases["beth"].reference, "Beth's case only", "1993"):
        assert beths not in text, beths
    book = workbook(response)
    assert {r["Name"] for r in sheet_rows(book, "Perpetrators")} == {REDACTED}
    assert [r["Person or address"] for r in sheet_rows(book, "Must not receive")] == [
        REDACTED,
        REDACTED,
    ]


def test_it_leaves_out_the_names_of_staff(client_for, personas, partnership, cases):
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    text = "\n".join(cells(workbook(response)))
    for role in (Role.PRACTITIONER, Role.MARAC_REPRESENTATIVE, Role.MARAC_COORDINATOR):
        assert personas[role].username not in text
    assert "Test Attendee" not in text


def test_it_withholds_the_checklist_answers_about_the_abuser(
    client_for, personas, partnership, cases
):
    assessment = cases["first"].assessment
    assessment.answers = {str(n): a for n, a in answers(yes=24).items()}
    assessment.save()
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    rows = [
        r
        for r in sheet_rows(workbook(response), "Checklist answers")
        if r["Case reference"] == cases["first"].reference
    ]
    withheld = {r["Question"] for r in rows if r["Answer"] == REDACTED}
    assert withheld == set(THIRD_PARTY_QUESTIONS)
    assert {r["Answer"] for r in rows if r["Question"] not in withheld} == {"Yes"}


def test_it_shows_why_a_case_was_restricted_only_when_the_reason_is_the_person(
    client_for, personas, partnership, cases
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    services.case_seal(
        referral=cases["first"], sealed=True, reason="perpetrator_staff", named=[], actor=None
    )
    services.case_seal(
        referral=cases["repeat"], sealed=True, reason="victim_staff", named=[], actor=None
    )
    response = download(client_for(coordinator), partnership, cases["first"])
    reasons = [r["Why access is restricted"] for r in sheet_rows(workbook(response), "Referrals")]
    assert reasons == [REDACTED, "The victim works for a partner agency"]


def test_it_neutralises_cells_a_spreadsheet_would_run(client_for, personas, partnership, cases):
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    notes = sheet_rows(workbook(response), "Case notes")
    assert notes[0]["Note (free text: review for third parties before release)"] == (
        "'=HYPERLINK(evil)"
    )


def test_it_marks_the_file_official_sensitive(client_for, personas, partnership, cases):
    response = download(client_for(personas[Role.MARAC_COORDINATOR]), partnership, cases["first"])
    assert response["Content-Disposition"] == (
        'attachment; filename="official-sensitive-wandsworth-marac-subject-access-'
        f'{cases["first"].reference}.xlsx"'
    )
    book = workbook(response)
    assert book.worksheets[0].title == "OFFICIAL-SENSITIVE"
    for sheet in book.worksheets:
        assert sheet.oddHeader.center.text == "OFFICIAL-SENSITIVE", sheet.title
        assert sheet.oddFooter.center.text == "OFFICIAL-SENSITIVE", sheet.title
    cover = "\n".join(str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row)
    assert "remove what is about someone else" in cover


def test_it_records_each_case_exported_without_the_persons_name(
    client_for, personas, partnership, cases
):
    coordinator = personas[Role.MARAC_COORDINATOR]
    client = client_for(coordinator)
    client.post(url("subject-access", partnership), {"reference": cases["first"].reference})
    client.get(url("subject-access-confirm", partnership, pk=cases["first"].pk))
    download(client, partnership, cases["first"])
    references = [cases["first"].reference, cases["repeat"].reference]
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk")
    assert [(e.object_type, e.detail["reference"], e.actor_id) for e in exports] == [
        ("marac.Referral", references[0], coordinator.pk),
        ("marac.Referral", references[1], coordinator.pk),
    ]
    assert all(e.detail["references"] == references for e in exports)
    trail = json.dumps(
        [[e.summary, e.detail] for e in AuditEvent.objects.all()], ensure_ascii=False
    )
    for identity in ("Victim 700", "VICTIM 700", "1991", "Test Street", HIM):
        assert identity not in trail, identity
    # The coordinator's "who viewed what" shows the export against the case.
    page = client.get(url("access-log", partnership), {"reference": references[1]})
    assert "Exported in a subject access response" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MARAC_REPRESENTATIVE, 403),
        (Role.PARTNERSHIP_ADMIN, 403),
        (Role.ANALYST, 403),
        (Role.PRACTITIONER, 403),
        ("outsider", 404),
    ],
)
def test_it_refuses_everyone_but_the_coordinator(
    client_for, personas, partnership, cases, role, status
):
    client = client_for(personas[role])
    confirm = url("subject-access-confirm", partnership, pk=cases["first"].pk)
    assert client.get(url("subject-access", partnership)).status_code == status
    assert client.post(url("subject-access", partnership), {"name": ALICE}).status_code == status
    assert client.get(confirm).status_code == status
    assert client.post(confirm, {"reviewed": "on"}).status_code == status
    assert not AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.EXPORT, AuditEvent.Action.READ_RESTRICTED]
    ).exists()


def test_it_finds_nothing_of_another_partnership(client_for, personas, other_partnership, cases):
    lambeth = make_member(Role.MARAC_COORDINATOR, other_partnership)
    client = client_for(lambeth)
    response = client.post(
        url("subject-access", other_partnership), {"reference": cases["first"].reference}
    )
    assert "No case in this partnership has the reference" in response.content.decode()
    response = client.post(
        url("subject-access", other_partnership),
        {"name": ALICE, "dob_0": "14", "dob_1": "3", "dob_2": "1991"},
    )
    assert "No case in this partnership has a victim" in response.content.decode()
    confirm = url("subject-access-confirm", other_partnership, pk=cases["first"].pk)
    assert client.get(confirm).status_code == 404
    assert client.post(confirm, {"reviewed": "on"}).status_code == 404


def test_it_is_offered_to_the_coordinator_on_the_marac_home_and_case_pages(
    client_for, personas, partnership, cases
):
    coordinator = client_for(personas[Role.MARAC_COORDINATOR])
    search = url("subject-access", partnership)
    confirm = url("subject-access-confirm", partnership, pk=cases["first"].pk)
    assert search in coordinator.get(url("home", partnership)).content.decode()
    assert (
        confirm
        in coordinator.get(url("case-detail", partnership, pk=cases["first"].pk)).content.decode()
    )
    rep = client_for(personas[Role.MARAC_REPRESENTATIVE])
    assert search not in rep.get(url("home", partnership)).content.decode()
