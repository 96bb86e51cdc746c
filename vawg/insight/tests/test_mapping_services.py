"""The steps between upload and check, as services: the mapping pages only call them."""

import pytest
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.core.tabular import TableError
from vawg.exchange.exporting import export_file
from vawg.insight import selectors, services
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import (
    MAPPING,
    TODAY,
    csv_bytes,
    import_rows,
    make_wards,
    partner_for,
    row,
)

pytestmark = pytest.mark.django_db

S = DataImport.Status


@pytest.fixture
def analyst(partnership, personas):
    make_wards(partnership)
    return personas[Role.ANALYST]


def _uploaded(partnership, analyst, rows=None) -> DataImport:
    return services.import_upload(
        partnership=partnership,
        partner=partner_for(partnership),
        filename="extract.csv",
        data=csv_bytes(rows or [row("M1"), row("M2", **{"VAWG Strand": "SV"})]),
        actor=analyst,
    )


def test_the_mapping_stays_open_until_the_file_is_imported(partnership, analyst):
    upload = _uploaded(partnership, analyst)
    for status in S:
        upload.status = status
        assert services.mapping_open(upload) is (status in {S.UPLOADED, S.CHECKED})


def test_columns_saved_for_a_file_of_unread_values_ask_for_those_first(partnership, analyst):
    upload = _uploaded(partnership, analyst)

    values_next = services.mapping_columns_save(
        data_import=upload, columns=MAPPING.columns, actor=analyst, today=TODAY
    )

    assert values_next is True
    upload.refresh_from_db()
    assert upload.status == S.UPLOADED  # not checked until the values are mapped
    assert services.mapping_for(upload.partner).columns == MAPPING.columns
    assert services.unknown_values_of(upload) == {"strand": ["DA", "SV"]}


def test_columns_saved_for_a_file_the_mapping_reads_check_it_at_once(partnership, analyst):
    upload = _uploaded(partnership, analyst)
    # The partner's value mapping was saved with an earlier file: it is kept.
    services.mapping_save(
        data_import=upload, columns=MAPPING.columns, values=MAPPING.values, actor=analyst
    )

    values_next = services.mapping_columns_save(
        data_import=upload, columns=MAPPING.columns, actor=analyst, today=TODAY
    )

    assert values_next is False
    upload.refresh_from_db()
    assert (upload.status, upload.rows_new) == (S.CHECKED, 2)
    assert services.mapping_for(upload.partner).values == MAPPING.values


def test_mapped_values_join_those_saved_and_the_file_is_checked(partnership, analyst):
    upload = _uploaded(partnership, analyst)
    services.mapping_save(
        data_import=upload,
        columns=MAPPING.columns,
        values={"strand": {"SV": "sexual_violence"}},
        actor=analyst,
    )
    assert services.unknown_values_of(upload) == {"strand": ["DA"]}

    checked = services.mapping_values_save(
        data_import=upload,
        mapped={"strand": {"DA": "domestic_abuse"}},
        actor=analyst,
        today=TODAY,
    )

    assert checked.status == S.CHECKED and checked.rows_new == 2
    assert services.mapping_for(upload.partner).values == {
        "strand": {"SV": "sexual_violence", "DA": "domestic_abuse"}
    }
    assert services.unknown_values_of(upload) == {}


def test_a_file_that_cannot_be_read_has_no_values_to_ask_about(partnership, analyst, monkeypatch):
    upload = _uploaded(partnership, analyst)

    def unreadable(**kwargs):
        raise TableError("The file is not a spreadsheet.")

    monkeypatch.setattr(services, "unknown_values", unreadable)
    # The check says what is wrong with it, row by row.
    assert services.unknown_values_of(upload) == {}


def test_the_list_marks_failed_an_import_whose_worker_stopped(
    partnership, other_partnership, analyst
):
    stopped = _uploaded(partnership, analyst)
    elsewhere = import_rows(other_partnership, [row("E1")])
    DataImport.objects.filter(pk__in=[stopped.pk, elsewhere.pk]).update(
        status=S.CHECKING, heartbeat_at=None, task_id=None
    )

    listed = services.imports_refreshed(partnership=partnership, now=timezone.now())

    assert [(i.pk, i.status) for i in listed] == [(stopped.pk, S.FAILED)]
    # Another partnership's imports are neither listed nor touched.
    assert DataImport.objects.get(pk=elsewhere.pk).status == S.CHECKING


def test_the_validation_report_holds_every_problem_and_is_recorded_when_exported(
    partnership, analyst
):
    rejected = import_rows(partnership, [row("R1", **{"Incident Date": "yesterday"})])

    table = selectors.import_report(rejected)
    assert table.name == f"import-{rejected.pk}-report"
    assert list(table.headers) == ["Row", "Column", "Value", "What is wrong"]
    assert [r[:3] for r in table.rows] == [[2, "Incident Date", "yesterday"]]

    file = export_file(table, fmt="csv", partnership=partnership, actor=analyst)
    assert file.filename == f"import-{rejected.pk}-report.csv"
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.object_id == str(rejected.pk)
    assert event.summary == "Exported an import's validation report as CSV"
    assert event.detail == {"format": "csv", "rows": 1}
