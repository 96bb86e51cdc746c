"""The URL sweep's checks for delivery's URLs and the strategy's plan-editing URLs, run on
their own so they pass or fail on this work alone while other apps are mid-work."""

import pytest
from django.urls import reverse

from vawg.core.tests.sweep import PUBLIC
from vawg.core.tests.test_url_sweep import expected_statuses, url_names
from vawg.delivery.tests import url_rules as delivery_rules
from vawg.strategy.tests import url_rules as strategy_rules

RULES = {**delivery_rules.RULES, **strategy_rules.RULES}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name: str, kwargs: dict) -> str:
    return reverse(name, kwargs={"partnership": "wandsworth", **kwargs.get(name, {})})


def test_every_delivery_url_has_a_rule():
    assert {n for n in url_names() if n.startswith("delivery:")} == set(delivery_rules.RULES)
    assert set(strategy_rules.RULES) <= url_names()


def test_every_delivery_url_answers_every_role_as_declared(client, personas, partnership):
    kwargs = {
        **delivery_rules.sweep_kwargs(partnership, personas),
        **strategy_rules.sweep_kwargs(partnership, personas),
    }
    failures = []
    for name, rule in sorted(RULES.items()):
        url = _url(name, kwargs)
        for persona, user in {"anonymous": None, **personas}.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            status = client.get(url).status_code
            if status not in expected_statuses(rule, persona):
                failures.append(f"{persona} GET {url} ({name}): {status}")
            if rule.post_only and rule.who != PUBLIC and persona not in rule.who:
                status = client.post(url).status_code
                if status not in expected_statuses(rule, persona):
                    failures.append(f"{persona} POST {url} ({name}): {status}")
    assert not failures, "\n".join(failures)
