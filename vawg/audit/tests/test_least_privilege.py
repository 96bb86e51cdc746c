"""On PostgreSQL the application runs as a role that may read and append to the audit trail,
and nothing more: the grants are the ones docs/operations.md gives, read from it here."""

import re
import secrets
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import errors

from vawg.audit.services import CHAIN_LOCK

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="roles and grants are PostgreSQL's; SQLite has no users (whoever can write the file "
    "can change it, which the hash chain shows)",
)

DOCS = Path(settings.BASE_DIR) / "docs" / "operations.md"
GRANTS_HEADING = "-- After every migrate, as vawg_owner"


def documented_grants() -> list[str]:
    """The statements of the block docs/operations.md says to run after every migrate."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith(GRANTS_HEADING)]
    lines = [line for line in block.splitlines() if not line.startswith("--")]
    return [s.strip() for s in " ".join(lines).split(";") if s.strip()]


def connect(**options) -> psycopg.Connection:
    database = connection.settings_dict
    return psycopg.connect(
        dbname=database["NAME"],
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        **options,
    )


@pytest.fixture
def app(db):
    """A connection as a new role made with the documented grants; the role is dropped after."""
    database = connection.settings_dict
    role = f"vawg_app_test_{secrets.token_hex(4)}"
    owner = connect(user=database["USER"], password=database["PASSWORD"] or None, autocommit=True)
    owner.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
    app_connection = None
    try:
        for statement in documented_grants():
            owner.execute(statement.replace("vawg_app", role))
        app_connection = connect(user=role)
        yield app_connection
    finally:
        if app_connection is not None:
            app_connection.close()
        # DROP OWNED takes back every grant the role holds in this database.
        owner.execute(f"DROP OWNED BY {role}")
        owner.execute(f"DROP ROLE {role}")
        owner.close()


def test_the_documented_grants_are_found():
    statements = documented_grants()
    assert len(statements) == 4
    assert statements[-1].startswith("REVOKE UPDATE, DELETE, TRUNCATE")


def test_the_app_role_appends_to_the_trail_as_record_does(app):
    with app.transaction(force_rollback=True):
        app.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        app.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1").fetchall()
        row = app.execute(
            "INSERT INTO audit_auditevent (at, action, object_type, object_id, summary, "
            "detail, previous_hash, hash) VALUES (now(), 'export', '', '', '', '{}', %s, %s) "
            "RETURNING id",
            [secrets.token_hex(32), secrets.token_hex(32)],
        ).fetchone()
        assert row[0] > 0


def test_the_app_role_still_writes_the_apps_other_tables(app):
    with app.transaction(force_rollback=True):
        app.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('k', 'd', now())"
        )
        assert app.execute("UPDATE django_session SET session_data = 'e'").rowcount == 1
        assert app.execute("DELETE FROM django_session").rowcount == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET summary = 'tampered'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "DROP TRIGGER audit_event_no_change ON audit_auditevent",
        "ALTER TABLE audit_auditevent DROP CONSTRAINT audit_event_one_successor",
        "CREATE TABLE audit_copy (id int)",
    ],
)
def test_the_app_role_cannot_change_the_trail_or_its_guards(app, statement):
    with pytest.raises(errors.InsufficientPrivilege), app.transaction(force_rollback=True):
        app.execute(statement)
