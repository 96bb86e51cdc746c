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
        assert (
            f'href="{reverse("insight:import-list", kwargs={"partnership": "wandsworth"})}"'
            not in shown
        )
    for role in (Role.BOARD_MEMBER, Role.PRACTITIONER):
        assert "incidents to" not in page(client_for, personas[role])


def test_the_strategic_lead_sees_files_waiting_on_the_analysts_and_how_current_data_is(
    partnership, personas, client_for
):
    admin = personas[Role.PARTNERSHIP_ADMIN]
    assert "Partner data: no file is waiting for the analysts" in page(client_for, admin)
    make_wards(partnership)
    import_rows(partnership, [row("A1", when="2026-03-04")])
    waiting(partnership)
    waiting(partnership, DataImport.Status.FAILED)
    shown = page(client_for, admin)
    assert "Partner data: 2 files waiting for the analysts (1 failed)" in shown
    assert "Metropolitan Police: incidents to March 2026" in shown
    dashboard = reverse("insight:dashboard", kwargs={"partnership": "wandsworth"})
    assert f'href="{dashboard}"' in shown


def test_an_admin_who_is_also_an_analyst_has_the_analyst_s_items_only(
    partnership, personas, client_for
):
    from vawg.accounts.models import Membership

    admin = personas[Role.PARTNERSHIP_ADMIN]
    Membership.objects.create(user=admin, partnership=partnership, role=Role.ANALYST)
    waiting(partnership)
    shown = page(client_for, admin)
    assert "1 partner file waiting to be imported" in shown
    assert "Partner data:" not in shown


def test_another_partnerships_files_never_count(partnership, other_partnership, client_for):
    waiting(partnership)
    analyst = make_member(Role.ANALYST, other_partnership)
    home = reverse("core:partnership-home", kwargs={"partnership": "lambeth"})
    assert "waiting to be imported" not in page(client_for, analyst, home)
