"""Schemathesis against the API's own schema: every operation, with generated input (valid
and invalid), gets no server error and no response its schema does not allow.

API_FUZZ_EXAMPLES sets the cases per operation: 200 in the test suite, more with
`make fuzz-api`. Calls carry a token holding every scope for a partnership with a plan,
measures and partner data, so reads answer with real content.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from vawg.api.tests.api_world import build

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "200"))

# The token goes on every call below, so it is not generated as a parameter.
CONFIG = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@pytest.fixture
def api_world(db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # the limit has its own test
    # Calls go straight to the WSGI application, whose end of request closes the database
    # connection (and with it the test's transaction), as Django's own test client stops.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield build()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_every_operation_keeps_to_its_schema(case, api_world):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_world.secret}"},
        # Input the schema allows may still break a rule only the platform knows (a period
        # not open for updates, a file that is not a spreadsheet): a 422 that names the
        # field is the right answer there, not a failure. Every other check runs: no
        # server error, each status, header and body as the schema says, and anything the
        # schema forbids refused.
        excluded_checks=[positive_data_acceptance],
    )
