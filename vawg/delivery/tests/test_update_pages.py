"""Who may open an update to edit, evidence or review it, and what the forms hand the services.

The pages ask these selectors first, so a refusal comes before any form is shown or read."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation
from vawg.delivery import selectors, services
from vawg.delivery.forms import EvidenceForm, ReviewForm, UpdateForm
from vawg.delivery.models import Status
from vawg.delivery.tests.factories import make_world, post
from vawg.strategy.tests.factories import make_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


def to_edit(world, user, action=None, period=None):
    return selectors.update_to_edit(
        partnership=world.strategy.partnership,
        user=user,
        pk=(action or world.action).pk,
        period=(period or world.q3).pk,
    )


def test_it_opens_a_new_update_for_the_lead(world):
    page = to_edit(world, world.lead)
    assert (page.action, page.period, page.update) == (world.action, world.q3, None)
    assert page.standing.may_update(world.action)
    assert not page.closed


def test_a_draft_stays_open_and_a_submitted_update_is_closed(world):
    draft = post(world, world.q3, world.lead, submit=False)
    page = to_edit(world, world.lead)
    assert (page.update, page.closed) == (draft, False)
    post(world, world.q3, world.lead, version=1)
    assert to_edit(world, world.lead).closed


def test_it_refuses_an_action_another_organisation_leads(world, partnership):
    elsewhere = make_action(
        world.action.priority, leads=(make_organisation(partnership, "Police"),)
    )
    with pytest.raises(PermissionDenied, match="actions your organisation leads"):
        to_edit(world, world.lead, action=elsewhere)
    assert to_edit(world, world.admin, action=elsewhere).action == elsewhere


def test_a_chair_cannot_open_an_update_to_edit(world):
    with pytest.raises(PermissionDenied):
        to_edit(world, world.chair)


def test_only_the_action_s_lead_or_an_admin_may_add_evidence(world):
    update = post(world, world.q3, world.lead, submit=False)
    partnership = world.strategy.partnership
    found = selectors.update_for_evidence(partnership=partnership, user=world.lead, pk=update.pk)
    assert found.update == update and found.standing.may_update(world.action)
    with pytest.raises(PermissionDenied, match="add evidence"):
        selectors.update_for_evidence(partnership=partnership, user=world.chair, pk=update.pk)


def test_only_the_workstream_s_chair_or_an_admin_may_review(world, partnership):
    update = post(world, world.q3, world.lead)
    found = selectors.update_to_review(partnership=partnership, user=world.chair, pk=update.pk)
    assert found.update == update and found.awaiting_review
    assert selectors.update_to_review(partnership=partnership, user=world.admin, pk=update.pk)
    other_chair = make_member(Role.WORKSTREAM_CHAIR, partnership)
    for user in (world.lead, other_chair):
        with pytest.raises(PermissionDenied, match="your workstream's priorities"):
            selectors.update_to_review(partnership=partnership, user=user, pk=update.pk)


def test_a_draft_is_not_awaiting_review(world, partnership):
    update = post(world, world.q3, world.lead, submit=False)
    found = selectors.update_to_review(partnership=partnership, user=world.chair, pk=update.pk)
    assert not found.awaiting_review


def test_the_update_form_submits_only_from_the_submit_button(world):
    fields = {"version": "0", "status": Status.AT_RISK, "commentary": " Venue lost "}
    for button, submit in (("submit", True), ("save", False)):
        form = UpdateForm({**fields, button: "x"}, action=world.action, update=None)
        assert form.is_valid(), form.errors
        given = form.service_kwargs()
        assert (given["version"], given["submit"]) == (0, submit)
        assert (given["data"].status, given["data"].commentary) == (Status.AT_RISK, "Venue lost")


def test_the_review_form_leaves_publishing_alone_when_there_is_no_commentary(world):
    silent = post(world, world.q3, world.lead, commentary="")
    form = ReviewForm({"version": "2", "decision": services.Decision.APPROVE}, update=silent)
    assert form.is_valid(), form.errors
    assert form.service_kwargs() == {
        "decision": services.Decision.APPROVE,
        "comment": "",
        "version": 2,
        "publish_commentary": None,
    }


def test_the_review_form_passes_the_publishing_choice(world):
    update = post(world, world.q2, world.lead, commentary="Delivered")
    data = {"version": "2", "decision": "return", "comment": "More", "publish_commentary": "on"}
    form = ReviewForm(data, update=update)
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["publish_commentary"] is True


def test_the_evidence_form_passes_a_link_or_a_file():
    link = EvidenceForm({"title": "Report", "url": "https://example.org/r"})
    assert link.is_valid(), link.errors
    assert link.service_kwargs() == {
        "title": "Report",
        "url": "https://example.org/r",
        "upload": None,
    }
    upload = SimpleUploadedFile("r.pdf", b"%PDF-1.4")
    filed = EvidenceForm({"title": "Report"}, {"file": upload})
    assert filed.is_valid(), filed.errors
    assert filed.service_kwargs()["url"] == "" and filed.service_kwargs()["upload"] is upload
