"""The dashboard's downloads of unsuppressed figures are marked OFFICIAL-SENSITIVE, in the
file's name and inside the file, as every exact download is (docs/information-governance.md
lists them); the controlled downloads everyone else gets are not."""

import csv
import io

import pytest
from django.urls import reverse

from vawg.core.permissions import Role
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db

MARKING = "OFFICIAL-SENSITIVE: exact figures"


def download(client, partnership, chart: str):
    url = reverse("insight:dashboard-csv", kwargs={"partnership": partnership.slug, "chart": chart})
    return client.get(url, {"period": "36"})


def headings(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def incidents(partnership):
    make_wards(partnership)
    import_rows(partnership, [row(f"M{i}") for i in range(12)])


@pytest.mark.parametrize("chart", ["strands", "trend"])
def test_it_marks_the_analysts_csv_in_its_name_and_headings(
    client_for, personas, partnership, incidents, chart
):
    response = download(client_for(personas[Role.ANALYST]), partnership, chart)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="official-sensitive-wandsworth-{chart}.csv"'
    )
    assert headings(response)[-1] == MARKING


def test_it_marks_the_analysts_csv_of_a_view_too_small_to_show(client_for, personas, partnership):
    response = download(client_for(personas[Role.ANALYST]), partnership, "strands")
    assert 'filename="official-sensitive-wandsworth-strands.csv"' in response["Content-Disposition"]
    assert headings(response)[-1] == MARKING


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.PARTNERSHIP_ADMIN])
def test_it_leaves_controlled_downloads_unmarked(
    client_for, personas, partnership, incidents, role
):
    response = download(client_for(personas[role]), partnership, "strands")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="wandsworth-strands.csv"'
    assert not any("OFFICIAL-SENSITIVE" in h for h in headings(response))
