"""The analyst's home page: partner files waiting to be imported, and how current each
partner's data is."""

from datetime import date

import pytest
from django.urls import reverse

from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import import_rows, make_wards, partner_for, row

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
HOME = reverse("core:partnership-home", kwargs={"partnership": "wandsworth"})


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("vawg.core.views._today", lambda: TODAY)


def page(client_for, user, url=HOME) -> str:
    return client_for(user).get(url).content.decode()


def waiting(partnership, status=DataImport.Status.UPLOADED) -> DataImport:
    return DataImport.objects.create(
        partnership=partnership, partner=partner_for(partnership), filename="x.csv", status=status
    )


def test_the_analyst_sees_files_waiting_until_they_are_dealt_with(
    partnership, personas, client_for
):
    waiting(partnership)
    waiting(partnership, DataImport.Status.FAILED)
    shown = page(client_for, personas[Role.ANALYST])
    assert "2 partner files waiting to be imported (1 failed)" in shown
    imports = reverse("insight:import-list", kwargs={"partnership": "wandsworth"})
    assert f'href="{imports}"' in shown
    DataImport.objects.update(status=DataImport.Status.DISCARDED)
    assert "waiting to be imported" not in page(client_for, personas[Role.ANALYST])


def test_the_analyst_sees_each_partners_latest_month(partnership, personas, client_for):
    shown = page(client_for, personas[Role.ANALYST])
    assert "No partner&#x27;s incidents have been imported yet" in shown
    make_wards(partnership)
    import_rows(partnership, [row("A1", when="2026-03-04"), row("A2", when="2026-01-20")])
    shown = page(client_for, personas[Role.ANALYST])
    assert "Metropolitan Police: incidents to March 2026" in shown


def test_only_the_analyst_sees_imports(partnership, personas, client_for):
    waiting(partnership)
    for role in (Role.PARTNERSHIP_ADMIN, Role.BOARD_MEMBER, Role.PRACTITIONER):
        shown = page(client_for, personas[role])
        assert "waiting to be imported" not in shown
        assert "incidents" not in shown


def test_another_partnerships_files_never_count(partnership, other_partnership, client_for):
    waiting(partnership)
    analyst = make_member(Role.ANALYST, other_partnership)
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "waiting to be imported" not in page(client_for, analyst, home)
