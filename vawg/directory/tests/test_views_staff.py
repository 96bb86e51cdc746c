"""The admins' side: listings with an owner and a review date, stale ones flagged."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vawg.audit.models import AuditEvent
from vawg.core.permissions import Role
from vawg.directory.models import Service
from vawg.directory.tests.factories import make_service

ADMIN = Role.PARTNERSHIP_ADMIN


def _url(name, partnership, **kwargs):
    return reverse(name, kwargs={"partnership": partnership.slug, **kwargs})


@pytest.fixture
def admin_client(client_for, personas):
    return client_for(personas[ADMIN])


def _form_data(owner, **extra):
    today = timezone.localdate() + timedelta(days=100)
    return {
        "provider": "Riverside Women's Refuge (demo)",
        "name": "Refuge",
        "summary": "Safe, confidential accommodation for women and their children.",
        "needs": ["refuge", "domestic_abuse"],
        "audiences": ["women"],
        "languages": ["en"],
        "area": "borough",
        "phone": "020 7946 0001",
        "access": "either",
        "opening_hours": "24 hours",
        "free": "on",
        "confidential": "on",
        "owner": str(owner.pk),
        "review_due_0": str(today.day),
        "review_due_1": str(today.month),
        "review_due_2": str(today.year),
        **extra,
    }


def test_the_list_flags_stale_listings_in_words(admin_client, partnership, personas):
    today = timezone.localdate()
    make_service(
        partnership, owner=personas[ADMIN], name="Overdue", review_due=today - timedelta(1)
    )
    make_service(partnership, owner=personas[ADMIN], name="Fine", review_due=today + timedelta(1))

    html = admin_client.get(_url("directory:listing-list", partnership)).content.decode()

    assert "1 listing is past its review date." in html
    assert html.count("Review overdue") == 1
    assert html.index("Overdue") < html.index("Fine")  # soonest review first


def test_the_stale_filter_shows_only_stale_listings(admin_client, partnership, personas):
    today = timezone.localdate()
    make_service(
        partnership, owner=personas[ADMIN], name="Overdue", review_due=today - timedelta(1)
    )
    make_service(partnership, owner=personas[ADMIN], name="Fine")

    html = admin_client.get(
        _url("directory:listing-list", partnership) + "?status=stale"
    ).content.decode()

    assert "Overdue" in html and ">Fine<" not in html


def test_a_bad_filter_gets_a_clear_message(admin_client, partnership):
    response = admin_client.get(_url("directory:listing-list", partnership) + "?status=nope")

    assert response.status_code == 200
    assert "Choose which listings to show from the list." in response.content.decode()


def test_the_list_shows_only_this_partnerships_listings(
    admin_client, partnership, other_partnership
):
    make_service(other_partnership, name="Lambeth's own")

    html = admin_client.get(_url("directory:listing-list", partnership)).content.decode()

    assert "Lambeth&#x27;s own" not in html


@pytest.mark.parametrize("size", [2, 10])
def test_the_list_takes_the_same_queries_however_many_listings(
    admin_client, partnership, personas, django_assert_num_queries, size
):
    for _ in range(size):
        make_service(partnership, owner=personas[ADMIN], audiences=["women"], languages=["en"])

    with django_assert_num_queries(11):
        response = admin_client.get(_url("directory:listing-list", partnership))
    assert response.status_code == 200


def test_an_admin_adds_a_listing(admin_client, partnership, personas):
    response = admin_client.post(
        _url("directory:listing-add", partnership), _form_data(personas[ADMIN])
    )

    assert response.status_code == 302
    service = Service.objects.get()
    assert service.partnership == partnership
    assert service.need_codes == {"refuge", "domestic_abuse"}
    assert service.owner == personas[ADMIN]
    assert AuditEvent.objects.filter(action="create", object_id=str(service.pk)).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"needs": []}, "Choose at least one thing this service helps with."),
        ({"phone": ""}, "Give at least one way to make contact"),
        ({"review_due_1": "13"}, "The review date must be a real date"),
        ({"website": "javascript:alert(1)"}, "Enter a website address starting https://"),
        ({"summary": "x" * 1001}, "What it offers must be 1,000 characters or fewer."),
    ],
)
def test_a_bad_listing_gets_a_clear_message_and_nothing_is_saved(
    admin_client, partnership, personas, change, message
):
    response = admin_client.post(
        _url("directory:listing-add", partnership), _form_data(personas[ADMIN], **change)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert not Service.objects.exists()


def test_an_owner_from_another_partnership_is_refused(admin_client, partnership, personas):
    response = admin_client.post(
        _url("directory:listing-add", partnership), _form_data(personas["outsider"])
    )

    assert "Choose an owner who is a member of this partnership." in response.content.decode()
    assert not Service.objects.exists()


def test_an_admin_edits_marks_checked_retires_and_reinstates(admin_client, partnership, personas):
    service = make_service(partnership, owner=personas[ADMIN], review_due=timezone.localdate())
    edit = _url("directory:listing-edit", partnership, pk=service.pk)

    assert admin_client.get(edit).status_code == 200
    response = admin_client.post(edit, _form_data(personas[ADMIN], name="Renamed"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Renamed"

    admin_client.post(_url("directory:listing-reviewed", partnership, pk=service.pk))
    service.refresh_from_db()
    assert service.last_reviewed_on == timezone.localdate()

    admin_client.post(_url("directory:listing-retire", partnership, pk=service.pk))
    service.refresh_from_db()
    assert service.retired_at is not None
    again = admin_client.post(
        _url("directory:listing-retire", partnership, pk=service.pk), follow=True
    )
    assert "This listing is already retired." in again.content.decode()

    admin_client.post(_url("directory:listing-reinstate", partnership, pk=service.pk))
    service.refresh_from_db()
    assert service.retired_at is None


def test_another_partnerships_listing_is_not_found(admin_client, partnership, other_partnership):
    theirs = make_service(other_partnership)

    for name in ("directory:listing-edit", "directory:listing-retire"):
        url = _url(name, partnership, pk=theirs.pk)
        assert admin_client.get(url).status_code in (404, 405)
        assert admin_client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.retired_at is None


def test_other_roles_may_not_keep_the_directory(client_for, partnership, personas):
    client = client_for(personas[Role.ACTION_LEAD])

    assert client.get(_url("directory:listing-list", partnership)).status_code == 403


def test_a_listing_whose_owner_has_left_is_flagged(admin_client, partnership, personas):
    leaver = personas[Role.ACTION_LEAD]
    make_service(partnership, owner=leaver, name="Orphaned")
    leaver.memberships.update(ended_at=timezone.now())

    html = admin_client.get(_url("directory:listing-list", partnership)).content.decode()

    assert html.count("Owner has left") == 1


def test_an_admin_exports_the_listings_neutralising_formulas_and_it_is_audited(
    admin_client, partnership, personas, other_partnership
):
    make_service(partnership, owner=personas[ADMIN], provider="=HYPERLINK(1) (demo)", name="A")
    make_service(other_partnership, name="Lambeth's own")

    response = admin_client.get(_url("directory:listing-export", partnership, fmt="csv"))

    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Provider,Service,What it offers,Helps with")
    assert len(lines) == 2
    assert lines[1].startswith("'=HYPERLINK(1) (demo),A,")
    assert "Lambeth" not in text
    event = AuditEvent.objects.get(action="export")
    assert event.detail == {"rows": 1, "format": "csv"}


def test_the_export_comes_as_xlsx_too_and_refuses_other_formats(admin_client, partnership):
    xlsx = admin_client.get(_url("directory:listing-export", partnership, fmt="xlsx"))
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    assert (
        admin_client.get(_url("directory:listing-export", partnership, fmt="json")).status_code
        == 404
    )
