"""Downloading the plan as JSON or CSV: an attachment, and an entry in the audit trail."""

import csv
import io
import json

import pytest
from django.urls import reverse

from vawg.audit.models import AuditEvent
from vawg.strategy.tests.factories import make_plan


def export_url(strategy, fmt: str) -> str:
    return reverse(
        "strategy:export",
        kwargs={"partnership": strategy.partnership.slug, "strategy": strategy.slug, "fmt": fmt},
    )


@pytest.fixture
def plan(partnership):
    return make_plan(partnership, actions=2)


def test_it_downloads_the_plan_as_json(plan, personas, client_for):
    user = personas["action_lead"]
    response = client_for(user).get(export_url(plan, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wandsworth-vawg-2022-25.json"'
    data = json.loads(response.content)
    assert data["strategy"]["title"] == "Ending VAWG Strategy 2022–2025"
    actions = data["strategy"]["priorities"][0]["actions"]
    assert [a["ref"] for a in actions] == [a.ref for a in plan.actions.order_by("order")]


def test_it_downloads_the_action_plan_as_csv(plan, personas, client_for):
    response = client_for(personas["board_member"]).get(export_url(plan, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wandsworth-vawg-2022-25.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["ref"] for row in rows] == [a.ref for a in plan.actions.order_by("order")]
    assert rows[0]["activity"] == plan.actions.order_by("order").first().activity


def test_every_export_is_audited_without_personal_data(plan, personas, client_for):
    user = personas["analyst"]
    client_for(user).get(export_url(plan, "csv"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == user.pk
    assert event.partnership_id == plan.partnership_id
    assert (event.object_type, event.object_id) == ("strategy.Strategy", str(plan.pk))
    assert event.detail == {"format": "csv", "rows": 2}
    assert user.username not in event.summary


@pytest.mark.parametrize("fmt", ["xml", "JSON", "pdf"])
def test_an_unknown_format_is_404_and_not_audited(plan, personas, client_for, fmt):
    response = client_for(personas["action_lead"]).get(export_url(plan, fmt))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_unknown_strategy_is_404(plan, personas, client_for):
    url = reverse(
        "strategy:export",
        kwargs={"partnership": plan.partnership.slug, "strategy": "no-such-plan", "fmt": "csv"},
    )
    assert client_for(personas["action_lead"]).get(url).status_code == 404


def test_another_partnerships_strategy_is_404(plan, other_partnership, personas, client_for):
    theirs = make_plan(other_partnership, slug="lambeth-plan")
    url = reverse(
        "strategy:export",
        kwargs={"partnership": plan.partnership.slug, "strategy": theirs.slug, "fmt": "csv"},
    )
    assert client_for(personas["action_lead"]).get(url).status_code == 404


def test_the_export_is_not_given_to_another_partnership(plan, personas, client_for):
    assert client_for(personas["outsider"]).get(export_url(plan, "csv")).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_export_is_not_given_to_a_regional_officer(plan, personas, client_for):
    response = client_for(personas["regional_officer"]).get(export_url(plan, "json"))
    assert response.status_code == 404


def test_the_export_requires_sign_in(client, plan):
    response = client.get(export_url(plan, "csv"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:sign-in"))


def test_the_export_refuses_post(plan, personas, client_for):
    response = client_for(personas["action_lead"]).post(export_url(plan, "csv"))
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
