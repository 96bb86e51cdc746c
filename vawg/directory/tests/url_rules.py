"""Who may see each directory URL: read by the URL sweep in vawg/core/tests/test_url_sweep.py."""

from vawg.core.permissions import Role
from vawg.core.tests.sweep import PUBLIC, Rule, holders
from vawg.directory.tests.factories import make_service

MANAGE = holders("directory.manage")

RULES: dict = {
    "directory:finder": Rule(PUBLIC),
    "directory:questions": Rule(PUBLIC),
    "directory:covering-tracks": Rule(PUBLIC),
    "directory:listing-list": Rule(MANAGE),
    "directory:listing-add": Rule(MANAGE),
    "directory:listing-export": Rule(MANAGE),
    "directory:listing-edit": Rule(MANAGE),
    "directory:listing-reviewed": Rule(MANAGE, post_only=True),
    "directory:listing-retire": Rule(MANAGE, post_only=True),
    "directory:listing-reinstate": Rule(MANAGE, post_only=True),
}


def sweep_kwargs(partnership, personas) -> dict[str, dict]:
    service = make_service(partnership, owner=personas[Role.PARTNERSHIP_ADMIN])
    by_pk = {"pk": service.pk}
    return {
        "directory:listing-export": {"fmt": "csv"},
        **{
            name: by_pk
            for name in (
                "directory:listing-edit",
                "directory:listing-reviewed",
                "directory:listing-retire",
                "directory:listing-reinstate",
            )
        },
    }
