"""This app's URLs swept against every role, as the whole-site sweep does, so they can be
checked while another app's URLs are still being declared."""

from vawg.core.tests import test_url_sweep as sweep
from vawg.directory.tests.url_rules import RULES


def test_every_directory_url_has_a_rule():
    ours = {name for name in sweep.url_names() if name.startswith("directory:")}

    assert ours == set(RULES)


def test_every_directory_url_answers_every_role_as_declared(client, personas, world):
    people = {"anonymous": None, **personas}
    failures = []
    for name, rule in sorted(RULES.items()):
        url = sweep.url_for(name, world)
        for persona, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            status = client.get(url).status_code
            if status not in sweep.expected_statuses(rule, persona):
                failures.append(f"{persona} GET {url}: {status}")
            if rule.post_only and not sweep.allowed(rule, persona):
                status = client.post(url).status_code
                if status not in sweep.expected_statuses(rule, persona):
                    failures.append(f"{persona} POST {url}: {status}")
    assert not failures, "\n".join(failures)


world = sweep.world
