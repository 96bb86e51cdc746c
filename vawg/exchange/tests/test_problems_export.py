"""An import's problems leave as every export does: one table, the report's four columns."""

import csv
import io

import pytest

from vawg.audit.models import AuditEvent
from vawg.core.tabular import Problem
from vawg.exchange.exporting import OFFICIAL, export_file
from vawg.exchange.importing import problems_export

pytestmark = pytest.mark.django_db

PROBLEMS = [
    Problem(None, "", "", "The file has no “Kind” column."),
    Problem(3, "Kind", "=spaceship", "Use one of the kinds the platform lists."),
]


def test_the_problems_export_as_the_reports_four_columns(partnership):
    table = problems_export(PROBLEMS, name="import-7-report", subject="test.Import")

    file = export_file(table, fmt="csv", partnership=partnership)

    assert (file.filename, file.marking.classification, file.rows) == (
        "import-7-report.csv",
        OFFICIAL,
        2,
    )
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows == [
        ["Row", "Column", "Value", "What is wrong"],
        ["", "", "", "The file has no “Kind” column."],
        # A value a spreadsheet would run is neutralised, as in every export.
        ["3", "Kind", "'=spaceship", "Use one of the kinds the platform lists."],
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.object_type, event.summary) == (
        "test.Import",
        "Exported the problems found in an import as CSV",
    )
