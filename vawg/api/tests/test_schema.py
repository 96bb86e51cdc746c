"""Schemathesis against the API's own schema: every operation, with generated input (valid
and invalid), gets no server error and no response its schema does not allow.

API_FUZZ_EXAMPLES sets the cases per operation: 200 in the test suite, more with
`make fuzz-api`. Calls carry a token holding every scope for a partnership with a plan,
measures and partner data, so reads answer with real content.
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from vawg.api.tests.api_world import build

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "200"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def api_world(db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # the limit has its own test
    return build()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_every_operation_keeps_to_its_schema(case, api_world):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_world.secret}"})
