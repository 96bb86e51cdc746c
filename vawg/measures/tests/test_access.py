"""Every measures URL answers every role as url_rules.py declares (the project-wide sweep
does the same for all apps; this runs ours on its own)."""

from django.urls import reverse

from vawg.core.tests.test_url_sweep import allowed, expected_statuses
from vawg.measures.tests.url_rules import RULES, sweep_kwargs


def test_every_measures_url_answers_every_role_as_declared(client, personas, partnership):
    kwargs = sweep_kwargs(partnership, personas)
    people = {"anonymous": None, **personas}
    failures = []
    for name, rule in RULES.items():
        url = reverse(name, kwargs={"partnership": partnership.slug, **kwargs.get(name, {})})
        for persona, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            status = client.get(url).status_code
            if status not in expected_statuses(rule, persona):
                failures.append(f"{persona} GET {url} ({name}): {status}")
            if not allowed(rule, persona) and persona != "anonymous":
                status = client.post(url).status_code
                if status not in expected_statuses(rule, persona):
                    failures.append(f"{persona} POST {url} ({name}): {status}")
    assert not failures, "\n".join(failures)
