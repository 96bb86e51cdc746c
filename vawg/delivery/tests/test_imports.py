"""The spreadsheet round trip: column mapping, per-row report, all-or-nothing, idempotent."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from vawg.core.tabular import write_table
from vawg.delivery import imports
from vawg.delivery.forms import MappingForm
from vawg.delivery.models import ImportFile, ProgressUpdate, Status, UpdateState
from vawg.delivery.tests.factories import make_world
from vawg.strategy.models import Action, PlanChange
from vawg.strategy.tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas, actions=2)


def csv_file(rows, headers=("Ref", "Quarter", "RAG", "Progress"), name="updates.csv"):
    return SimpleUploadedFile(name, write_table("csv", headers, rows))


def stage(world, upload, kind="updates"):
    return imports.import_stage(
        strategy=world.strategy, kind=kind, upload=upload, actor=world.admin
    )


def run(world, staged, approve=False, **mapping_override):
    headers = imports.headers_of(staged)
    mapping = imports.guess_mapping(headers, imports.TARGETS[staged.kind])
    mapping.update(mapping_override)
    return imports.import_run(staged=staged, mapping=mapping, actor=world.admin, approve=approve)


def refs(world):
    return [a.ref for a in world.strategy.actions.order_by("order")]


def test_the_columns_are_guessed_from_the_headings(world):
    staged = stage(world, csv_file([]))
    assert imports.guess_mapping(imports.headers_of(staged), imports.UPDATE_TARGETS) == {
        "ref": "Ref",
        "period": "Quarter",
        "status": "RAG",
        "commentary": "Progress",
        "next_milestone": "",
        "public": "",
    }


def test_updates_import_and_a_second_import_changes_nothing(world):
    first, second = refs(world)
    rows = [[first, "2025/26 Q2", "Green", "Delivered"], [second, "2025/26 Q2", "Amber", "Delayed"]]
    result = run(world, stage(world, csv_file(rows)))
    assert (result.ok, result.created, result.updated) == (True, 2, 0)
    update = ProgressUpdate.objects.get(action__ref=second)
    assert (update.status, update.state) == (Status.AT_RISK, UpdateState.SUBMITTED)
    assert update.versions.get().event == "imported"
    again = run(world, stage(world, csv_file(rows)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert ProgressUpdate.objects.count() == 2
    assert not ImportFile.objects.exists()


def test_a_bad_row_imports_nothing_and_says_where(world):
    first, second = refs(world)
    rows = [
        [first, "2025/26 Q2", "Green", "Fine"],
        [second, "2031/32 Q9", "Purple", ""],
        ["ZZ.99", "2025/26 Q2", "Red", ""],
    ]
    result = run(world, stage(world, csv_file(rows)))
    assert not result.ok
    found = {(p.row, p.column, p.value) for p in result.problems}
    assert (3, "Quarter", "2031/32 Q9") in found
    assert (3, "RAG", "Purple") in found
    assert (4, "Ref", "ZZ.99") in found
    assert (4, "Progress", "") in found  # red needs a reason
    assert not ProgressUpdate.objects.exists()


def test_a_missing_required_column_is_reported(world):
    staged = stage(world, csv_file([["AB.1", "2025/26 Q2", "Green", ""]]))
    result = run(world, staged, status="")
    assert [p.column for p in result.problems] == ["Status"]


def test_an_approved_update_is_not_changed_by_import(world):
    first, _ = refs(world)
    run(world, stage(world, csv_file([[first, "2025/26 Q2", "Green", "x"]])), approve=True)
    assert ProgressUpdate.objects.get().state == UpdateState.APPROVED
    result = run(world, stage(world, csv_file([[first, "2025/26 Q2", "Red", "Worse"]])))
    # The progress-update service's own rule, worded once for the form and the import.
    assert "can no longer be changed" in result.problems[0].reason
    assert ProgressUpdate.objects.get().status == Status.ON_TRACK


def test_a_shared_reference_is_refused(world):
    first, _ = refs(world)
    make_action(world.action.priority, ref=first)
    result = run(world, stage(world, csv_file([[first, "2025/26 Q2", "Green", ""]])))
    assert "share this reference" in result.problems[0].reason


def test_an_unreadable_file_is_refused_at_upload(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a readable Excel"):
        stage(world, SimpleUploadedFile("plan.xlsx", b"not a spreadsheet"))


def xlsx(rows, headers):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("plan.xlsx", out.getvalue())


PLAN_HEADERS = ["Priority", "Priority title", "Ref", "Activity", "Deliver by", "Lead", "Measures"]


def test_a_plan_imports_from_xlsx_and_is_idempotent(world, partnership):
    org = partnership.organisations.first().name
    rows = [
        ["AB", "", refs(world)[0], "Reworded activity", "31/03/2026", org, "One; Two"],
        ["NW", "New priority", "NW.01", "A new action", "2026-06-30", "", "First"],
    ]
    result = run(world, stage(world, xlsx(rows, PLAN_HEADERS), kind="plan"))
    assert result.ok, result.problems
    assert (result.created, result.updated) == (2, 1)  # a priority and an action; one edit
    new = Action.objects.get(ref="NW.01")
    assert new.priority.title == "New priority" and new.deliver_by.isoformat() == "2026-06-30"
    assert [m.text for m in world.strategy.actions.get(ref=refs(world)[0]).measures.all()] == [
        "One",
        "Two",
    ]
    changes = PlanChange.objects.count()
    again = run(world, stage(world, xlsx(rows, PLAN_HEADERS), kind="plan"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert PlanChange.objects.count() == changes


def test_a_plan_row_with_an_unknown_lead_imports_nothing(world):
    rows = [
        ["AB", "", "AB.NEW", "Something", "", "", ""],
        ["AB", "", "AB.NEW2", "Else", "not a date", "Nobody we know", ""],
    ]
    result = run(world, stage(world, xlsx(rows, PLAN_HEADERS), kind="plan"))
    reasons = {(p.row, p.column): p.reason for p in result.problems}
    assert "No organisation" in reasons[(3, "Lead")]
    assert "write dates as YYYY-MM-DD or DD/MM/YYYY" in reasons[(3, "Deliver by")]
    assert not Action.objects.filter(ref__startswith="AB.NEW").exists()


def test_the_import_pages_round_trip(client_for, world):
    client = client_for(world.admin)
    start = reverse("delivery:import-start", kwargs={"partnership": "wandsworth"})
    assert client.get(start).status_code == 200
    upload = csv_file([[refs(world)[0], "2025/26 Q2", "Blue", "Done"]])
    response = client.post(
        start, {"kind": "updates", "strategy": world.strategy.slug, "file": upload}
    )
    assert response.status_code == 302
    mapping_page = client.get(response["Location"])
    assert "selected>Quarter" in mapping_page.content.decode().replace('value="Quarter" ', "")
    done = client.post(
        response["Location"],
        {"ref": "Ref", "period": "Quarter", "status": "RAG", "commentary": "Progress"},
    )
    assert done.status_code == 302
    assert ProgressUpdate.objects.get().status == Status.COMPLETE


def test_a_bad_upload_shows_the_error_summary(client_for, world):
    client = client_for(world.admin)
    start = reverse("delivery:import-start", kwargs={"partnership": "wandsworth"})
    response = client.post(
        start,
        {
            "kind": "updates",
            "strategy": world.strategy.slug,
            "file": SimpleUploadedFile("x.txt", b"hello"),
        },
    )
    assert response.status_code == 400
    assert "must be a CSV or an Excel" in response.content.decode()


def test_an_update_row_answers_to_the_progress_forms_own_rules(world):
    from vawg.delivery.services import UpdateInput, update_input_problems

    first, _ = refs(world)
    result = run(world, stage(world, csv_file([[first, "2025/26 Q2", "Amber", ""]])))
    form_says = update_input_problems(UpdateInput(status=Status.AT_RISK))["commentary"]
    assert [(p.row, p.column, p.reason) for p in result.problems] == [(2, "Progress", form_says)]
    assert not ProgressUpdate.objects.exists()


def test_an_approved_import_is_saved_by_the_update_service(world):
    from vawg.audit.models import AuditEvent
    from vawg.delivery.services import IMPORTED_APPROVAL

    first, _ = refs(world)
    result = run(world, stage(world, csv_file([[first, "2025/26 Q2", "Green", "x"]])), approve=True)
    assert (result.ok, result.created) == (True, 1)
    update = ProgressUpdate.objects.get()
    assert (update.state, update.reviewed_by, update.review_comment) == (
        UpdateState.APPROVED,
        world.admin,
        IMPORTED_APPROVAL,
    )
    assert [(v.number, v.event, v.state) for v in update.versions.all()] == [
        (1, "imported", UpdateState.APPROVED)
    ]
    # The service audits the update it saved; the importer, the file.
    assert AuditEvent.objects.filter(action="create", object_id=str(update.pk)).count() == 1
    assert AuditEvent.objects.filter(action="load", object_id=str(world.strategy.pk)).count() == 1


def test_an_import_keeps_the_next_milestone_date_the_form_gave(world):
    first, _ = refs(world)
    run(world, stage(world, csv_file([[first, "2025/26 Q2", "Green", "x"]])))
    update = ProgressUpdate.objects.get()
    update.state, update.next_milestone_date = UpdateState.DRAFT, date(2026, 1, 31)
    update.save()
    result = run(world, stage(world, csv_file([[first, "2025/26 Q2", "Green", "Better"]])))
    assert (result.ok, result.updated) == (True, 1)
    update.refresh_from_db()
    assert (update.commentary, update.next_milestone_date) == ("Better", date(2026, 1, 31))
    assert update.versions.count() == 2


def test_a_new_priority_named_once_serves_the_rows_after_it(world):
    rows = [
        ["NW", "New priority", "NW.01", "First new action", "", "", ""],
        ["NW", "", "NW.02", "Second new action", "1/4/2026", "", ""],
    ]
    result = run(world, stage(world, xlsx(rows, PLAN_HEADERS), kind="plan"))
    assert result.ok, result.problems
    assert result.created == 3  # the priority and two actions
    assert Action.objects.get(ref="NW.02").deliver_by == date(2026, 4, 1)
    assert Action.objects.get(ref="NW.02").priority.title == "New priority"


def test_the_mapping_step_offers_approval_for_updates_only(world):
    updates = imports.columns_for(stage(world, csv_file([])))
    assert updates.allow_approve and updates.targets == imports.UPDATE_TARGETS
    assert updates.headers == ["Ref", "Quarter", "RAG", "Progress"]
    assert updates.guessed["status"] == "RAG"
    form = MappingForm(columns=updates)
    assert "approve" in form.fields and form.initial["period"] == "Quarter"
    posted = MappingForm({"ref": "Ref", "status": "RAG", "approve": "on"}, columns=updates)
    assert posted.is_valid(), posted.errors
    given = posted.service_kwargs()
    assert given["approve"] is True and given["mapping"]["ref"] == "Ref"
    assert "approve" not in given["mapping"]

    plan_file = csv_file([], headers=("Priority", "Ref", "Activity"), name="plan.csv")
    plan = imports.columns_for(stage(world, plan_file, kind="plan"))
    assert not plan.allow_approve and plan.targets == imports.PLAN_TARGETS
    assert "approve" not in MappingForm(columns=plan).fields
