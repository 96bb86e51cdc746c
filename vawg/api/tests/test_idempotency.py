"""A write retried with the same Idempotency-Key stores once and answers as the first time;
the key sent with a different request is refused; without a key, each call is a call."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from vawg.api.models import IdempotentCall
from vawg.api.testing import ApiClient, make_token
from vawg.api.tests.test_writes import (
    FLAWED,
    GOOD_UPDATE,
    mapped,
    send,
    update_url,
    upload,
    value_url,
)
from vawg.delivery.models import ProgressUpdate, UpdateVersion
from vawg.delivery.tests.factories import make_world
from vawg.insight import store
from vawg.insight.models import DataImport
from vawg.insight.tests.factories import make_wards, row
from vawg.measures.models import IndicatorValue
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

REPLAYED = "Idempotent-Replayed"


@pytest.fixture
def world(partnership, personas):
    return make_world(partnership, personas)


@pytest.fixture
def client(partnership, world):
    make_periods(partnership, date(2024, 4, 1), date(2026, 3, 31))
    make_wards(partnership)
    return ApiClient(make_token(partnership, world.action.leads.first().organisation).secret)


def test_an_update_sent_twice_with_one_key_is_stored_once(world, client):
    first = send(
        client, "post", update_url(world.action.pk), GOOD_UPDATE, **{"Idempotency-Key": "u-1"}
    )
    again = send(
        client, "post", update_url(world.action.pk), GOOD_UPDATE, **{"Idempotency-Key": "u-1"}
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert json.loads(again.content) == json.loads(first.content)
    assert again[REPLAYED] == "true" and not first.has_header(REPLAYED)
    assert ProgressUpdate.objects.count() == 1
    assert UpdateVersion.objects.count() == 1


def test_a_key_is_kept_a_day_then_starts_afresh(world, client):
    url = update_url(world.action.pk)
    send(client, "post", url, GOOD_UPDATE, **{"Idempotency-Key": "u-day"})
    IdempotentCall.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = send(client, "post", url, GOOD_UPDATE, **{"Idempotency-Key": "u-day"})
    assert not again.has_header(REPLAYED)
    assert again.status_code == 409  # run again: the update now waits for review
    assert IdempotentCall.objects.count() == 0


def test_one_key_for_a_different_request_is_refused(world, client):
    url = update_url(world.action.pk)
    send(client, "post", url, GOOD_UPDATE, **{"Idempotency-Key": "u-2"})
    other = send(
        client, "post", url, GOOD_UPDATE | {"status": "complete"}, **{"Idempotency-Key": "u-2"}
    )
    assert other.status_code == 422
    assert json.loads(other.content)["errors"][0]["field"] == "Idempotency-Key"
    assert ProgressUpdate.objects.get().status == "on_track"


def test_a_refused_update_keeps_no_answer_so_the_key_may_be_used_once_corrected(world, client):
    url = update_url(world.action.pk)
    bad = send(
        client,
        "post",
        url,
        GOOD_UPDATE | {"status": "at_risk", "commentary": ""},
        **{"Idempotency-Key": "u-3"},
    )
    assert bad.status_code == 422
    assert not IdempotentCall.objects.exists() and not ProgressUpdate.objects.exists()
    fixed = send(client, "post", url, GOOD_UPDATE, **{"Idempotency-Key": "u-3"})
    assert fixed.status_code == 201 and not fixed.has_header(REPLAYED)
    assert ProgressUpdate.objects.count() == 1


def test_a_value_sent_twice_with_one_key_is_stored_once_and_without_a_key_twice(
    partnership, client
):
    measure = make_indicator(partnership)
    url = value_url(measure.pk)
    one = {"period": "2025/26 Q1", "value": 10}
    first = send(client, "put", url, one, **{"Idempotency-Key": "v-1"})
    again = send(client, "put", url, one, **{"Idempotency-Key": "v-1"})
    assert json.loads(again.content) == json.loads(first.content)
    assert again[REPLAYED] == "true"
    assert IndicatorValue.objects.count() == 1

    # Without a key each call is its own: a new value is a new version; the same value
    # again is the service's own "nothing changed".
    send(client, "put", url, one | {"value": 11})
    same = send(client, "put", url, one | {"value": 11})
    assert json.loads(same.content)["changed"] is False
    assert list(IndicatorValue.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_an_extract_sent_twice_with_one_key_is_held_once(partnership, client):
    mapped(partnership, partnership.organisations.first())
    first = upload(client, [row("K1")], **{"Idempotency-Key": "x-1"})
    again = upload(client, [row("K1")], **{"Idempotency-Key": "x-1"})
    assert first.status_code == again.status_code == 201
    assert json.loads(again.content) == json.loads(first.content)
    assert again[REPLAYED] == "true" and again["Location"] == first["Location"]
    assert DataImport.objects.count() == 2  # the first, mapped file and this one
    # Another file under the same key is another request.
    assert upload(client, [row("K2")], **{"Idempotency-Key": "x-1"}).status_code == 422
    # Without a key, the same file twice is two uploads, as on the web.
    upload(client, [row("K1")])
    upload(client, [row("K1")])
    assert DataImport.objects.count() == 4


def test_a_refusal_that_keeps_the_upload_is_replayed_as_a_problem(partnership, client):
    first = upload(client, [row("R1")], **{"Idempotency-Key": "x-2"})
    again = upload(client, [row("R1")], **{"Idempotency-Key": "x-2"})
    assert first.status_code == again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"
    assert again[REPLAYED] == "true"
    assert DataImport.objects.count() == 1


def test_an_import_retried_with_one_key_is_answered_again_not_refused(partnership, client):
    mapped(partnership, partnership.organisations.first())
    extract = json.loads(upload(client, FLAWED).content)["id"]
    url = f"/api/v1/extracts/{extract}/import"

    first = send(client, "post", url, {"set_aside": True}, **{"Idempotency-Key": "i-1"})
    again = send(client, "post", url, {"set_aside": True}, **{"Idempotency-Key": "i-1"})

    assert (first.status_code, again.status_code) == (200, 200)
    assert json.loads(again.content) == json.loads(first.content)
    assert again[REPLAYED] == "true"
    assert store.count([partnership.pk]) == 3
    # Without the key a second import is refused by the extract's own state.
    assert send(client, "post", url, {"set_aside": True}).status_code == 409


def test_a_key_that_is_not_printable_is_refused_before_anything_runs(partnership, client):
    mapped(partnership, partnership.organisations.first())
    extract = json.loads(upload(client, [row("P1")]).content)["id"]
    answer = send(
        client, "post", f"/api/v1/extracts/{extract}/import", {}, **{"Idempotency-Key": "two words"}
    )
    assert answer.status_code == 400
    assert DataImport.objects.get(pk=extract).status == "checked"
    assert store.count() == 0
