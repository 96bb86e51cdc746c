from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vawg.accounts.models import Membership, User
from vawg.core.meetings import last_board_meeting, next_planned, strategic_board
from vawg.core.models import BodyMeeting, Partnership, ReportingPeriod
from vawg.core.permissions import Role
from vawg.strategy.models import Action, Quirk, Strategy

TODAY = date(2026, 11, 23)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", today=TODAY, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "partnerships": Partnership.objects.count(),
        "actions": Action.objects.count(),
        "quirks": Quirk.objects.count(),
        "periods": ReportingPeriod.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "meetings": BodyMeeting.objects.count(),
    }


def test_it_loads_both_strategies_and_an_account_per_role(db):
    output = load_demo()
    # Both seeded strategies, in London beside its other 31 partnerships.
    london = Partnership.objects.filter(region__slug="london")
    assert london.count() == Partnership.objects.count() == 33
    assert {"wandsworth", "lambeth", "city-of-london", "westminster"} <= set(
        london.values_list("slug", flat=True)
    )
    assert set(Strategy.objects.values_list("partnership__slug", flat=True)) == {
        "wandsworth",
        "lambeth",
    }
    for slug in ("wandsworth", "lambeth"):
        roles = set(
            Membership.objects.filter(partnership__slug=slug).values_list("role", flat=True)
        )
        assert roles == {r.value for r in Role} - {Role.REGIONAL_OFFICER}, slug
    assert Membership.objects.filter(role=Role.REGIONAL_OFFICER, region__slug="london").exists()
    assert "wandsworth-admin" in output
    assert "lambeth-analyst" in output
    # Periods run from two years back to a year ahead of "today".
    assert ReportingPeriod.objects.filter(
        partnership__slug="wandsworth", start__lte=TODAY, end__gte=TODAY
    ).exists()
    # Each strategic board has meetings held and planned, so "what changed" has its date.
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        board = strategic_board(partnership)
        assert last_board_meeting(partnership, TODAY) is not None, partnership
        assert next_planned(board, TODAY) is not None, partnership


def test_it_duplicates_nothing_when_run_twice(db):
    load_demo()
    first = counts()
    load_demo()
    assert counts() == first


def test_it_is_refused_under_production_settings(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        load_demo()
    assert Partnership.objects.count() == 0


def test_it_runs_a_single_step_on_its_own(db):
    out = StringIO()
    call_command("load_demo", today=TODAY, step=["vawg.strategy.demo"], stdout=out)
    assert Action.objects.exists()
    assert not User.objects.exists()
    with pytest.raises(CommandError, match="Unknown demo step"):
        call_command("load_demo", step=["vawg.nothing"], stdout=out)


def test_it_gives_one_demo_account_roles_in_both_partnerships(db):
    load_demo()
    partnerships = set(
        Membership.objects.filter(
            user__username="shared-board-member", role=Role.BOARD_MEMBER
        ).values_list("partnership__slug", flat=True)
    )
    assert partnerships == {"wandsworth", "lambeth"}
