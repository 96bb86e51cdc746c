from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.fixture
def verify(db):
    """verify(*options) runs audit_verify: (exit status, what it printed)."""

    def run(*options: str) -> tuple[int, str]:
        out = StringIO()
        try:
            call_command("audit_verify", *options, stdout=out, stderr=StringIO())
        except CommandError as error:
            return error.returncode, str(error)
        return 0, out.getvalue()

    return run
