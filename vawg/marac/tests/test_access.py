"""Every MARAC URL against every role, an outsider and an anonymous visitor.

The same checks as the project's URL sweep, run on this app's URLs alone so that
they answer even while another app is mid-work.
"""

import pytest

from vawg.core.tests.test_url_sweep import (
    EXPECTED,
    allowed,
    expected_statuses,
    url_for,
    url_names,
)
from vawg.marac.tests.url_rules import sweep_kwargs

pytestmark = pytest.mark.django_db


def test_every_marac_url_answers_every_role_as_declared(client, personas, partnership):
    world = {"app_kwargs": sweep_kwargs(partnership, personas), "strategy": "none"}
    people = {"anonymous": None, **personas}
    failures = []
    names = sorted(n for n in url_names() if n.startswith("marac:"))
    assert len(names) == 28
    for name in names:
        rule = EXPECTED[name]
        url = url_for(name, world)
        for persona, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            status = client.get(url).status_code
            if status not in expected_statuses(rule, persona):
                failures.append(f"{persona} GET {url} ({name}): {status}")
            if rule.post_only and not allowed(rule, persona):
                status = client.post(url).status_code
                if status not in expected_statuses(rule, persona):
                    failures.append(f"{persona} POST {url} ({name}): {status}")
    assert not failures, "\n".join(failures)
