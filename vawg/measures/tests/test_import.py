from datetime import date
from decimal import Decimal as D

import pytest

from vawg.audit.models import AuditEvent
from vawg.core.metrics import Unit
from vawg.core.permissions import Role
from vawg.core.tabular import write_table
from vawg.core.testing import make_organisation
from vawg.measures import services
from vawg.measures.models import IndicatorValue
from vawg.measures.tests.factories import make_indicator, make_periods

TODAY = date(2025, 11, 20)
HEAD = "Indicator ID,Period,Value,Numerator,Denominator,Note\n"


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2025, 4, 1), date(2026, 3, 31))


@pytest.fixture
def owned(partnership):
    return make_indicator(partnership)


@pytest.fixture
def lead_org(partnership):
    return partnership.organisations.first().pk


def _import(partnership, text: str, *, roles=(Role.ACTION_LEAD,), orgs=None, name="v.csv"):
    data = text.encode() if isinstance(text, str) else text
    return services.values_import(
        partnership=partnership,
        data=data,
        filename=name,
        actor=None,
        roles=set(roles),
        organisation_ids=orgs if orgs is not None else {partnership.organisations.first().pk},
        today=TODAY,
    )


def _problems(partnership, text: str, **extra) -> list[str]:
    with pytest.raises(services.ImportRejected) as rejected:
        _import(partnership, text, **extra)
    return [str(p) for p in rejected.value.problems]


def test_it_imports_a_good_file_and_the_same_file_twice_counts_once(partnership, periods, owned):
    text = HEAD + f'{owned.pk},2025/26 Q1,40,,,First\n{owned.pk},2025/26 Q2,"1,042",,,\n'
    result = _import(partnership, text)
    assert (result.recorded, result.corrected, result.unchanged) == (2, 0, 0)
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [D(40), D(1042)]
    row = IndicatorValue.objects.get(value=40)
    assert (row.source, row.provenance, row.note) == ("imported", "Imported from v.csv", "First")
    again = _import(partnership, text)
    assert (again.recorded, again.corrected, again.unchanged) == (0, 0, 2)
    assert IndicatorValue.objects.count() == 2
    assert (
        AuditEvent.objects.filter(action="load", object_type="measures.IndicatorValue").count() == 2
    )


def test_a_different_figure_is_kept_as_a_correction(partnership, periods, owned):
    _import(partnership, HEAD + f"{owned.pk},2025/26 Q1,40,,,\n")
    result = _import(partnership, HEAD + f"{owned.pk},2025/26 Q1,41,,,Late return\n")
    assert result.corrected == 1
    assert IndicatorValue.objects.count() == 2
    assert IndicatorValue.objects.current().get().value == D(41)


def test_it_reads_xlsx(partnership, periods, owned):
    data = write_table(
        "xlsx",
        services.IMPORT_COLUMNS,
        [[owned.pk, "2025/26 Q1", 12, None, None, "From Excel"]],
    )
    assert _import(partnership, data, name="values.xlsx").recorded == 1


def test_one_bad_row_and_nothing_is_saved(partnership, periods, owned):
    rate = make_indicator(partnership, name="Rate", unit=Unit.RATE_PER_1000, denominator="Women")
    share = make_indicator(partnership, name="Share", unit=Unit.PERCENTAGE, denominator="Women")
    text = HEAD + (
        f"{owned.pk},2025/26 Q1,40,,,\n"  # fine on its own
        f"{share.pk},2025/26 Q1,140,,,\n"
        f"{rate.pk},2025/26 Q1,3.2,,,\n"
        f"{owned.pk},2019/20 Q1,4,,,\n"
        f"{owned.pk},2025/26 Q4,4,,,\n"
        f"{owned.pk},2025/26 Q1,5,,,\n"
        f"{owned.pk},2025/26 Q2,lots,,,\n"
        f"999,2025/26 Q2,1,,,\n"
    )
    assert _problems(partnership, text) == [
        "Row 3, column “Value”: A percentage must be between 0 and 100; 140 is not.",
        "Row 4, column “Denominator”: A rate per 1,000 population needs its denominator "
        "(the population it is a rate of).",
        "Row 5, column “Period”: There is no reporting period “2019/20 Q1”. Use a label such as "
        "“2025/26 Q4”.",
        "Row 6, column “Period”: 2025/26 Q4 has not started yet, so it cannot have a value.",
        "Row 7, column “Period”: Row 2 already gives this indicator's 2025/26 Q1.",
        "Row 8, column “Value”: “lots” is not a number.",
        "Row 9, column “Indicator ID”: There is no indicator 999 in Wandsworth.",
    ]
    assert not IndicatorValue.objects.exists()


def test_a_restricted_indicator_is_not_there_for_an_action_lead(partnership, periods):
    secret = make_indicator(partnership, disclosure="restricted")
    text = HEAD + f"{secret.pk},2025/26 Q1,4,,,\n"
    assert _problems(partnership, text) == [
        f"Row 2, column “Indicator ID”: There is no indicator {secret.pk} in Wandsworth."
    ]
    assert _import(partnership, text, roles=(Role.ANALYST,)).recorded == 1


def test_an_action_lead_imports_only_their_organisations_indicators(partnership, periods):
    elsewhere = make_organisation(partnership, "Zeta Housing")
    theirs = make_indicator(partnership, name="Housing's", owner=elsewhere)
    text = HEAD + f"{theirs.pk},2025/26 Q1,4,,,\n"
    assert _problems(partnership, text) == [
        "Row 2, column “Indicator ID”: You may enter values only for indicators your "
        "organisation owns; “Housing's” is not one of them."
    ]
    assert _import(partnership, text, roles=(Role.PARTNERSHIP_ADMIN,), orgs=set()).recorded == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "File: The file is empty."),
        ("Indicator,Period\n1,2025/26 Q1\n", "File: The file must have the column heading"),
        (HEAD.replace("Note", "Notes"), "File: The column “Notes” is not one this import reads."),
        (HEAD, "File: The file has headings but no values."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(partnership, periods, data, message):
    assert _problems(partnership, data)[0].startswith(message)


def test_a_spreadsheet_that_is_not_one_is_refused(partnership, periods):
    problems = _problems(partnership, b"PK\x03\x04 not really", name="values.xlsx")
    assert "not a readable Excel" in problems[0]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(partnership, periods):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    problems = _problems(partnership, out.getvalue(), name="values.xlsx")
    assert problems == [
        "File: The spreadsheet unpacks to far more than its size, so it was refused."
    ]
