"""Each audit event carries a hash chained to the one before, the same on SQLite and PostgreSQL."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg.audit.models import GENESIS, AuditEvent, canonical_text, chain_hash
from vawg.audit.selectors import chain_verify
from vawg.audit.services import record

LONDON = ZoneInfo("Europe/London")

# One row in every awkward form at once: a time in British Summer Time, an IPv6 address
# written long, text beyond ASCII, and detail with unsorted keys, a whole float, a float
# jsonb would write as an integer, and a negative zero.
KNOWN_ROW = {
    "at": datetime(2026, 3, 29, 2, 30, 0, 123456, tzinfo=LONDON),
    "actor_id": 7,
    "partnership_id": None,
    "action": "export",
    "object_type": "strategy.Strategy",
    "object_id": "42",
    "summary": "Exported the plan – café ☃",
    "ip_address": "2001:0db8:0000::0001",
    "detail": {"z": 1e20, "a": [1.5, 2.0, None], "é": {"b": True, "a": -0.0}},
}
KNOWN_TEXT = (
    '{"action":"export","actor_id":7,"at":"2026-03-29T01:30:00.123456Z",'
    '"detail":{"a":[1.5,2,null],"z":100000000000000000000,"\\u00e9":{"a":0,"b":true}},'
    '"ip_address":"v6:20010db8000000000000000000000001","object_id":"42",'
    '"object_type":"strategy.Strategy","partnership_id":null,'
    '"previous_hash":"0000000000000000000000000000000000000000000000000000000000000000",'
    '"summary":"Exported the plan \\u2013 caf\\u00e9 \\u2603"}'
)
KNOWN_HASH = "61e6ab8ff08b6488ee7ef26ca38c2a503ad2eb168e6e9df82f3695a108485fdb"


def record_known_row(monkeypatch) -> AuditEvent:
    monkeypatch.setattr("django.utils.timezone.now", lambda: KNOWN_ROW["at"])
    request = RequestFactory().get("/", REMOTE_ADDR=KNOWN_ROW["ip_address"])
    request.user = AnonymousUser()
    return record(
        action=KNOWN_ROW["action"],
        actor=SimpleNamespace(pk=KNOWN_ROW["actor_id"]),
        object_type=KNOWN_ROW["object_type"],
        object_id=42,
        summary=KNOWN_ROW["summary"],
        request=request,
        detail=KNOWN_ROW["detail"],
    )


def test_a_rows_canonical_form_and_hash_are_fixed():
    # Pinned: a change here changes every hash ever written, and every chain fails.
    assert canonical_text(GENESIS, **KNOWN_ROW) == KNOWN_TEXT
    assert chain_hash(GENESIS, **KNOWN_ROW) == KNOWN_HASH


def test_the_hash_covers_every_field_and_the_previous_hash():
    changed = {
        "at": datetime(2026, 3, 29, 1, 30, 0, 123457, tzinfo=UTC),
        "actor_id": 8,
        "partnership_id": 7,
        "action": "update",
        "object_type": "strategy.Action",
        "object_id": "43",
        "summary": "Exported the plan",
        "ip_address": "2001:db8::2",
        "detail": {**KNOWN_ROW["detail"], "z": 1e21},
    }
    for name, value in changed.items():
        assert chain_hash(GENESIS, **{**KNOWN_ROW, name: value}) != KNOWN_HASH, name
    assert chain_hash("1" * 64, **KNOWN_ROW) != KNOWN_HASH


def test_a_row_read_back_from_this_database_has_the_known_hash(db, monkeypatch):
    # The same constant on SQLite and PostgreSQL (CI runs both): the row as either
    # database gives it back hashes as it did when written.
    event = record_known_row(monkeypatch)
    assert event.previous_hash == GENESIS
    assert event.hash == KNOWN_HASH
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == KNOWN_ROW["at"]
    assert stored.computed_hash() == KNOWN_HASH
    assert chain_verify().holds


def test_it_chains_each_event_to_the_one_before(db):
    first = record(action="create", object_type="x.Y", object_id=1)
    second = record(action="update", object_type="x.Y", object_id=1, detail={"field": "name"})
    third = record(action="export", summary="Exported")
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    for event in (first, second, third):
        assert AuditEvent.objects.get(pk=event.pk).computed_hash() == event.hash


def test_the_database_refuses_a_second_event_chained_to_the_same_one(db):
    first = record(action="create")
    record(action="update")
    fork = AuditEvent(action="delete", at=first.at, previous_hash=first.hash, hash="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)


# What either database can hold: PostgreSQL refuses NUL and lone surrogates in text.
text_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(text_chars, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(text_chars, max_size=8), inner)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    at=st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, LONDON]),
    ),
    summary=st.text(text_chars, max_size=300),
    object_id=st.text(text_chars, max_size=64),
    ip=st.none() | st.ip_addresses().map(str),
    detail=st.dictionaries(st.text(text_chars, max_size=8), json_values),
)
def test_any_event_read_back_hashes_as_it_was_written(
    db, monkeypatch, at, summary, object_id, ip, detail
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at)
    request = RequestFactory().get("/", REMOTE_ADDR=ip or "")
    request.user = AnonymousUser()
    event = record(
        action="update",
        object_type="x.Y",
        object_id=object_id,
        summary=summary,
        request=request,
        detail=detail,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.computed_hash() == event.hash, json.dumps(stored.detail)
    assert stored.previous_hash == event.previous_hash
