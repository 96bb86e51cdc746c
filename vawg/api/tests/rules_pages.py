"""URL rules for the partner API's staff pages (gathered by url_rules.py): the partnership
admin's alone. Another partnership's admin gets 404, every other member 403."""

from vawg.api.testing import make_token
from vawg.core.tests.sweep import ADMIN, Rule

RULES: dict = {
    "api-tokens:token-list": Rule(ADMIN),
    "api-tokens:token-add": Rule(ADMIN),
    # A GET asks to confirm; only the POST revokes.
    "api-tokens:token-revoke": Rule(ADMIN),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    token = make_token(partnership, name="URL sweep token").token
    return {"api-tokens:token-revoke": {"pk": token.pk}}
