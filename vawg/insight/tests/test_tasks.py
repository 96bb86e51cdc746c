"""Large files go to the background worker; the page follows their progress."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from vawg.core.permissions import Role
from vawg.insight import services, store, tasks
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import MAPPING, TODAY, csv_bytes, make_wards, partner_for, row

pytestmark = pytest.mark.django_db


def test_a_large_file_is_checked_and_imported_in_the_background(
    partnership, personas, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    make_wards(partnership)
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 2)
    analyst = personas[Role.ANALYST]
    upload = services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="big.csv",
        data=csv_bytes([row("G1"), row("G2"), row("G3")]),
        actor=analyst,
    )
    services.mapping_save(
        data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=analyst
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_check_start(data_import=upload, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == DataImport.Status.CHECKING
    assert DBTaskResult.objects.count() == 1

    page = client_for(analyst).get(
        reverse("insight:import-detail", kwargs={"partnership": "wandsworth", "pk": upload.pk})
    )
    assert '<meta http-equiv="refresh" content="3">' in page.content.decode()
    assert "This page refreshes itself" in page.content.decode()

    tasks.check_import.call(upload.pk)
    upload.refresh_from_db()
    assert (upload.status, upload.rows_new, upload.rows_done) == (DataImport.Status.CHECKED, 3, 3)

    with django_capture_on_commit_callbacks(execute=True):
        services.import_run_start(data_import=upload, actor=analyst, today=TODAY)
    upload.refresh_from_db()
    assert upload.status == DataImport.Status.QUEUED
    tasks.run_import.call(upload.pk, analyst.pk)
    tasks.run_import.call(upload.pk, analyst.pk)  # delivered twice: does nothing more
    upload.refresh_from_db()
    assert upload.status == DataImport.Status.IMPORTED
    assert store.count() == 3
