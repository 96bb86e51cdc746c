"""accounts_disable_inactive: accounts not used for ACCOUNT_INACTIVE_DAYS are disabled,
once, audited, tested with a fixed date."""

from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from vawg.accounts.models import User
from vawg.accounts.services import user_enable, users_disable_inactive
from vawg.accounts.testing import make_user
from vawg.audit.models import AuditEvent

TODAY = "2026-04-15"  # 90 days before is 15 January 2026


def at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def account(last_login=None, joined=None, **extra) -> User:
    user = make_user(**extra)
    User.objects.filter(pk=user.pk).update(
        last_login=last_login, date_joined=joined or at(2025, 6, 1)
    )
    user.refresh_from_db()
    return user


def run() -> str:
    out = StringIO()
    call_command("accounts_disable_inactive", "--today", TODAY, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def ninety_days(settings):
    settings.ACCOUNT_INACTIVE_DAYS = 90


def is_active(user: User) -> bool:
    user.refresh_from_db()
    return user.is_active


def test_it_disables_an_account_not_signed_in_to_for_90_days(db):
    dormant = account(last_login=at(2026, 1, 14, 23, 59))
    recent = account(last_login=at(2026, 1, 15, 0, 1))
    output = run()
    assert is_active(dormant) is False
    assert is_active(recent) is True
    assert "1 disabled after 90 days" in output


def test_it_counts_an_account_never_signed_in_to_from_when_it_was_made(db):
    never_used = account(last_login=None, joined=at(2025, 12, 1))
    new = account(last_login=None, joined=at(2026, 4, 1))
    run()
    assert is_active(never_used) is False
    assert is_active(new) is True


def test_it_includes_the_platform_operators(db):
    operator = account(last_login=at(2025, 11, 1), is_staff=True, is_superuser=True)
    run()
    assert is_active(operator) is False


def test_it_audits_each_account_it_disables(db):
    dormant = account(last_login=at(2025, 11, 1))
    run()
    event = AuditEvent.objects.get(object_type="accounts.User", object_id=str(dormant.pk))
    assert event.actor_id is None
    assert event.summary.startswith("Account disabled after 90 days unused")
    assert event.detail == {"sessions_ended": 0, "reason": "inactive", "days": 90}


def test_it_does_nothing_more_when_run_twice(db):
    account(last_login=at(2025, 11, 1))
    run()
    events = AuditEvent.objects.count()
    assert "0 disabled" in run()
    assert AuditEvent.objects.count() == events


def test_an_account_enabled_again_counts_its_days_from_then(db):
    dormant = account(last_login=at(2025, 11, 1))
    run()
    user_enable(user=dormant, actor=None)
    User.objects.filter(pk=dormant.pk).update(enabled_at=at(2026, 4, 10))
    run()
    assert is_active(dormant) is True
    assert AuditEvent.objects.filter(summary="Account enabled again").exists()


def test_it_disables_nothing_when_the_setting_is_zero(db, settings):
    settings.ACCOUNT_INACTIVE_DAYS = 0
    dormant = account(last_login=at(2020, 1, 1))
    assert "none disabled" in run()
    assert is_active(dormant) is True
    assert users_disable_inactive(today=at(2026, 4, 15).date(), days=0) == []
