"""The browsable documentation: for signed-in staff, read from the schema itself."""

import json

import pytest
from django.test import Client

from vawg.api.docs import operations
from vawg.core.permissions import Role

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def test_every_operation_says_which_scope_it_needs():
    for path, item in _schema()["paths"].items():
        for method, operation in item.items():
            assert operation.get("x-scope"), f"{method.upper()} {path} names no scope"
            assert "Needs a" in operation["description"]


def test_staff_read_each_operation_with_its_scope_and_answers(client, personas):
    client.force_login(
        personas[Role.BOARD_MEMBER], backend="django.contrib.auth.backends.ModelBackend"
    )
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    text = page.content.decode()
    grouped = operations(_schema())
    assert grouped
    for ops in grouped.values():
        for op in ops:
            assert f"<code>{op.path}</code>" in text
            assert op.scope in text
    assert "<script" not in text.split("</header>", 1)[1].split("<footer", 1)[0]


def test_the_docs_are_not_for_the_public():
    answer = Client().get("/api/v1/docs")
    assert answer.status_code == 302
    assert "/account/sign-in/" in answer["Location"]
