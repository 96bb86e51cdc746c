from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from vawg.accounts.testing import make_member
from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.directory import services
from vawg.directory.models import Audience, Language, Need, Service
from vawg.directory.tests.factories import make_service


@pytest.fixture
def admin(personas):
    return personas[Role.PARTNERSHIP_ADMIN]


def _fields(owner, **extra):
    return {
        "provider": "Riverside Women's Refuge (demo)",
        "name": "Refuge",
        "summary": "Safe, confidential accommodation.",
        "phone": "020 7946 0001",
        "opening_hours": "24 hours",
        "owner": owner,
        "needs": [Need.REFUGE, Need.DOMESTIC_ABUSE],
        "audiences": [Audience.WOMEN],
        "languages": [Language.ENGLISH, Language.POLISH],
        **extra,
    }


def test_it_creates_a_listing_with_its_codes_and_audits_it(partnership, admin):
    service = services.service_create(partnership=partnership, actor=admin, **_fields(admin))

    assert service.need_codes == {"refuge", "domestic_abuse"}
    assert service.audience_codes == {"women"}
    assert service.language_codes == {"en", "pl"}
    event = AuditEvent.objects.get(object_type="directory.Service", object_id=str(service.pk))
    assert event.action == AuditEvent.Action.CREATE
    assert event.partnership_id == partnership.pk


def test_a_new_listing_is_due_for_review_in_six_months_unless_told(partnership, admin):
    service = services.service_create(partnership=partnership, actor=admin, **_fields(admin))

    assert service.review_due - service.created_at.date() == timedelta(days=183)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"phone": ""}, "__all__", "at least one way to make contact"),
        ({"needs": []}, "needs", "at least one thing"),
        ({"needs": ["not-a-need"]}, "needs", "not-a-need is not one"),
        ({"languages": ["xx"]}, "languages", "xx is not one"),
    ],
)
def test_it_refuses_an_incomplete_listing_and_saves_nothing(
    partnership, admin, change, field, message
):
    with pytest.raises(ValidationError) as error:
        services.service_create(partnership=partnership, actor=admin, **_fields(admin, **change))

    assert message in " ".join(error.value.message_dict[field])
    assert not Service.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_an_owner_from_another_partnership(partnership, personas):
    outsider = personas["outsider"]

    with pytest.raises(ValidationError) as error:
        services.service_create(
            partnership=partnership, actor=personas[Role.PARTNERSHIP_ADMIN], **_fields(outsider)
        )

    assert "owner" in error.value.message_dict


def test_it_refuses_a_second_current_listing_with_the_same_provider_and_name(partnership, admin):
    services.service_create(partnership=partnership, actor=admin, **_fields(admin))

    with pytest.raises(ValidationError) as error:
        services.service_create(
            partnership=partnership, actor=admin, **_fields(admin, name="REFUGE")
        )
    assert "already lists" in error.value.message_dict["name"][0]


def test_updating_records_which_fields_changed(partnership, admin):
    service = services.service_create(partnership=partnership, actor=admin, **_fields(admin))

    services.service_update(
        service=service,
        actor=admin,
        **_fields(admin, opening_hours="Weekdays", needs=[Need.REFUGE]),
    )

    service.refresh_from_db()
    assert service.opening_hours == "Weekdays"
    assert service.need_codes == {"refuge"}
    event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).get()
    assert event.detail == {"changed": ["needs", "opening_hours"]}


def test_marking_as_checked_moves_the_review_date_on(partnership, admin):
    service = make_service(partnership, owner=admin, review_due=date(2026, 1, 1))

    services.service_mark_reviewed(service=service, actor=admin, on=date(2026, 3, 1))

    service.refresh_from_db()
    assert service.last_reviewed_on == date(2026, 3, 1)
    assert service.review_due == date(2026, 8, 31)
    assert not service.is_stale(date(2026, 3, 2))


def test_retiring_and_reinstating(partnership, admin):
    service = make_service(partnership, owner=admin)

    services.service_retire(service=service, actor=admin)
    assert not Service.objects.current().exists()
    with pytest.raises(ValidationError):
        services.service_retire(service=service, actor=admin)
    with pytest.raises(ValidationError):
        services.service_mark_reviewed(service=service, actor=admin, on=date(2026, 1, 1))

    services.service_reinstate(service=service, actor=admin)
    assert Service.objects.current().get() == service
    assert AuditEvent.objects.filter(object_id=str(service.pk)).count() == 2


def test_reinstating_is_refused_when_a_current_listing_took_its_name(partnership, admin):
    old = make_service(partnership, owner=admin, provider="P (demo)", name="S", retired=True)
    make_service(partnership, owner=admin, provider="P (demo)", name="S")

    with pytest.raises(ValidationError):
        services.service_reinstate(service=old, actor=admin)


def test_stale_listings_are_those_past_their_review_date(partnership, admin):
    make_service(partnership, owner=admin, name="due", review_due=date(2026, 5, 31))
    make_service(partnership, owner=admin, name="today", review_due=date(2026, 6, 1))
    make_service(partnership, owner=admin, name="gone", review_due=date(2026, 1, 1), retired=True)

    stale = Service.objects.stale(on=date(2026, 6, 1))

    assert [s.name for s in stale] == ["due"]


def test_reminders_go_once_to_each_owner_per_review_date(partnership, admin):
    other_owner = make_member(Role.ACTION_LEAD, partnership)
    make_service(partnership, owner=admin, name="One", review_due=date(2026, 5, 1))
    make_service(partnership, owner=admin, name="Two", review_due=date(2026, 5, 2))
    later = make_service(partnership, owner=other_owner, name="Three", review_due=date(2026, 7, 1))

    call_command("remind_stale_listings", "--today", "2026-06-01", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [admin.email]
    assert "One (" in mail.outbox[0].body and "Two (" in mail.outbox[0].body
    assert "/directory/" in mail.outbox[0].body

    # Run again: nothing new. A month on, only the newly stale listing.
    call_command("remind_stale_listings", "--today", "2026-06-02", stdout=StringIO())
    assert len(mail.outbox) == 1
    call_command("remind_stale_listings", "--today", "2026-07-02", stdout=StringIO())
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [other_owner.email]
    assert later.name in mail.outbox[1].body


def test_an_owner_who_has_left_gets_no_reminder(partnership, admin):
    leaver = make_member(Role.ACTION_LEAD, partnership)
    make_service(partnership, owner=leaver, review_due=date(2026, 5, 1))
    leaver.memberships.update(ended_at=timezone.now())

    assert services.remind_stale_owners(on=date(2026, 6, 1)) == 0
    assert mail.outbox == []


def test_it_refuses_an_overlong_summary_even_from_code(partnership, admin):
    with pytest.raises(ValidationError) as error:
        services.service_create(
            partnership=partnership, actor=admin, **_fields(admin, summary="x" * 1001)
        )

    assert "summary" in error.value.message_dict
