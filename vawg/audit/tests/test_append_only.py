"""The audit trail cannot be changed or deleted: not through the ORM, the database or the admin."""

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from vawg.accounts.testing import make_user
from vawg.audit.models import AuditEvent
from vawg.audit.services import record


@pytest.fixture
def event(db):
    return record(action="export", object_type="strategy.Strategy", object_id=1)


def test_it_refuses_to_change_an_event_through_the_orm(event):
    event.summary = "tampered"
    with pytest.raises(PermissionError):
        event.save()


def test_it_refuses_to_delete_an_event_through_the_orm(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_bulk_updates_and_deletes_in_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    event.refresh_from_db()
    assert event.summary == ""


def test_the_admin_lets_operators_read_but_not_add_change_or_delete(event):
    operator = make_user("operator-sample", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/operators/")
    request.user = operator
    model_admin = site._registry[AuditEvent]
    assert model_admin.has_view_permission(request, event) is True
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_pages_refuse_changes(client, event):
    operator = make_user("operator-sample", is_staff=True, is_superuser=True)
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    change_url = f"/operators/audit/auditevent/{event.pk}/change/"
    assert client.get(change_url).status_code == 200
    client.post(change_url, {"summary": "tampered"})
    assert client.get("/operators/audit/auditevent/add/").status_code == 403
    assert client.post(f"/operators/audit/auditevent/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.summary == ""
